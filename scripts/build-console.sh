#!/usr/bin/env bash
# Builds the release console (crates/console) into target/console-dist (Trunk, offline,
# minified by Trunk itself so the integrity hashes in the page stay true),
# with brotli and gzip siblings of each file, which the server prefers when browsers
# accept them. The server serves it at /admin/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's current wasm-opt

# The widget's pinned nightly and its size flags (scripts/widget-toolchain.sh): std built
# for size, panics that stop at once, no panic locations nor Debug text in the binary.
. scripts/widget-toolchain.sh
dist=target/console-dist
rm -rf "$dist"
(widget_build_env && trunk build --release --offline --config crates/console/Trunk.toml "$@")
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -k -9 "$f"
done
wasm=$(ls "$dist"/*.wasm)
echo "console built: $(du -b "$wasm" | cut -f1) bytes of wasm, $(du -b "$wasm.br" | cut -f1) after brotli"
