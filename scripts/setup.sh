#!/usr/bin/env bash
# Installs everything the demo, the tests and the benchmarks need. Idempotent:
# each step checks first and does nothing when its tool is already in place.
# Only the normal package registries are used (Debian, crates.io, npm, PyPI).
# `--bench` also installs what the benchmarks use (twiggy, oha).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages: browser + driver for the tests, PostgreSQL for the storage tests
# (scripts/postgres.sh runs a throwaway cluster of it; no service is started), wrk and
# brotli for benchmarks.
apt_pkgs=()
for spec in chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver \
            wrk:/usr/bin/wrk brotli:/usr/bin/brotli curl:/usr/bin/curl; do
  pkg=${spec%%:*}; bin=${spec#*:}
  [ -x "$bin" ] || apt_pkgs+=("$pkg")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_pkgs+=(postgresql)
# Node.js runs the end-to-end tests and the build's JS tools; Debian's is recent enough.
command -v node >/dev/null && command -v npm >/dev/null || apt_pkgs+=(nodejs npm)
# Python runs schemathesis (the API contract test), in a virtual environment of its own.
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_pkgs+=(python3-venv)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  say "apt-get install ${apt_pkgs[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

# --- Rust: the wasm target and the two build tools (rustup and cargo must be there).
command -v cargo >/dev/null || { echo "setup: install Rust with rustup first (https://rustup.rs)" >&2; exit 1; }
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The release widget's pinned nightly (scripts/widget-toolchain.sh): only its compiler and
# the standard library's source, which the widget build compiles for itself, and the
# crates that source needs, fetched now so the build can run offline.
. scripts/widget-toolchain.sh
if ! rustup run "$WIDGET_TOOLCHAIN" rustc --version >/dev/null 2>&1; then
  say "rustup toolchain install $WIDGET_TOOLCHAIN --profile minimal"
  rustup toolchain install "$WIDGET_TOOLCHAIN" --profile minimal
fi
std_src="$(rustup run "$WIDGET_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library"
if [ ! -f "$std_src/Cargo.toml" ]; then
  say "rustup component add rust-src --toolchain $WIDGET_TOOLCHAIN"
  rustup component add rust-src --toolchain "$WIDGET_TOOLCHAIN"
fi
cargo "+$WIDGET_TOOLCHAIN" fetch --offline --manifest-path "$std_src/Cargo.toml" >/dev/null 2>&1 \
  || { say "cargo fetch (the standard library's crates)"; cargo "+$WIDGET_TOOLCHAIN" fetch --manifest-path "$std_src/Cargo.toml"; }
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg_version\$"; then
  say "cargo install wasm-bindgen-cli $wbg_version"
  # `--locked` fails for wasm-bindgen-cli; the exact version pin is what matters.
  cargo install wasm-bindgen-cli --version "$wbg_version" --force
fi

# --- Node packages: a current wasm-opt and wasm-metadce (npm binaryen), terser and acorn
# (scripts/trim-bindings.mjs), playwright-core, axe-core, pngjs and pixelmatch (screenshot
# comparison).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/terser ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- schemathesis, pinned, from PyPI into target/schemathesis (tests/api/schemathesis.mjs).
SCHEMATHESIS_VERSION=4.32.5
if ! target/schemathesis/bin/st --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  say "pip install schemathesis $SCHEMATHESIS_VERSION"
  rm -rf target/schemathesis
  python3 -m venv target/schemathesis
  target/schemathesis/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ "${1:-}" = "--bench" ]; then
  for tool in twiggy:0.8.0 oha:1; do
    name=${tool%%:*}; version=${tool#*:}
    if ! command -v "$name" >/dev/null; then
      say "cargo install $name"
      cargo install "$name" --version "^$version" --locked
    fi
  done
fi

say "ready: $(trunk --version), wasm-bindgen $wbg_version, wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'), schemathesis $SCHEMATHESIS_VERSION, $(/usr/bin/chromium --version 2>/dev/null | head -1)"
