#!/usr/bin/env bash
# API benchmark: the release server (cargo --profile server) with the demo shop, on SQLite,
# on PostgreSQL with one process, and on PostgreSQL with two processes sharing the load
# (the load generators split it between them, as a load balancer would).
#
# For each:
#   views   order views by capability token across the seeded orders:
#           wrk -t2 -c64 for 10 s (throughput, p50/p99), oha at a fixed 5,000/s for 10 s
#           (latency-corrected p50/p99)
#   writes  carrier events recorded per second (each a new event of one of 200 parcels),
#           delivery choices changed per second (each a real change), both wrk -t2 -c16
#           for 10 s, with order views read at a fixed 1,000/s meanwhile (their p99,
#           against the p99 at 1,000/s with no writes)
#   memory  peak resident memory of each server process (VmHWM)
#
#   bench/api.sh                  everything above
#   bench/api.sh --quick          5-second runs
#   bench/api.sh --only SETUP     one of: sqlite, postgres, postgres2
#   bench/api.sh --baseline REV   first the views of git revision REV's server on SQLite,
#                                 measured in this same run, to compare with (built once
#                                 into target/baseline)
# Targets on this 2-core machine: >= 10,000 views/s; p99 < 5 ms at 5,000/s; < 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --bench >/dev/null
export PATH="$HOME/.cargo/bin:$PATH"

seconds=10
baseline=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) seconds=5 ;;
    --baseline) baseline="$2"; shift ;;
    --only) only="$2"; shift ;;
    *) echo "usage: bench/api.sh [--quick] [--baseline REV] [--only sqlite|postgres|postgres2]" >&2; exit 2 ;;
  esac
  shift
done

cargo build -q --profile server -p postpurchase-server
bin=target/server/postpurchase-server
. bench/lib.sh

results=()
# measure LABEL SERVER_URL... (the servers' pids are the last ones started, as many).
measure() {
  local label=$1; shift
  local servers=("$@")
  local mine=("${pids[@]: -${#servers[@]}}")
  mapfile -t paths < <(view_paths "${servers[0]}")
  rotate_lua "${paths[@]}" >"$work/views.lua"
  : >"$work/urls"
  for server in "${servers[@]}"; do printf "$server%s\n" "${paths[@]}" >>"$work/urls"; done
  bytes=$(curl -sf "${servers[0]}${paths[1]}" | wc -c)
  echo "== $label: order views ($bytes-byte bodies)"
  read -r rps p50 p99 bad < <(wrk_split "$work/views.lua" 64 "${servers[@]}")
  echo "   throughput: $rps views/s, p50 $p50, p99 $p99$([ "$bad" = 0 ] || echo ", non-2xx $bad")"
  read -r fixed_rps fixed_p50 fixed_p99 statuses < <(oha_fixed 5000 "$work/urls")
  echo "   at 5,000/s: $fixed_rps/s, p50 $fixed_p50 ms, p99 $fixed_p99 ms, $statuses"
  read -r _ _ quiet_p99 quiet_statuses < <(oha_fixed 1000 "$work/urls")
  echo "   at 1,000/s: p99 $quiet_p99 ms, $quiet_statuses"
  local writes="-"
  if [ "${label#baseline}" = "$label" ]; then
    echo "== $label: writes (200 parcels), views read at 1,000/s meanwhile"
    "$bin" shops create --slug bench --name Bench --owner owner@bench.example --json --database-url "$database_url" \
      >"$work/bench-shop.json"
    bench_key=$(json_field api_key <"$work/bench-shop.json")
    node bench/seed.mjs "${servers[0]}" bench "$bench_key" 200 "$work" >/dev/null
    for kind in events choices; do
      oha_fixed 1000 "$work/urls" >"$work/during" &
      local reading=$!
      read -r wps _ _ wbad < <(wrk_split "$work/$kind.lua" 16 "${servers[@]}")
      wait "$reading"
      read -r _ _ during_p99 during_statuses <"$work/during"
      echo "   $kind: $wps/s$([ "$wbad" = 0 ] || echo " (non-2xx $wbad)"); views meanwhile p99 $during_p99 ms, $during_statuses"
      eval "${kind}_rate=$wps; ${kind}_p99=$during_p99"
    done
    writes="${events_rate}/s ${choices_rate}/s $quiet_p99/${events_p99}/${choices_p99} ms"
  fi
  local memory=""
  for p in "${mine[@]}"; do memory+="$(peak "$p") MB "; done
  echo "   peak resident memory: $memory"
  results+=("$(printf '%-22s %9s %8s %8s %10s   %-32s %s' "$label" "$rps" "$p50" "$p99" "$fixed_p99 ms" "$writes" "$memory")")
}

if [ -n "$baseline" ]; then
  if [ ! -x target/baseline/server/postpurchase-server ] \
     || [ "$(cat target/baseline/REV 2>/dev/null)" != "$(git rev-parse "$baseline")" ]; then
    echo "building the server of $baseline (once) ..."
    git worktree add -f --detach "$work/baseline-src" "$baseline" >/dev/null 2>&1
    (cd "$work/baseline-src" && cargo build -q --profile server -p postpurchase-server \
      --target-dir "$OLDPWD/target/baseline")
    git rev-parse "$baseline" >target/baseline/REV
    git worktree remove --force "$work/baseline-src"
  fi
  start baseline target/baseline/server/postpurchase-server "" demo
  database_url=""
  measure "baseline $(git rev-parse --short "$baseline") SQLite" "$url"
  kill "$pid"
fi

wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }

if wanted sqlite; then
  database_url="sqlite://$work/sqlite/postpurchase.sqlite"
  start sqlite "$bin" "$database_url" demo
  measure "SQLite" "$url"
  kill "$pid"
fi

if wanted postgres; then
  database_url=$(./scripts/postgres.sh createdb "pp_bench_$$_1")
  start pg1 "$bin" "$database_url" demo
  measure "PostgreSQL, 1 process" "$url"
  kill "$pid"
fi

if wanted postgres2; then
  database_url=$(./scripts/postgres.sh createdb "pp_bench_$$_2")
  start pg2a "$bin" "$database_url" demo
  first=$url
  start pg2b "$bin" "$database_url"
  measure "PostgreSQL, 2 processes" "$first" "$url"
fi

echo
printf '%-22s %9s %8s %8s %10s   %-32s %s\n' "" "views/s" "p50" "p99" "p99@5k/s" \
  "events/s choices/s p99@1k/s" "peak RSS"
echo "(p99@1k/s: views read at 1,000/s alone / while events / while choices are written)"
printf '%s\n' "${results[@]}"
