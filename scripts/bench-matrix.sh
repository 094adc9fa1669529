#!/usr/bin/env bash
# `BENCH_ONLY=matrix make bench`: the access matrix ("Show Access Settings")
# in headless Chromium, on the release build as production runs it: a page
# of 100 users from navigation to interactive, and Space → saved cell, p95
# over 50 toggles. Its own PostgreSQL database and server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/tools.sh build test
port=${ROSTER_BENCH_PG_PORT:-54349}
app_port=${ROSTER_BENCH_APP_PORT:-3190}
scripts/pg.sh start bench "$port"
server=""
cleanup() {
  status=$?
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  scripts/pg.sh stop bench
  exit $status
}
trap cleanup EXIT
if [ ! -x target/release/roster ] || [ ! -f target/site/pkg/roster.wasm ]; then
  scripts/release.sh
fi
scripts/pg.sh psql bench "$port" -d postgres -qc "DROP DATABASE IF EXISTS roster_matrix WITH (FORCE)" -c "CREATE DATABASE roster_matrix" >/dev/null
export DATABASE_URL="postgres://roster@127.0.0.1:$port/roster_matrix"
export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
email="matrix-bench@example.com"
password="Tr0ub4dor&3-matrix-bench-$(date +%s)"
mkdir -p target/bench
LEPTOS_SITE_ADDR="127.0.0.1:$app_port" PASSWORD_REQUESTS_PER_MINUTE=1000 RUST_LOG=warn \
  target/release/roster serve > target/bench/matrix-server.log 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$app_port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
echo "$password" | target/release/roster org create --name "Matrix Bench" --time-zone Europe/Zurich \
  --first-name Ada --last-name Lovelace --email "$email" >/dev/null
# 99 more people, a third of them with settings of their own.
scripts/pg.sh psql bench "$port" -d roster_matrix -q <<'SQL'
UPDATE seats SET quota = 200 WHERE role IN ('basic', 'operator');
INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at)
SELECT o.id, 'person' || lpad(n::text, 3, '0') || '@example.com', 'Person', 'No. ' || n,
       (CASE WHEN n % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, 'active', 'UTC', now()
FROM organizations o, generate_series(1, 99) n;
INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by_name)
SELECT org_id, id, 'download_reports', false, 'Ada Lovelace' FROM users WHERE email LIKE 'person%' AND right(split_part(email, '@', 1), 1) IN ('1', '4', '7');
SQL
(cd end2end && ROSTER_BASE_URL="http://127.0.0.1:$app_port" ROSTER_BENCH_EMAIL="$email" ROSTER_BENCH_PASSWORD="$password" \
  npx playwright test --config bench/playwright.bench.config.ts)
