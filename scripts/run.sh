#!/usr/bin/env bash
# `make run`: installs what is missing, starts the private PostgreSQL cluster
# unless DATABASE_URL is set, builds and serves Roster on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/tools.sh build

if [ -z "${DATABASE_URL:-}" ]; then
  port=${ROSTER_PG_PORT:-54329}
  scripts/pg.sh start run "$port"
  trap 'scripts/pg.sh stop run' EXIT
  export DATABASE_URL="postgres://roster@127.0.0.1:$port/roster"
fi

echo "==> building Roster (the first build takes a few minutes)"
cargo leptos build --split
echo "==> starting Roster: open http://127.0.0.1:3000 (Ctrl-C stops it)"
LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=roster \
LEPTOS_SITE_ADDR=${LEPTOS_SITE_ADDR:-127.0.0.1:3000} DEV_MAILBOX=${DEV_MAILBOX:-true} \
  target/debug/roster serve
