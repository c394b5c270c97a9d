#!/usr/bin/env bash
# Abuse benchmark: the release server with its default limits, time-outs and body limits,
# on SQLite, as an attacker and a greedy client would meet it (bench/abuse.mjs):
#   limits    each limit met head on: how many requests it let through and refused
#   attacks   resident memory under 800 half-open requests, 64 bodies of 1.9 MB (a
#             made-up token, a wrong key, a real token over the route's size) and 64
#             console sign-ins at once from as many addresses
#   load      order views read at a fixed 1,000/s by 160 shoppers, alone and while
#             one token floods changes (throttled: 429), one address floods guessed
#             tokens (404, then 429), and the database's write lock is held from outside
#             for 3 s with carrier events waiting on it: the views' p50/p99 each time
#
#   bench/abuse.sh [--quick]      (--quick: 5-second load phases)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --bench >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"

seconds=10
[ "${1:-}" = "--quick" ] && seconds=5

cargo build -q --profile server -p postpurchase-server
bin=target/server/postpurchase-server
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
json_field() { node -e 'let b="";process.stdin.on("data",d=>b+=d).on("end",()=>console.log(JSON.parse(b)[process.argv[1]]))' "$1"; }

database="$work/data/postpurchase.sqlite"
mkdir -p "$work/data"
"$bin" shops create --slug bench --name Bench --owner owner@bench.example --json --database-url "sqlite://$database" >"$work/shop.json"
export BENCH_KEY; BENCH_KEY=$(json_field api_key <"$work/shop.json")
port=$(free_port)
api="http://127.0.0.1:$port"
# Default limits; the client's address from X-Forwarded-For, as behind a load balancer.
RUST_LOG=error "$bin" --listen "127.0.0.1:$port" --data-dir "$work/data" \
  --client-ip-header X-Forwarded-For >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done
# 40 orders with a parcel each (81 admin requests: within the key's burst of 100).
node bench/seed.mjs "$api" bench "$BENCH_KEY" 40 "$work" >/dev/null

echo "== limits (each from an address of its own)"
node bench/abuse.mjs limits "$api" "$pid" "$work"
echo
echo "== attacks"
node bench/abuse.mjs attacks "$api" "$pid" "$work"

# 160 shoppers: 4 tokens for each of the 40 orders, minted at 50/s (under the key's 100/s).
: >"$work/urls"
for n in $(seq 100000 100039); do
  for _ in 1 2 3 4; do
    token=$(curl -sf -X POST -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' \
      -H 'X-Forwarded-For: 192.0.2.200' -d '{}' "$api/api/v1/admin/orders/B$n/tokens" | json_field token)
    echo "$api/api/v1/shops/bench/orders/$token" >>"$work/urls"
    sleep 0.02
  done
done

# oha's JSON summary: "p50_ms p99_ms statuses".
summary() {
  node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const p = r.latencyPercentiles, ms = (x) => (x * 1000).toFixed(2);
const errors = Object.entries(r.errorDistribution ?? {}).map(([e, n]) => `, ${n} ${e}`).join("");
console.log(`${ms(p.p50)} ${ms(p.p99)} ${JSON.stringify(r.statusCodeDistribution)}${errors}`);
' "$1"
}
views() {
  oha --no-tui --output-format json -q 1000 -z ${seconds}s -c 32 --latency-correction \
    -H 'X-Forwarded-For: 192.0.2.100' --urls-from-file "$work/urls" >"$work/views.json"
}
flood_token=$(head -1 "$work/urls")

echo
echo "== order views at 1,000/s by 160 shoppers (${seconds} s each)"
results=()
phase() {
  local label=$1; shift
  views &
  local reading=$!
  local flood="-"
  if [ $# -gt 0 ]; then
    "$@" >"$work/flood.json"
    flood=$(summary "$work/flood.json" | cut -d' ' -f3-)
  fi
  wait "$reading"
  read -r p50 p99 statuses < <(summary "$work/views.json")
  results+=("$(printf '%-44s %7s %7s  %-22s %s' "$label" "$p50" "$p99" "$statuses" "$flood")")
}
flood_changes() {
  oha --no-tui --output-format json -z ${seconds}s -c 16 -m POST -T application/json \
    -H 'X-Forwarded-For: 192.0.2.1' -d '{"email":true,"sms":false}' "$flood_token/preferences"
}
flood_guesses() {
  oha --no-tui --output-format json -z ${seconds}s -c 16 -H 'X-Forwarded-For: 192.0.2.2' \
    "$api/api/v1/shops/bench/orders/AAAAAAAAAAAAAAAAAAAAAAAA"
}
# The write lock held from outside for 3 s of the phase, carrier events waiting on it.
locked_writes() {
  python3 -c '
import sqlite3, sys, time
time.sleep(1)
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
time.sleep(3)
c.execute("COMMIT")
' "$database" &
  local holder=$!
  oha --no-tui --output-format json -z ${seconds}s -c 8 -m POST -T application/json \
    -H "Authorization: Bearer $BENCH_KEY" -H 'X-Forwarded-For: 192.0.2.3' \
    -d '{"event_id":"e-{{n}}","occurred_at":"2026-11-20T10:00:00Z","code":"transit"}' \
    --rand-regex-url "$api/api/v1/admin/shipments/dhl/JVB1000[0-3][0-9]/events" >"$work/events.json" \
    2>/dev/null || true
  wait "$holder"
  cat "$work/events.json"
}
phase "alone"
phase "one token floods changes (16 connections)" flood_changes
phase "one address floods guessed tokens" flood_guesses
phase "write lock held 3 s, carrier events waiting" locked_writes

echo
printf '%-44s %7s %7s  %-22s %s\n' "order views at 1,000/s" "p50 ms" "p99 ms" "views' statuses" "the other side's statuses"
printf '%s\n' "${results[@]}"
