#!/usr/bin/env bash
# Layout-shift benchmark (see layout-shift.mjs): release widget, server, Chromium as a phone.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
./scripts/build-widget.sh >/dev/null
cargo build -q --profile server -p postpurchase-server
PP_SERVER_BIN=target/server/postpurchase-server node bench/layout-shift.mjs
