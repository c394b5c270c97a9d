#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests, the end-to-end runs and the benchmarks, from
# Debian's packages: a cluster in a temporary folder of this checkout's own, reached only
# through a Unix socket there (no TCP port), fsync off for speed. Idempotent.
#
#   scripts/postgres.sh start          start it (made on first use); prints nothing
#   scripts/postgres.sh url            the URL of its `postgres` database
#   scripts/postgres.sh createdb NAME  make database NAME unless it exists; prints its URL
#   scripts/postgres.sh psql NAME SQL  run SQL in database NAME (e.g. ANALYZE after a bulk load)
#   scripts/postgres.sh stop           stop it and remove it with all its data
#   scripts/postgres.sh status         exit 0 when it runs
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user
# (runuser); otherwise to whoever runs this. A cluster that cannot start fails loudly.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres.sh: PostgreSQL's server binaries are missing: run scripts/setup.sh (apt-get install postgresql)" >&2
  exit 1
fi
# One cluster per checkout: its path, hashed, names the folder (short, for the socket).
dir="${TMPDIR:-/tmp}/pp-pg-$(printf '%s' "$root" | sha256sum | cut -c1-10)"
data="$dir/data"
socket="$dir/socket"
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url_of() { printf 'postgres://postgres@%s/%s\n' "$(printf '%s' "$socket" | sed 's|/|%2F|g')" "$1"; }
running() { [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  running && return 0
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$dir"
    mkdir -p "$data" "$socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
    chmod 700 "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # A stale pid file from a machine that stopped without saying goodbye.
  rm -f "$data/postmaster.pid"
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/log" -w -t 60 start -o \
    "-c listen_addresses='' -c unix_socket_directories='$socket' -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 \
     -c shared_buffers=128MB" >/dev/null \
    || { echo "postgres.sh: PostgreSQL did not start; its log:" >&2; tail -30 "$dir/log" >&2; exit 1; }
}

case "${1:-}" in
  start) start ;;
  url) start; url_of postgres ;;
  createdb)
    name="${2:?usage: postgres.sh createdb NAME}"
    start
    psql() { as_owner "$bin/psql" -h "$socket" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 "$@"; }
    if [ -z "$(psql -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
      psql -c "CREATE DATABASE \"$name\"" >/dev/null
    fi
    url_of "$name" ;;
  psql)
    name="${2:?usage: postgres.sh psql NAME SQL}"
    start
    as_owner "$bin/psql" -h "$socket" -U postgres -d "$name" -qAt -v ON_ERROR_STOP=1 -c "${3:?usage: postgres.sh psql NAME SQL}" ;;
  status) running ;;
  stop)
    if running; then as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    rm -rf "$dir" ;;
  *) echo "usage: $0 start|url|createdb NAME|psql NAME SQL|stop|status" >&2; exit 2 ;;
esac
