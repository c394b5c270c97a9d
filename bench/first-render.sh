#!/usr/bin/env bash
# First-render benchmark (see first-render.mjs): release widget, server, Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
./scripts/build-widget.sh >/dev/null
cargo build -q --profile server -p postpurchase-server
PP_SERVER_BIN=target/server/postpurchase-server node bench/first-render.mjs
