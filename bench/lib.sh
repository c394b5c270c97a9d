# Shared by bench/api.sh and bench/compare.sh: a scratch folder ($work) and the processes
# started (pids), both cleaned up on exit (and PostgreSQL stopped if it was not running);
# servers on free ports, fresh tokens, and the load generators' figures. Expects $seconds;
# sets $key, the demo's admin key.

work=$(mktemp -d)
pids=()
postgres_was_running=false
./scripts/postgres.sh status && postgres_was_running=true
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $postgres_was_running || ./scripts/postgres.sh stop
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# shellcheck disable=SC2034 # used by the scripts that source this
key="bench-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
json_field() { node -e 'let b="";process.stdin.on("data",d=>b+=d).on("end",()=>console.log(JSON.parse(b)[process.argv[1]]))' "$1"; }

# start NAME BINARY DATABASE_URL [demo]: a server on a free port; sets $url and $pid.
start() {
  local name=$1 binary=$2 database=$3 demo=${4:-}
  local port; port=$(free_port)
  local args=(--listen "127.0.0.1:$port" --data-dir "$work/$name")
  [ -n "$database" ] && args+=(--database-url "$database")
  [ -n "$demo" ] && args+=(--demo-storefront "127.0.0.1:$(free_port)")
  mkdir -p "$work/$name"
  # Capacity, not limits: every limit out of reach (bench/abuse.sh measures the limits).
  PP_LIMIT_SHOPPER_READS=1000000/s PP_LIMIT_SHOPPER_WRITES=1000000/s PP_LIMIT_ADMIN=1000000/s \
  PP_LIMIT_FAILURES=1000000/s PP_LIMIT_CHOICE_CHANGES=1000000000 \
  PP_DEMO_API_KEY="$key" RUST_LOG=error "$binary" "${args[@]}" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  url="http://127.0.0.1:$port"
  for _ in $(seq 200); do curl -sf "$url/healthz" >/dev/null && return; sleep 0.1; done
  echo "server $name did not start:"; cat "$work/$name.log"; exit 1
}

# Order views: paths of fresh tokens for the demo's orders 1001-1004, minted through $1.
view_paths() {
  for number in 1001 1002 1003 1004; do
    token=$(curl -sf -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d '{}' "$1/api/v1/admin/orders/$number/tokens" | json_field token)
    echo "/api/v1/shops/demo/orders/$token"
  done
}

rotate_lua() {
  cat <<LUA
local paths = { $(printf '"%s", ' "$@") }
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
}

# wrk over the servers at once (the connections split between them): total requests/s,
# the worst p50 and p99 in ms, and non-2xx answers. Args: SCRIPT CONNECTIONS URL...
wrk_split() {
  local script=$1 connections=$2; shift 2
  local threads=$(( $# > 1 ? 1 : 2 )) running=()
  local i=0 out
  # A folder per call: a caller reading the figures may go on before this one is done.
  out=$(mktemp -d "$work/wrk.XXXXXX")
  for server in "$@"; do
    wrk -t$threads -c$((connections / $#)) -d${seconds}s --latency -s "$script" "$server" \
      >"$out/$i" 2>&1 &
    running+=($!)
    i=$((i + 1))
  done
  wait "${running[@]}"
  awk 'function ms(v) { return v ~ /us$/ ? v / 1000 : v ~ /ms$/ ? v + 0 : v * 1000 }
       /^Requests\/sec/ { rps += $2 }
       $1 == "50%" { if (ms($2) > p50) p50 = ms($2) }
       $1 == "99%" { if (ms($2) > p99) p99 = ms($2) }
       /Non-2xx/ { bad += $NF }
       END { printf "%.0f %.2fms %.2fms %d\n", rps, p50, p99, bad }' "$out"/*
  rm -rf "$out"
}

# oha at a fixed rate over URLS_FILE: "requests/s p50_ms p99_ms statuses". Args: RATE FILE.
oha_fixed() {
  oha --no-tui --output-format json -q "$1" -z ${seconds}s -c 32 --latency-correction \
    --urls-from-file "$2" >"$work/oha.json"
  node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const s = r.summary, p = r.latencyPercentiles, ms = (x) => (x * 1000).toFixed(2);
console.log(`${s.requestsPerSec.toFixed(0)} ${ms(p.p50)} ${ms(p.p99)} ${JSON.stringify(r.statusCodeDistribution)}`);
' "$work/oha.json"
}

peak() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

