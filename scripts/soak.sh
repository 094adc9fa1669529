#!/usr/bin/env bash
# `make soak`: the slow proofs of issue 17, bounded in rounds and time, all
# traffic on 127.0.0.1. Not part of `make test`.
#   1. The fault tests of tests/it/fleet.rs (two instances on one database,
#      SIGKILL mid-delivery, PostgreSQL stopped and started under load,
#      SIGTERM under load), SOAK_ROUNDS times (default 5): a flaky fault
#      test fails here rather than once in a while in CI.
#   2. The load benchmark against the release binary for SOAK_SECONDS
#      (default 600): 200 signed-in admins on 100,000 users, its errors,
#      latencies and the server's peak RSS (a leak shows as growth over a
#      long run against the 60 s figure).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
rounds=${SOAK_ROUNDS:-5}
seconds=${SOAK_SECONDS:-600}

scripts/tools.sh build test
pg_port=${ROSTER_TEST_PG_PORT:-54339}
cleanup() { status=$?; scripts/pg.sh stop test; exit $status; }
trap cleanup EXIT INT TERM
scripts/pg.sh start test "$pg_port"
export DATABASE_URL="postgres://roster@127.0.0.1:$pg_port/roster"
export LEPTOS_OUTPUT_NAME=roster LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
for round in $(seq 1 "$rounds"); do
  echo "==> fault tests, round $round of $rounds"
  RUSTFLAGS="--cfg erase_components" cargo nextest run --features ssr --test-threads=2 fleet:: process::
done
scripts/pg.sh stop test
trap - EXIT INT TERM

echo "==> load against the release binary for $seconds s"
# The benchmark starts its own cluster (target/pg-bench) when DATABASE_URL is unset.
env -u DATABASE_URL BENCH_ONLY=load LOAD_SECONDS="$seconds" scripts/bench.sh
