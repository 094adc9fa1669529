#!/usr/bin/env bash
# `make bench`: seeds 100,000 users and measures the user table, sign-ins and
# the release WASM size. Starts (and stops) its own PostgreSQL cluster, with
# normal durability settings, unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/tools.sh build test

if [ -z "${DATABASE_URL:-}" ]; then
  port=${ROSTER_BENCH_PG_PORT:-54349}
  scripts/pg.sh start bench "$port"
  trap 'scripts/pg.sh stop bench' EXIT
  # Through the cluster's Unix socket: app and database share this machine's
  # cores, and loopback TCP costs the database more CPU per query than the
  # queries themselves (measured with perf). BENCH_PG_TCP=1 compares.
  if [ -n "${BENCH_PG_TCP:-}" ]; then
    export DATABASE_URL="postgres://roster@127.0.0.1:$port/roster"
  else
    export DATABASE_URL="$(scripts/pg.sh url bench "$port")"
  fi
fi
echo "==> database: $DATABASE_URL"
export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg

# The browser benchmarks (the access matrix, the org chart) in headless
# Chromium: a script of their own.
case "${BENCH_ONLY:-}" in matrix | org-chart | browser | lighthouse) exec scripts/bench-browser.sh ;; esac

echo "==> benchmarks (release build of the server)"
# Component types erased, as every cargo-leptos build of Roster compiles them
# (`always-erase-components` in Cargo.toml), so the benchmark measures the
# code production runs and compiles whatever production compiles.
RUSTFLAGS="--cfg erase_components" cargo bench --features ssr --bench roster

# BENCH_ONLY=sign-in, table, flood, paths, audit, permissions, load, matrix, org-chart, browser or lighthouse runs that part alone, without the bundle.
# BENCH_USERS=1000000 seeds a million users instead of 100,000; BENCH_DATABASE=<name>
# measures a database seeded before (`roster seed --admin-password Bench-Admin-1!`,
# any password: the benchmark sets its own) without seeding or dropping it.
if [ -n "${BENCH_ONLY:-}" ]; then exit 0; fi

echo "==> release build of the WASM bundle, as production is built (make release)"
scripts/release.sh >/dev/null 2>&1 || scripts/release.sh
# The release names each file by its content hash (target/release/hash.txt).
hash_of() { sed -n "s/^$1: //p" target/release/hash.txt; }
wasm=target/release/site/pkg/roster.$(hash_of wasm).wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo
echo "## Release WASM bundle"
echo
# Bytes first: "400 KB" read as 400,000 bytes is the stricter goal.
js=target/release/site/pkg/roster.$(hash_of js).js
js_raw=$(stat -c %s "$js")
js_gz=$(gzip -9 -c "$js" | wc -c)
echo "| file | raw bytes | gzip -9 bytes | gzip -9 KB (1000) | gzip -9 KiB (1024) |"
echo "|---|---:|---:|---:|---:|"
echo "| roster.wasm | $raw | $gz | $((gz / 1000)) | $((gz / 1024)) |"
echo "| roster.js | $js_raw | $js_gz | $((js_gz / 1000)) | $((js_gz / 1024)) |"
echo
# The pages split out of the main bundle (lazy routes, `--split`): fetched
# only when such a page is shown. /settings/users loads none of them (it
# stays in the main bundle), so roster.wasm + roster.js above are what it
# needs before it is interactive.
lazy_files=$(ls target/release/site/pkg/split___*.wasm target/release/site/pkg/chunk_*.wasm 2>/dev/null || true)
if [ -n "$lazy_files" ]; then
  lazy_gz=0
  for f in $lazy_files; do lazy_gz=$((lazy_gz + $(gzip -9 -c "$f" | wc -c))); done
  echo "Split out (lazy pages: sign-in, sign-up, activation, account, mailbox): $(echo "$lazy_files" | wc -l) files, $lazy_gz bytes gzip -9 in all, none of them loaded by /settings/users."
  echo
fi
echo "What the server sends (the build's precompressed twins):"
echo
echo "| file | bytes |"
echo "|---|---:|"
for f in "$wasm" "$wasm.br" "$wasm.gz" "$js.br" "$js.gz"; do
  if [ -f "$f" ]; then echo "| $(basename "$f") | $(stat -c %s "$f") |"; else echo "| $(basename "$f") | missing |"; fi
done
