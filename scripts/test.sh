#!/usr/bin/env bash
# `make test`: installs what the tests need, starts a private PostgreSQL
# cluster, runs the Rust tests (each test gets a fresh database) and the
# Playwright suite in headless Chromium (with and without JavaScript), and
# stops everything it started, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

started=$(date +%s)
step() { echo "==> [$(( $(date +%s) - started ))s] $*"; }

step "tools"
scripts/tools.sh build test

pg_port=${ROSTER_TEST_PG_PORT:-54339}
app_port=${ROSTER_TEST_APP_PORT:-3100}
server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  scripts/pg.sh stop test
  exit $status
}
trap cleanup EXIT INT TERM

step "PostgreSQL"
scripts/pg.sh start test "$pg_port"
export DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster"

# The same LEPTOS_* values cargo-leptos compiles with, so `cargo test` and
# `cargo leptos build` share one build of the server crates.
export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg

step "Rust tests"
cargo test --features ssr -- --test-threads="${ROSTER_TEST_THREADS:-4}"

step "build (server + WASM)"
cargo leptos build

step "start Roster for the browser tests"
scripts/pg.sh psql test "$pg_port" -d postgres -qc "DROP DATABASE IF EXISTS roster_e2e WITH (FORCE)" -c "CREATE DATABASE roster_e2e" >/dev/null
mkdir -p target/e2e
LEPTOS_SITE_ADDR="127.0.0.1:$app_port" DEV_MAILBOX=true DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_e2e" \
  RUST_LOG=info target/debug/roster serve > target/e2e/server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$app_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat target/e2e/server.log; exit 1; }
  sleep 0.5
done

step "Playwright (Chromium, with and without JavaScript)"
(cd end2end && ROSTER_BASE_URL="http://127.0.0.1:$app_port" npx playwright test)

step "all tests passed"
