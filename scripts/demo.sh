#!/usr/bin/env bash
# The demo: the API server on SQLite (data/postpurchase.sqlite) with a sample shop, and a
# storefront thank-you page on its own origin embedding the widget with one script tag.
# PP_LISTEN / PP_DEMO_STOREFRONT change the addresses. `--postgres`: the same on the
# project's own PostgreSQL (scripts/postgres.sh, database `pp_demo`) instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
./scripts/build-widget.sh
./scripts/build-console.sh
cargo build -p postpurchase-server
export PP_LISTEN="${PP_LISTEN:-127.0.0.1:8080}"
export PP_DEMO_STOREFRONT="${PP_DEMO_STOREFRONT:-127.0.0.1:8081}"
if [ "${1:-}" = "--postgres" ]; then
  PP_DATABASE_URL=$(./scripts/postgres.sh createdb pp_demo)
  export PP_DATABASE_URL
  echo "On PostgreSQL: $PP_DATABASE_URL (scripts/postgres.sh stop removes it)"
fi
echo
echo "Open http://$PP_DEMO_STOREFRONT/ in a browser. Ctrl-C stops the demo."
exec target/debug/postpurchase-server --data-dir data
