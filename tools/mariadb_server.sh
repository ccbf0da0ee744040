#!/usr/bin/env bash
# A throw-away MariaDB server for tests, like tools/pg_server.sh: a fresh data dir in /tmp, on a free port.
#
#   eval "$(tools/mariadb_server.sh start)"   # prints export lines: BIZTEL_TEST_MARIADB_URL, BIZTEL_MARIADB_DIR
#   tools/mariadb_server.sh stop "$BIZTEL_MARIADB_DIR"
#
# Uses Debian's `mariadb-server` package (mariadb-install-db, mariadbd). Listens on 127.0.0.1 only; the user `biztel`
# (no password: a test server, never data) owns the database `biztel_test`. No application code uses it yet.
set -euo pipefail

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/biztel-mariadb.XXXXXX)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mariadb-install-db --datadir="$dir/data" --user="$(id -un)" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    mariadbd --no-defaults --datadir="$dir/data" --user="$(id -un)" --port="$port" --bind-address=127.0.0.1 \
      --socket="$dir/mysql.sock" --pid-file="$dir/mariadbd.pid" --innodb-flush-log-at-trx-commit=0 \
      --skip-log-bin >"$dir/server.log" 2>&1 &
    for _ in $(seq 1 100); do
      mariadb --no-defaults -S "$dir/mysql.sock" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
      sleep 0.2
    done
    mariadb --no-defaults -S "$dir/mysql.sock" -uroot -e "
      CREATE DATABASE biztel_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
      CREATE USER 'biztel'@'127.0.0.1'; GRANT ALL ON *.* TO 'biztel'@'127.0.0.1';" \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export BIZTEL_MARIADB_DIR=$dir"
    echo "export BIZTEL_TEST_MARIADB_URL=mysql+pymysql://biztel@127.0.0.1:$port/biztel_test?charset=utf8mb4"
    ;;
  stop)
    dir=${2:-${BIZTEL_MARIADB_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "usage: $0 stop DIR (the BIZTEL_MARIADB_DIR printed by start)" >&2; exit 2; }
    if [ -f "$dir/mariadbd.pid" ]; then
      pid=$(cat "$dir/mariadbd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: eval \"\$($0 start)\"  |  $0 stop DIR" >&2
    exit 2
    ;;
esac
