#!/usr/bin/env bash
# The browser benchmarks, in headless Chromium on the release build as
# production runs it, with their own PostgreSQL database and server on
# loopback:
#   BENCH_ONLY=matrix     the access matrix ("Show Access Settings"): a page
#                         of 100 users from navigation to interactive, and
#                         Space → saved cell, p95 over 50 toggles;
#   BENCH_ONLY=org-chart  the org chart with 5,000 positions: navigation to
#                         interactive, opening a branch, searching, moving;
#   BENCH_ONLY=lighthouse Lighthouse (mobile preset, its default) on User
#                         Management signed in: performance, accessibility
#                         and best-practices scores, LCP, TBT and CLS,
#                         median of 3 runs (Lighthouse 12.8.2, installed into
#                         target/lighthouse on first use; LIGHTHOUSE_FLAGS
#                         adds flags, e.g. --save-assets keeps each run's
#                         trace beside its report in target/bench);
#   BENCH_ONLY=browser    the matrix and the org chart.
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
if [ ! -x target/release/roster ] || [ ! -f target/release/hash.txt ] || ! ls target/release/site/pkg/roster.*.wasm >/dev/null 2>&1; then
  scripts/release.sh
fi
scripts/pg.sh psql bench "$port" -d postgres -qc "DROP DATABASE IF EXISTS roster_matrix WITH (FORCE)" -c "CREATE DATABASE roster_matrix" >/dev/null
export DATABASE_URL="postgres://roster@127.0.0.1:$port/roster_matrix"
# The release binary finds its site (target/release/site) beside itself.
unset LEPTOS_SITE_ROOT
email="matrix-bench@example.com"
password="Tr0ub4dor&3-matrix-bench-$(date +%s)"
mkdir -p target/bench
LEPTOS_SITE_ADDR="127.0.0.1:$app_port" PASSWORD_REQUESTS_PER_MINUTE=1000 RUST_LOG=warn \
  target/release/roster serve > target/bench/matrix-server.log 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$app_port/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
echo "$password" | target/release/roster org create --name "Matrix Bench" --time-zone Europe/Zurich \
  --first-name Ada --last-name Lovelace --email "$email" >/dev/null
# 99 more people, a third of them with settings of their own; 5,000
# positions as a tree (each with three sub-positions, 8 levels below the
# top one), each held by one of the 99 people (about 50 each).
scripts/pg.sh psql bench "$port" -d roster_matrix -q <<'SQL'
UPDATE seats SET quota = 200 WHERE role IN ('basic', 'operator');
INSERT INTO users (org_id, email, first_name, last_name, role, status, time_zone, activated_at)
SELECT o.id, 'person' || lpad(n::text, 3, '0') || '@example.com', 'Person', 'No. ' || n,
       (CASE WHEN n % 3 = 0 THEN 'operator' ELSE 'basic' END)::user_role, 'active', 'UTC', now()
FROM organizations o, generate_series(1, 99) n;
INSERT INTO user_permissions (org_id, user_id, permission, granted, set_by_name)
SELECT org_id, id, 'download_reports', false, 'Ada Lovelace' FROM users WHERE email LIKE 'person%' AND right(split_part(email, '@', 1), 1) IN ('1', '4', '7');
CREATE TEMP TABLE chart AS SELECT k, gen_random_uuid() AS id FROM generate_series(1, 5000) k;
INSERT INTO positions (id, org_id, parent_id, name)
SELECT p.id, o.id, parent.id, 'Position ' || lpad(p.k::text, 4, '0')
FROM organizations o, chart p LEFT JOIN chart parent ON p.k > 1 AND parent.k = (p.k - 2) / 3 + 1 ORDER BY p.k;
INSERT INTO user_positions (org_id, user_id, position_id)
SELECT u.org_id, u.id, p.id FROM users u JOIN chart p ON p.k % 99 = substr(u.email, 7, 3)::int - 1
WHERE u.email LIKE 'person%';
SQL
if [ "${BENCH_ONLY:-}" = lighthouse ]; then
  lighthouse=target/lighthouse/node_modules/.bin/lighthouse
  if [ ! -x "$lighthouse" ]; then
    echo "==> installing Lighthouse 12.8.2 into target/lighthouse (once)"
    mkdir -p target/lighthouse
    npm install --prefix target/lighthouse --no-audit --no-fund --loglevel=error lighthouse@12.8.2
  fi
  base="http://127.0.0.1:$app_port"
  cookie=$(curl -fsS -D - -o /dev/null -H "Origin: $base" --data-urlencode "email=$email" \
    --data-urlencode "password=$password" "$base/api/sign_in" | sed -n 's/^set-cookie: \(roster_session=[^;]*\).*/\1/Ip')
  [ -n "$cookie" ] || { echo "could not sign in for Lighthouse"; exit 1; }
  echo
  echo "## Lighthouse on /settings/users (mobile preset, 100 users)"
  echo
  echo "| run | performance | accessibility | best practices | LCP ms | TBT ms | CLS |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for run in 1 2 3; do
    CHROME_PATH=${CHROMIUM_PATH:-/usr/bin/chromium} "$lighthouse" "$base/settings/users" --quiet \
      --only-categories=performance,accessibility,best-practices \
      --chrome-flags="--headless=new --no-sandbox" --extra-headers="{\"Cookie\":\"$cookie\"}" \
      --output=json --output-path="target/bench/lighthouse-$run.json" ${LIGHTHOUSE_FLAGS:-} >/dev/null
    node -e '
      const r = require(process.argv[1]);
      const s = (c) => Math.round(r.categories[c].score * 100);
      const a = (id) => r.audits[id].numericValue;
      console.log(`| ${process.argv[2]} | ${s("performance")} | ${s("accessibility")} | ${s("best-practices")} | ${Math.round(a("largest-contentful-paint"))} | ${Math.round(a("total-blocking-time"))} | ${a("cumulative-layout-shift").toFixed(3)} |`);
      for (const c of ["accessibility", "best-practices"]) for (const ref of r.categories[c].auditRefs)
        if (ref.weight > 0 && r.audits[ref.id].score !== null && r.audits[ref.id].score < 1) console.error(`    ${c}: ${ref.id} (${r.audits[ref.id].title})`);
    ' "$(pwd)/target/bench/lighthouse-$run.json" "$run"
  done
  exit 0
fi
case "${BENCH_ONLY:-browser}" in
  matrix) specs=(matrix.bench.ts) ;;
  org-chart) specs=(org-chart.bench.ts) ;;
  *) specs=(matrix.bench.ts org-chart.bench.ts) ;;
esac
(cd end2end && ROSTER_BASE_URL="http://127.0.0.1:$app_port" ROSTER_BENCH_EMAIL="$email" ROSTER_BENCH_PASSWORD="$password" \
  npx playwright test --config bench/playwright.bench.config.ts "${specs[@]}")
