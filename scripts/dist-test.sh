#!/usr/bin/env bash
# `make dist-test`: the tarball as an installation gets it. Builds it
# (`make dist`), unpacks it into an empty folder, starts the binary from an
# unrelated working directory with only the variables of its
# roster.env.example (no LEPTOS_* settings: the site and hash.txt are found
# beside the binary), checks what a browser is sent (hashed names, Brotli
# twins, a year's caching for the bundle, none for pages), checks the
# systemd unit, and runs the browser sign-up flow through it, with and
# without JavaScript. Not part of `make test`: it needs the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"

scripts/tools.sh build test
scripts/dist.sh
tarball=$(ls -t target/dist/roster-*.tar.gz | head -n 1)

pg_port=${ROSTER_DIST_PG_PORT:-54359}
app_port=${ROSTER_DIST_APP_PORT:-3300}
smtp_port=${ROSTER_DIST_SMTP_PORT:-25335}
mail_web_port=${ROSTER_DIST_MAIL_WEB_PORT:-25336}
work=$(mktemp -d /tmp/roster-dist-test.XXXXXX)
pids=()
cleanup() {
  status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  scripts/pg.sh stop dist
  if [ "$status" = 0 ]; then rm -rf "$work"; echo "==> make dist-test passed"; else
    echo "==> make dist-test FAILED (exit $status); the unpacked release and its log are in $work"; fi
  exit $status
}
trap cleanup EXIT INT TERM

echo "==> unpacking $tarball into $work/install"
mkdir -p "$work/install" "$work/elsewhere"
tar -C "$work/install" -xzf "$tarball"
release=$(ls -d "$work"/install/roster-*)
for file in roster hash.txt site/pkg roster.env.example roster.service README.md; do
  test -e "$release/$file" || { echo "the tarball lacks $file"; exit 1; }
done

echo "==> the systemd unit"
systemd-analyze verify --man=no "$release/roster.service" 2>&1 | grep -v "roster: No such file\|Failed to prepare\|not executable\|/opt/roster" || true
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
  # Exposure: 0 (locked down) to 10 (unprotected); systemd calls < 2 "OK".
  systemd-analyze security --offline=true --no-pager "$release/roster.service" | tail -n 1
fi
for option in NoNewPrivileges=yes ProtectSystem=strict Restart=on-failure User=roster; do
  grep -qx "$option" "$release/roster.service" || { echo "roster.service lacks $option"; exit 1; }
done

echo "==> PostgreSQL and a mail catcher"
scripts/pg.sh start dist "$pg_port"
scripts/pg.sh psql dist "$pg_port" -d postgres -qc "DROP DATABASE IF EXISTS roster_dist WITH (FORCE)" -c "CREATE DATABASE roster_dist" >/dev/null
end2end/node_modules/.bin/maildev --ip 127.0.0.1 --smtp "$smtp_port" --web "$mail_web_port" > "$work/maildev.log" 2>&1 &
pids+=($!)

echo "==> starting the unpacked release from $work/elsewhere"
# The example's variables, pointed at this machine's services.
(
  cd "$work/elsewhere"
  set -a
  # shellcheck disable=SC1091
  . "$release/roster.env.example"
  set +a
  env -i PATH=/usr/bin:/bin \
    DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_dist" \
    LEPTOS_SITE_ADDR="127.0.0.1:$app_port" \
    PUBLIC_ORIGIN="http://127.0.0.1:$app_port" \
    COOKIE_SECURE=false \
    TRUST_PROXY_HOPS=0 \
    SMTP_URL="smtp://127.0.0.1:$smtp_port" \
    MAIL_FROM="$MAIL_FROM" LOG_FORMAT="$LOG_FORMAT" RUST_LOG="$RUST_LOG" \
    "$release/roster" serve
) > "$work/roster.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$app_port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$app_port/readyz" >/dev/null || { tail -n 50 "$work/roster.log"; exit 1; }
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$mail_web_port/api/email" >/dev/null 2>&1 && break; sleep 0.5; done
grep -q '"hashed_names":true' "$work/roster.log" || { echo "the release did not find its hash.txt"; tail -n 20 "$work/roster.log"; exit 1; }

echo "==> what a browser is sent"
base="http://127.0.0.1:$app_port"
page_headers=$(curl -fsS -D - -o "$work/sign-in.html" "$base/sign-in")
echo "$page_headers" | grep -qi '^cache-control: private, no-cache' || { echo "pages must be no-cache: $page_headers"; exit 1; }
for kind in js wasm css; do
  hash=$(sed -n "s/^$kind: //p" "$release/hash.txt")
  file="/pkg/roster.$hash.$kind"
  [ "$kind" = wasm ] || grep -q "$file" "$work/sign-in.html" || { echo "the page does not name $file"; exit 1; }
  headers=$(curl -fsS -D - -o /dev/null -H 'Accept-Encoding: gzip, deflate, br' "$base$file")
  echo "$headers" | grep -qi '^content-encoding: br' || { echo "$file is not sent as its Brotli twin: $headers"; exit 1; }
  echo "$headers" | grep -qi '^cache-control: public, max-age=31536000, immutable' || { echo "$file is not immutable: $headers"; exit 1; }
  echo "    $file: Brotli, immutable"
done
# Every file the split bundle's loader fetches is there, under the name it
# asks for (the loader is itself named by its hash in hash.txt).
loader="$release/site/pkg/__wasm_split.$(sed -n 's/^split: //p' "$release/hash.txt").js"
test -f "$loader" || { echo "the split loader named in hash.txt is missing: $loader"; exit 1; }
chunks=$(grep -o '"\./[A-Za-z0-9_.-]*\.wasm"' "$loader" | tr -d '"' | sed 's|^\./||' | sort -u)
[ -n "$chunks" ] || { echo "the split loader names no chunks"; exit 1; }
for chunk in $chunks; do
  curl -fsS -o /dev/null "$base/pkg/$chunk" || { echo "a split chunk is missing: $chunk"; exit 1; }
done
echo "    $(echo "$chunks" | wc -l) split chunks, each served under the name the loader asks for"

echo "==> the browser sign-up flow through the release (Chromium, with and without JavaScript)"
(cd end2end && ROSTER_BASE_URL="$base" ROSTER_MAIL_API="http://127.0.0.1:$mail_web_port" \
  ROSTER_E2E_DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster_dist" \
  npx playwright test auth.spec.ts -g "sign up, see User Management")
