#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests, in a folder of its
# own (under target/) on its own port and socket directory.
#
#   scripts/pg.sh start <name> <port>   initdb on first use, start, create database "roster"
#   scripts/pg.sh stop  <name>          stop it (the data stays for the next run)
#   scripts/pg.sh url   <name> <port>   a DATABASE_URL through its Unix socket
#
# initdb refuses to run as root, so as root the cluster runs as the
# "postgres" user. The server binaries come from Debian's postgresql package,
# installed when missing.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop <name> [port]}
name=${2:?cluster name}
port=${3:-54329}

root="$(pwd)/target/pg-$name"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(find_bin)" ] || [ ! -x "$(find_bin)/initdb" ]; then
    echo "==> installing PostgreSQL (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
}

# As root, the postgres user must be able to reach the data folder. When the
# checkout lives somewhere it cannot enter, the cluster moves to /tmp.
pick_root() {
  mkdir -p "$root"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$root"
    if ! runuser -u postgres -- test -w "$root"; then
      root="/tmp/roster-pg-$name-$(pwd | md5sum | cut -c1-8)"
      mkdir -p "$root" && chown postgres "$root"
    fi
  fi
  data="$root/data"
  sock="$root/sock"
}

case "$cmd" in
  start)
    ensure_postgres
    bin=$(find_bin)
    pick_root
    as_pg mkdir -p "$sock"
    if [ ! -f "$data/PG_VERSION" ]; then
      echo "==> initdb $data"
      as_pg "$bin/initdb" -D "$data" -U roster --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      extra=""
      # The test cluster trades durability for speed: it is thrown away.
      [ "$name" = test ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      # The benchmark's cluster is sized as production would be (PostgreSQL's
      # guidance: a quarter of RAM): a million users' table and indexes fit
      # in its buffers, so a search that visits 60,000 rows reads memory,
      # not the kernel's page cache (measured: 120 -> 55 ms for "smi").
      [ "$name" = bench ] && extra="-c shared_buffers=${BENCH_SHARED_BUFFERS:-2GB}"
      as_pg "$bin/pg_ctl" -D "$data" -l "$root/postgres.log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=300 $extra" start >/dev/null
    fi
    if ! as_pg "$bin/psql" -h "$sock" -p "$port" -U roster -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'roster'" | grep -q 1; then
      as_pg "$bin/createdb" -h "$sock" -p "$port" -U roster roster
    fi
    echo "==> PostgreSQL ($name) on 127.0.0.1:$port"
    ;;
  stop)
    bin=$(find_bin)
    pick_root
    if [ -f "$data/PG_VERSION" ]; then
      as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  url)
    # The socket skips the loopback TCP stack: on a machine that runs the
    # app and PostgreSQL side by side, that is measurably less CPU per query.
    pick_root
    echo "postgres://roster@localhost/roster?host=$sock&port=$port"
    ;;
  psql)
    bin=$(find_bin)
    pick_root
    shift 3 || true
    as_pg "$bin/psql" -h "$sock" -p "$port" -U roster "$@"
    ;;
  *)
    echo "usage: pg.sh start|stop|url|psql <name> <port>" >&2
    exit 2
    ;;
esac
