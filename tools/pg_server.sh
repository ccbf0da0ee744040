#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests (CI and developers): a fresh cluster in a temp dir, on a free port.
#
#   eval "$(tools/pg_server.sh start)"   # starts it; prints export lines: BIZTEL_TEST_POSTGRES_URL, BIZTEL_PG_DIR
#   tools/pg_server.sh stop "$BIZTEL_PG_DIR"
#
# Uses the Debian/Ubuntu `postgresql` package (binaries in /usr/lib/postgresql/<version>/bin, default 15; set
# PG_BIN to use others). The server runs as the `postgres` user when started by root (PostgreSQL refuses to run
# as root), listens on 127.0.0.1 only, trusts local connections (no password: a test server, never data), and
# trades durability for speed (fsync off). The URL names a database `biztel_test` the tests may use as they like.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL binaries not found (install the postgresql package or set PG_BIN)" >&2; exit 2; }

as_owner() {  # run a command as the cluster's owner: postgres when we are root, else ourselves
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/biztel-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "'$PG_BIN/initdb' -D '$dir/data' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "'$PG_BIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 start \
      -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
          -c full_page_writes=off -c max_connections=200\" >/dev/null" \
      || { cat "$dir/server.log" >&2; exit 1; }
    "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE biztel_test" >/dev/null
    echo "export BIZTEL_PG_DIR=$dir"
    echo "export BIZTEL_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$port/biztel_test"
    ;;
  stop)
    dir=${2:-${BIZTEL_PG_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "usage: $0 stop DIR (the BIZTEL_PG_DIR printed by start)" >&2; exit 2; }
    as_owner "'$PG_BIN/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: eval \"\$($0 start)\"  |  $0 stop DIR" >&2
    exit 2
    ;;
esac
