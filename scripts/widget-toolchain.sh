# The toolchain and flags the release widget is built with (sourced by scripts/setup.sh and
# scripts/build-widget.sh). A pinned nightly rebuilds the standard library for the widget
# alone (build-std, sized for size) and makes a panic stop the widget at once, with no
# message, location or Debug formatting carried in the wasm: 8.2 KB of brotli fewer than
# stable (85,256 -> 77,008 bytes of wasm, 2026-12-02). Everything else — the server, the
# native tests, clippy, the widget's own tests — stays on stable.
WIDGET_TOOLCHAIN=nightly-2026-05-19
widget_build_env() {
  export RUSTUP_TOOLCHAIN="$WIDGET_TOOLCHAIN"
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
}
