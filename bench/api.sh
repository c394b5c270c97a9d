#!/usr/bin/env bash
# API benchmark: the release server (cargo --profile server) on SQLite with the demo shop,
# order views by capability token across the seeded orders.
#   1. throughput: wrk, 2 threads, 64 connections, 10 s -> requests/s, p50/p99
#   2. latency at a fixed 5,000 requests/s: oha, 10 s, latency-corrected -> p50/p99
#   3. peak resident memory of the server over both (VmHWM)
# Targets on this 2-core machine: >= 10,000 views/s; p99 < 5 ms at 5,000/s; < 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --bench >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q --profile server -p postpurchase-server

work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port); shop_port=$(free_port)
api="http://127.0.0.1:$port"
key="bench-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"

PP_DEMO_API_KEY="$key" RUST_LOG=warn target/server/postpurchase-server \
  --listen "127.0.0.1:$port" --data-dir "$work" --demo-storefront "127.0.0.1:$shop_port" >"$work/log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done

# A fresh token for each order, minted through the admin API as a merchant would.
paths=()
for number in 1001 1002 1003 1004; do
  token=$(curl -sf -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{}' "$api/api/v1/admin/orders/$number/tokens" | node -e 'let b="";process.stdin.on("data",d=>b+=d).on("end",()=>console.log(JSON.parse(b).token))')
  paths+=("/api/v1/shops/demo/orders/$token")
done
printf '%s\n' "${paths[@]}" | sed "s|^|$api|" >"$work/urls"
bytes=$(curl -sf "$api${paths[1]}" | wc -c)

cat >"$work/rotate.lua" <<LUA
local paths = { $(printf '"%s", ' "${paths[@]}") }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

echo "order views of $bytes-byte JSON bodies, ${#paths[@]} orders in rotation"
echo
echo "1. throughput (wrk -t2 -c64 -d10s)"
wrk -t2 -c64 -d10s --latency -s "$work/rotate.lua" "$api" >"$work/wrk"
rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk")
p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk"); p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk")
errors=$(grep -E 'Non-2xx|Socket errors' "$work/wrk" || true)
echo "   $rps requests/s, p50 $p50, p99 $p99 ${errors:+($errors)}"

echo "2. fixed rate (oha -q 5000 -z 10s -c 32, latency-corrected)"
oha --no-tui --output-format json -q 5000 -z 10s -c 32 --latency-correction --urls-from-file "$work/urls" >"$work/oha.json"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const s = r.summary, p = r.latencyPercentiles, ms = (x) => (x * 1000).toFixed(2);
console.log(`   ${s.requestsPerSec.toFixed(0)} requests/s, p50 ${ms(p.p50)} ms, p99 ${ms(p.p99)} ms, ` +
  `max ${ms(s.slowest)} ms, status codes ${JSON.stringify(r.statusCodeDistribution)}`);
' "$work/oha.json"

echo "3. memory: peak resident $(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' /proc/$server/status)," \
     "now $(awk '/VmRSS/ { printf "%.1f MB", $2 / 1024 }' /proc/$server/status)"
