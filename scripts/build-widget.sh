#!/usr/bin/env bash
# Builds the release widget into target/widget-dist (Trunk, offline) and writes brotli and
# gzip siblings of the bundle files, which the server prefers when browsers accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's current wasm-opt

# The pinned nightly and its flags (scripts/widget-toolchain.sh), for the widget only.
. scripts/widget-toolchain.sh
(widget_build_env && trunk build --release --offline --config Trunk.toml "$@")

dist=target/widget-dist
# Drop the exports the loader never uses and shorten the names the wasm and its glue share
# (the loader uses `mount` and the `Mounted` it returns).
node scripts/trim-bindings.mjs "$dist" postpurchase-widget mount Mounted
# Minify the JS: the glue fully; the loader without compression, which could copy the
# __PP_*__ template values the server fills in.
terser "$dist/postpurchase-widget.js" --module --compress --mangle -o "$dist/postpurchase-widget.js"
terser "$dist/postpurchase.js" --module --mangle -o "$dist/postpurchase.js"

# The follow-ups of the week after delivery: a second, small wasm (crates/after) that the
# loader fetches when a shopper first opens one, with the same toolchain, flags and trims.
(widget_build_env && cargo build --release --target wasm32-unknown-unknown -p postpurchase-after)
wasm-bindgen --target web --no-typescript --out-dir "$dist" --out-name postpurchase-after \
  target/wasm32-unknown-unknown/release/postpurchase_after.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue "$dist/postpurchase-after_bg.wasm" -o "$dist/postpurchase-after_bg.wasm"
node scripts/trim-bindings.mjs "$dist" postpurchase-after draw
terser "$dist/postpurchase-after.js" --module --compress --mangle -o "$dist/postpurchase-after.js"
cp style/after.css "$dist/after.css"

for f in postpurchase-widget_bg.wasm postpurchase-widget.js widget.css postpurchase-after_bg.wasm postpurchase-after.js after.css; do
  brotli -f -q 11 -o "$dist/$f.br" "$dist/$f"
  gzip -f -k -9 "$dist/$f"
done
echo "widget built: $(du -b "$dist/postpurchase-widget_bg.wasm" | cut -f1) bytes of wasm, $(du -b "$dist/postpurchase-widget_bg.wasm.br" | cut -f1) after brotli;" \
  "after-delivery module: $(du -b "$dist/postpurchase-after_bg.wasm" | cut -f1), $(du -b "$dist/postpurchase-after_bg.wasm.br" | cut -f1) after brotli"
