#!/usr/bin/env bash
# Order views against a bare baseline, side by side in one run: the project's server
# (cargo --profile server, the demo) and bench/baseline (axum + rusqlite, one connection
# per worker thread, each view one stored JSON document), loaded with exactly the bodies
# and ETags the project serves for the demo's orders 1001-1004.
#
# On SQLite, then on PostgreSQL (one process; the baseline stays the bare SQLite one):
#   views     wrk -t2 -c64 against each in turns, ROUNDS rounds, then the ratio of the means
#   fixed     oha at 5,000 views/s against each: p50/p99
#   re-check  wrk with If-None-Match of the current ETag: 304s per second
#   mixed     views at a fixed 2,000/s while 500 writes/s (carrier events and delivery
#             choices, half each) change the same 1,000 orders, each viewed once before
#             (their shoppers' pages are open): the views' p99
#   memory    ORDERS orders seeded through the admin API (one parcel each), then views of
#             all of them at a fixed 5,000/s: p99, and each server's peak resident memory
#
#   bench/compare.sh                      everything, 10-second runs, 2 rounds, 100,000 orders
#   bench/compare.sh --quick              5-second runs, 10,000 orders
#   bench/compare.sh --rounds N --orders N --only sqlite|postgres
# Targets: views >= 60 % of the baseline (never below 50 %); p99 <= 2 ms at 5,000/s;
# a re-check one indexed read; p99 < 5 ms under 500 writes/s; < 64 MB with 100,000 orders.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --bench >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"

seconds=10
rounds=2
orders=100000
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) seconds=5; orders=10000 ;;
    --rounds) rounds="$2"; shift ;;
    --orders) orders="$2"; shift ;;
    --only) only="$2"; shift ;;
    *) echo "usage: bench/compare.sh [--quick] [--rounds N] [--orders N] [--only sqlite|postgres]" >&2; exit 2 ;;
  esac
  shift
done

cargo build -q --profile server -p postpurchase-server -p postpurchase-baseline
bin=target/server/postpurchase-server
bare=target/server/postpurchase-baseline
. bench/lib.sh

# The baseline with the bodies and ETags $1 serves at "${paths[@]}"; sets $bare_url.
start_baseline() {
  : >"$work/documents"
  for path in "${paths[@]}"; do
    curl -sf -D "$work/headers" -o "$work/body" "$1$path"
    etag=$(awk 'tolower($1) == "etag:" { print $2 }' "$work/headers" | tr -d '\r')
    printf 'demo\t%s\t%s\t%s\n' "${path##*/}" "$etag" "$(cat "$work/body")" >>"$work/documents"
  done
  rm -f "$work"/bare.sqlite*
  "$bare" load "$work/bare.sqlite" <"$work/documents" >/dev/null
  local port; port=$(free_port)
  "$bare" serve "$work/bare.sqlite" "127.0.0.1:$port" &
  bare_pid=$!
  pids+=("$bare_pid")
  bare_url="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$bare_url${paths[0]}" >/dev/null && break; sleep 0.1; done
  for path in "${paths[@]}"; do
    cmp -s <(curl -sf "$1$path") <(curl -sf "$bare_url$path") \
      || { echo "the baseline does not serve the same bytes for $path"; exit 1; }
  done
}

# wrk with If-None-Match of each path's current ETag: "304s/s p99 other-statuses".
recheck() {
  {
    echo "local views = {"
    for path in "${paths[@]}"; do
      etag=$(curl -sf -D - -o /dev/null "$1$path" | awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r')
      printf '  { "%s", [[%s]] },\n' "$path" "$etag"
    done
    cat <<'LUA'
}
local i = 0
request = function()
  i = i % #views + 1
  return wrk.format("GET", views[i][1], { ["If-None-Match"] = views[i][2] })
end
local others = 0
response = function(status) if status ~= 304 then others = others + 1 end end
done = function() io.write(string.format("others %d\n", others)) end
LUA
  } >"$work/recheck.lua"
  wrk -t2 -c64 -d${seconds}s --latency -s "$work/recheck.lua" "$1" >"$work/wrk.recheck" 2>&1
  awk 'function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
       /^Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = ms($2) } /^others/ { others = $2 }
       END { printf "%.0f %.2fms %d\n", rps, p99, others }' "$work/wrk.recheck"
}

