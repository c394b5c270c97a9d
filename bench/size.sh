#!/usr/bin/env bash
# Size benchmark: builds the release widget and prints raw, gzip and brotli bytes of every
# file a shopper's browser downloads for the first paint (wasm, JS glue, loader as served,
# CSS, the largest language's words), their total against the 100 KB brotli budget; then
# the after-delivery module the loader fetches when a shopper first opens one of its
# follow-ups (its wasm, glue, CSS and largest words), and the whole against 125 KB brotli;
# and the largest functions in the wasm (twiggy). Then the same for the merchants' console
# (its page, wasm, JS and CSS) against its own budget of 400 KB brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --bench >/dev/null
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
BUDGET=102400        # 100 KiB, brotli: everything the first paint needs
WHOLE_BUDGET=128000  # 125 KB, brotli: that and the after-delivery module

./scripts/build-widget.sh >/dev/null
cargo build -q -p postpurchase-server
dist=target/widget-dist
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The loader as browsers get it: the server fills in the build, the texts and base.css.
port=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
target/debug/postpurchase-server --listen "127.0.0.1:$port" --data-dir "$work/data" --widget-dir "$dist" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -H 'Accept-Encoding: identity' "http://127.0.0.1:$port/widget/postpurchase.js" -o "$work/postpurchase.js"
# The widget's words: a shopper downloads one language; the largest one counts.
build=$(grep -o '"[0-9a-f]\{12\}"' "$work/postpurchase.js" | head -1 | tr -d '"')
largest=0; after_largest=0
for code in $(ls locales | sed -n 's/\.txt$//p'); do
  curl -sf -H 'Accept-Encoding: identity' "http://127.0.0.1:$port/widget/$build/texts-$code.json" -o "$work/texts-$code.json"
  br=$(brotli -q 11 -c "$work/texts-$code.json" | wc -c)
  if [ "$br" -gt "$largest" ]; then largest=$br; cp "$work/texts-$code.json" "$work/texts.json"; words=$code; fi
  curl -sf -H 'Accept-Encoding: identity' "http://127.0.0.1:$port/widget/$build/after-texts-$code.json" -o "$work/after-texts-$code.json"
  br=$(brotli -q 11 -c "$work/after-texts-$code.json" | wc -c)
  if [ "$br" -gt "$after_largest" ]; then after_largest=$br; cp "$work/after-texts-$code.json" "$work/after-texts.json"; after_words=$code; fi
done

printf '%-30s %10s %10s %10s\n' file raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in "$dist/postpurchase-widget_bg.wasm" "$dist/postpurchase-widget.js" "$work/postpurchase.js" "$dist/widget.css" "$work/texts.json"; do
  raw=$(wc -c <"$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  name=$(basename "$f"); [ "$name" = postpurchase.js ] && name="postpurchase.js (loader)"
  [ "$name" = texts.json ] && name="texts-$words.json (largest)"
  printf '%-30s %10d %10d %10d\n' "$name" "$raw" "$gz" "$br"
done
printf '%-30s %10d %10d %10d\n' "total (first paint)" "$total_raw" "$total_gz" "$total_br"
echo "budget: $total_br of $BUDGET bytes brotli ($((total_br * 100 / BUDGET))%), $((BUDGET - total_br)) bytes left"

echo
echo "the after-delivery module (crates/after), fetched when a shopper first opens the rewards, use and care, goes well with, the unboxing or faster delivery:"
printf '%-30s %10s %10s %10s\n' file raw gzip brotli
after_raw=0; after_gz=0; after_br=0
for f in "$dist/postpurchase-after_bg.wasm" "$dist/postpurchase-after.js" "$dist/after.css" "$work/after-texts.json"; do
  raw=$(wc -c <"$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  after_raw=$((after_raw + raw)); after_gz=$((after_gz + gz)); after_br=$((after_br + br))
  name=$(basename "$f"); [ "$name" = after-texts.json ] && name="after-texts-$after_words.json (largest)"
  printf '%-30s %10d %10d %10d\n' "$name" "$raw" "$gz" "$br"
done
printf '%-30s %10d %10d %10d\n' "total (after-delivery)" "$after_raw" "$after_gz" "$after_br"
whole_br=$((total_br + after_br))
echo "whole widget: $whole_br of $WHOLE_BUDGET bytes brotli ($((whole_br * 100 / WHOLE_BUDGET))%), $((WHOLE_BUDGET - whole_br)) bytes left"

# Largest contributors: the same build with names kept through wasm-bindgen and wasm-opt.
wasm-bindgen --target web --keep-debug --out-dir "$work/named" \
  target/wasm32-unknown-unknown/release/postpurchase_widget.wasm
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --strip-dwarf \
  "$work/named/postpurchase_widget_bg.wasm" -o "$work/named.wasm"
echo
echo "largest items of the wasm (twiggy top, names kept, before scripts/trim-bindings.mjs; sizes before brotli):"
twiggy top -n 25 "$work/named.wasm" | sed -E 's/\[[0-9a-f]{16}\]//g; s/::h[0-9a-f]{16}//g' | cut -c1-160 \
  | grep -av '"function names" subsection'

CONSOLE_BUDGET=409600   # 400 KiB, brotli: staff at a desk, never shoppers
./scripts/build-console.sh >/dev/null
echo
echo "the console (/admin/), everything its page loads:"
printf '%-50s %10s %10s %10s\n' file raw gzip brotli
console_raw=0; console_gz=0; console_br=0
for f in target/console-dist/index.html target/console-dist/*.wasm target/console-dist/*.js target/console-dist/*.css; do
  raw=$(wc -c <"$f"); gz=$(gzip -9 -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  console_raw=$((console_raw + raw)); console_gz=$((console_gz + gz)); console_br=$((console_br + br))
  printf '%-50s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-50s %10d %10d %10d\n' total "$console_raw" "$console_gz" "$console_br"
echo "console budget: $console_br of $CONSOLE_BUDGET bytes brotli ($((console_br * 100 / CONSOLE_BUDGET))%)"

if [ "$total_br" -gt "$BUDGET" ]; then
  echo "WIDGET OVER BUDGET by $((total_br - BUDGET)) bytes"
  exit 1
fi
if [ "$whole_br" -gt "$WHOLE_BUDGET" ]; then
  echo "WIDGET WITH ITS AFTER-DELIVERY MODULE OVER BUDGET by $((whole_br - WHOLE_BUDGET)) bytes"
  exit 1
fi
if [ "$console_br" -gt "$CONSOLE_BUDGET" ]; then
  echo "CONSOLE OVER BUDGET by $((console_br - CONSOLE_BUDGET)) bytes"
  exit 1
fi
