#!/usr/bin/env bash
# `make test`: installs what the tests need, starts a private PostgreSQL
# cluster, runs the Rust tests (each test gets a fresh database) and the
# Playwright suite in headless Chromium (with and without JavaScript), and
# stops everything it started, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

started=$(date +%s)
# Each step prints when it starts; the summary at the end (also after a
# failure) gives each step's duration on one line.
steps=()
step_name=""
step_started=$started
step_done() {
  if [ -n "$step_name" ]; then steps+=("$step_name $(( $(date +%s) - step_started ))s"); fi
  step_name=""
}
step() {
  step_done
  step_name=$1
  step_started=$(date +%s)
  echo "==> [$(( step_started - started ))s] $*"
}
summary() {
  step_done
  local line
  line=$(printf '%s, ' "${steps[@]}")
  echo "==> make test $1 in $(( $(date +%s) - started ))s: ${line%, }"
}

step "tools"
scripts/tools.sh build test

pg_port=${ROSTER_TEST_PG_PORT:-54339}
app_port=${ROSTER_TEST_APP_PORT:-3100}
# A second server without SMTP, for the development mailbox's own tests.
dev_port=${ROSTER_TEST_DEV_PORT:-3101}
# Below the kernel's ephemeral range (32768+), which outgoing connections
# (and their TIME_WAIT leftovers from the run before) may hold.
smtp_port=${ROSTER_TEST_SMTP_PORT:-25325}
mail_web_port=${ROSTER_TEST_MAIL_WEB_PORT:-25326}
pids=()
cleanup() {
  status=$?
  if [ "$status" = 0 ]; then summary passed; else summary "FAILED (exit $status)"; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  scripts/pg.sh stop test
  exit $status
}
trap cleanup EXIT INT TERM

step "PostgreSQL"
scripts/pg.sh start test "$pg_port"
export DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster"

# The same LEPTOS_* values and RUSTFLAGS cargo-leptos compiles with (a debug
# `cargo leptos build` adds `--cfg erase_components`), so `cargo test` and
# `cargo leptos build` share one build of the server crates instead of two.
export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
leptos_rustflags="--cfg erase_components"

# Databases of tests that failed last time (kept for a look) go now.
scripts/pg.sh psql test "$pg_port" -d postgres -qAt -c \
  "SELECT format('DROP DATABASE %I WITH (FORCE);', datname) FROM pg_database WHERE datname LIKE 'roster\_test\_%'" \
  | scripts/pg.sh psql test "$pg_port" -d postgres -q >/dev/null

step "Rust tests"
# (ROSTER_SKIP_RUST=1 skips them, and arguments go to Playwright, for a
# quick run of one browser spec while working on it: `scripts/test.sh
# permissions`. `make test` runs everything.)
if [ "${ROSTER_SKIP_RUST:-}" != 1 ]; then
# nextest: each test in its own process, ended by name if it hangs
# (.config/nextest.toml); four at a time, since most of a test's time is
# spent waiting on PostgreSQL and the app rather than on a core.
RUSTFLAGS="$leptos_rustflags" cargo nextest run --features ssr --test-threads="${ROSTER_TEST_THREADS:-4}"
fi

step "build" "(server + WASM)"
env -u RUSTFLAGS cargo leptos build --split

step "servers for the browser tests" "(mail catcher, Roster)"
mkdir -p target/e2e
# maildev: a real SMTP server whose HTTP API the browser tests read mail from.
end2end/node_modules/.bin/maildev --ip 127.0.0.1 --smtp "$smtp_port" --web "$mail_web_port" > target/e2e/maildev.log 2>&1 &
pids+=($!)
for db in roster_e2e roster_e2e_dev; do
  scripts/pg.sh psql test "$pg_port" -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
done
# Link and password endpoints are rate limited per client; every browser test
# comes from 127.0.0.1, so the suite gets quotas only a runaway loop would hit.
export TOKEN_REQUESTS_PER_MINUTE=1000 PASSWORD_REQUESTS_PER_MINUTE=1000
LEPTOS_SITE_ADDR="127.0.0.1:$app_port" SMTP_URL="smtp://127.0.0.1:$smtp_port" PUBLIC_ORIGIN="http://127.0.0.1:$app_port" \
  DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_e2e" \
  RUST_LOG=info target/debug/roster serve > target/e2e/server.log 2>&1 &
pids+=($!)
LEPTOS_SITE_ADDR="127.0.0.1:$dev_port" DEV_MAILBOX=true \
  DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_e2e_dev" \
  RUST_LOG=info target/debug/roster serve > target/e2e/server-dev.log 2>&1 &
pids+=($!)
wait_for() {
  for _ in $(seq 1 120); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    # A server that refused to start (its configuration) will not come up.
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a server exited: $1 will not come up"; break 2; }
    done
    sleep 0.5
  done
  echo "not up: $1"; tail -n 50 target/e2e/*.log; exit 1
}
wait_for "http://127.0.0.1:$app_port/readyz"
wait_for "http://127.0.0.1:$dev_port/readyz"
wait_for "http://127.0.0.1:$mail_web_port/api/email"

step "Playwright" "(Chromium, with and without JavaScript)"
(cd end2end && ROSTER_BASE_URL="http://127.0.0.1:$app_port" ROSTER_DEV_URL="http://127.0.0.1:$dev_port" \
  ROSTER_MAIL_API="http://127.0.0.1:$mail_web_port" ROSTER_E2E_DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_e2e" \
  npx playwright test "$@")

step_done
