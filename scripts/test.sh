#!/usr/bin/env bash
# Runs every test of the project, in the order a failure is cheapest to find:
# formatting and lints, native tests (domain, API handlers, storage), the widget in headless
# Chromium (wasm-bindgen-test), then the release widget and the demo end to end
# (Playwright driving Chromium), and schemathesis checking the API against its OpenAPI
# document. The wasm is built once for the end-to-end layer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

logs=$(mktemp -d)
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A PostgreSQL of this run's own (scripts/postgres.sh): every storage test runs on it as
# well as on SQLite, each in a database of its own. It must start; it is never skipped.
./scripts/postgres.sh stop
./scripts/postgres.sh start
trap './scripts/postgres.sh stop; rm -rf "$logs"' EXIT
export PP_TEST_POSTGRES="$(./scripts/postgres.sh url)"

step "format"
cargo fmt --all -- --check

step "clippy: server, shared types, widget (native)"
cargo clippy --workspace --all-targets -- -D warnings
step "clippy: widget and its after-delivery module (wasm32)"
cargo clippy -p postpurchase-widget -p postpurchase-after --target wasm32-unknown-unknown --all-targets -- -D warnings
step "clippy: console (wasm32)"
cargo clippy -p postpurchase-console --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test --workspace 2>&1 | tee "$logs/native"

step "widget tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p postpurchase-widget --target wasm32-unknown-unknown 2>&1 | tee "$logs/widget"

step "release widget, console and server"
./scripts/build-widget.sh
./scripts/build-console.sh
cargo build -p postpurchase-server

step "end-to-end (Playwright, Chromium, the demo)"
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/ 2>&1 | tee "$logs/e2e"

step "end-to-end on PostgreSQL: parcels and follow-ups (the demo on a database of its own)"
PP_E2E_DATABASE=postgres node --test --test-concurrency=1 --test-reporter=spec \
  tests/e2e/delivery.test.mjs tests/e2e/followups.test.mjs 2>&1 | tee "$logs/e2e-postgres"

step "API contract: schemathesis against the demo (time-boxed)"
node tests/api/schemathesis.mjs "${PP_SCHEMATHESIS_SECONDS:-120}" 2>&1 | tee "$logs/schemathesis"

passed() { grep -Eo "$2" "$1" | grep -Eo '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
step "all tests passed"
echo "native: $(passed "$logs/native" 'ok\. [0-9]+ passed') passed," \
     "widget: $(passed "$logs/widget" 'ok\. [0-9]+ passed') passed," \
     "end-to-end: $(passed "$logs/e2e" '^ℹ pass [0-9]+') passed" \
     "(and $(passed "$logs/e2e-postgres" '^ℹ pass [0-9]+') on PostgreSQL)," \
     "schemathesis: $(grep -Eo '[0-9]+ generated, [0-9]+ passed' "$logs/schemathesis")"