summary=()
# measure LABEL URL DATABASE_URL: the server at URL (pid $pid) against the baseline.
measure() {
  local label=$1 server=$2 database_url=$3 server_pid=$pid
  mapfile -t paths < <(view_paths "$server")
  rotate_lua "${paths[@]}" >"$work/views.lua"
  printf "$server%s\n" "${paths[@]}" >"$work/urls"
  start_baseline "$server"
  printf "$bare_url%s\n" "${paths[@]}" >"$work/bare-urls"
  echo "== $label: order views of $(sed -n 2p "$work/documents" | wc -c) bytes and others, against the baseline"
  local ours=0 theirs=0
  for round in $(seq "$rounds"); do
    read -r rps p50 p99 bad < <(wrk_split "$work/views.lua" 64 "$server")
    echo "   round $round: postpurchase $rps views/s, p50 $p50, p99 $p99$([ "$bad" = 0 ] || echo ", non-2xx $bad")"
    ours=$((ours + rps))
    read -r brps bp50 bp99 bbad < <(wrk_split "$work/views.lua" 64 "$bare_url")
    echo "            baseline     $brps views/s, p50 $bp50, p99 $bp99$([ "$bbad" = 0 ] || echo ", non-2xx $bbad")"
    theirs=$((theirs + brps))
  done
  ours=$((ours / rounds)); theirs=$((theirs / rounds))
  local ratio; ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1f", 100 * a / b }')
  echo "   mean: postpurchase $ours views/s, baseline $theirs views/s: $ratio %"
  read -r _ fixed_p50 fixed_p99 statuses < <(oha_fixed 5000 "$work/urls")
  read -r _ bare_p50 bare_p99 _ < <(oha_fixed 5000 "$work/bare-urls")
  echo "   at 5,000/s: postpurchase p50 $fixed_p50 ms, p99 $fixed_p99 ms, $statuses; baseline p50 $bare_p50 ms, p99 $bare_p99 ms"
  kill "$bare_pid"
  read -r rechecks recheck_p99 others < <(recheck "$server")
  echo "   re-checks (If-None-Match, 304): $rechecks/s, p99 $recheck_p99$([ "$others" = 0 ] || echo ", not 304: $others")"

  echo "== $label: $orders orders, views while 500 writes/s change 1,000 of them"
  "$bin" shops create --slug bench --name Bench --owner owner@bench.example --json --database-url "$database_url" \
    >"$work/bench-shop.json"
  local bench_key; bench_key=$(json_field api_key <"$work/bench-shop.json")
  local started=$SECONDS
  node bench/seed.mjs "$server" bench "$bench_key" "$orders" "$work" >/dev/null
  echo "   seeded $orders orders with a parcel each in $((SECONDS - started)) s"
  # What autovacuum does within a minute of a bulk load (the runs below are shorter):
  # without statistics the planner reads small new tables whole, and on PostgreSQL a
  # whole-table read in a SERIALIZABLE write conflicts with every other write to it.
  [ -z "$pg_database" ] || ./scripts/postgres.sh psql "$pg_database" ANALYZE
  node -e '
const [file, api] = process.argv.slice(1);
for (const p of JSON.parse(require("fs").readFileSync(file, "utf8")))
  console.log(`${api}/api/v1/shops/bench/orders/${p.token}`);
' "$work/parcels.json" "$server" >"$work/all-urls"
  head -1000 "$work/all-urls" >"$work/mixed-urls"
  # Their shoppers have opened these orders before (a page re-checks every 30 s): the
  # first view of each, a build, is measured by the views of all orders below, not here.
  # Without this the phase measured 1,000 builds at once while the writes began: on
  # PostgreSQL a queue of up to a second in its first two seconds.
  xargs -P 4 -n 100 curl -sf <"$work/mixed-urls" >/dev/null
  oha_fixed 2000 "$work/mixed-urls" >"$work/during" &
  local reading=$!
  read -r wrote wstatuses < <(node bench/writes.mjs "$server" bench "$bench_key" \
    "$work/parcels.json" 500 "$seconds" 1000)
  wait "$reading"
  read -r _ mixed_p50 mixed_p99 mixed_statuses <"$work/during"
  echo "   writes $wrote/s $wstatuses; views at 2,000/s meanwhile p50 $mixed_p50 ms, p99 $mixed_p99 ms, $mixed_statuses"
  read -r _ all_p50 all_p99 all_statuses < <(oha_fixed 5000 "$work/all-urls")
  local memory; memory=$(peak "$server_pid")
  echo "   views of all $orders orders at 5,000/s: p50 $all_p50 ms, p99 $all_p99 ms, $all_statuses; peak resident memory $memory MB"
  summary+=("$(printf '%-12s %9s %9s %7s %9s %10s %10s %9s %10s' "$label" "$ours" "$theirs" "$ratio%" \
    "$fixed_p99" "$rechecks" "$mixed_p99" "$all_p99" "$memory MB")")
}

wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }

pg_database=""
if wanted sqlite; then
  database_url="sqlite://$work/sqlite/postpurchase.sqlite"
  start sqlite "$bin" "$database_url" demo
  measure SQLite "$url" "$database_url"
  kill "$pid"
fi

if wanted postgres; then
  pg_database="pp_compare_$$"
  database_url=$(./scripts/postgres.sh createdb "$pg_database")
  start pg "$bin" "$database_url" demo
  measure PostgreSQL "$url" "$database_url"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  ./scripts/postgres.sh psql postgres "DROP DATABASE \"$pg_database\""
fi

echo
printf '%-12s %9s %9s %7s %9s %10s %10s %9s %10s\n' "" "views/s" "baseline" "ratio" \
  "p99@5k/s" "304s/s" "p99 mixed" "p99 all" "peak RSS"
echo "(p99 mixed: views at 2,000/s during 500 writes/s; p99 all: views of all $orders orders at 5,000/s)"
printf '%s\n' "${summary[@]}"
