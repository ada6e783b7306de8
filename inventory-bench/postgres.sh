#!/usr/bin/env bash
# A throwaway PostgreSQL server for the benchmarks' SQL peer, from the operating system's package
# (Debian/Ubuntu: apt-get install postgresql; PostgreSQL 15 on these machines).
#
#   inventory-bench/postgres.sh start    # initdb into a fresh data directory, start on 127.0.0.1, create the database
#   inventory-bench/postgres.sh url      # print the JDBC URL to pass as -Dbench.postgres=...
#   inventory-bench/postgres.sh status
#   inventory-bench/postgres.sh stop     # stop the server and delete the data directory
#
# Settings (environment): BENCH_PG_PORT (default 55432), BENCH_PG_DIR (default /tmp/inventory-bench-pg),
# BENCH_PG_BIN (the directory of initdb and pg_ctl; default: the newest /usr/lib/postgresql/*/bin).
# The server listens on 127.0.0.1 only, trusts local connections (no password: it holds nothing but
# benchmark tables) and otherwise keeps PostgreSQL's stock configuration: a commit waits for its WAL flush.
# initdb and pg_ctl refuse to run as root; as root this script runs them as the 'postgres' user.
set -euo pipefail

PORT="${BENCH_PG_PORT:-55432}"
DATA="${BENCH_PG_DIR:-/tmp/inventory-bench-pg}"
DB=inventory_bench
MARK=.made-by-inventory-bench
URL="jdbc:postgresql://127.0.0.1:${PORT}/${DB}?user=postgres"

find_bin() {
  if [[ -n "${BENCH_PG_BIN:-}" ]]; then echo "$BENCH_PG_BIN"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return; fi
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(command -v pg_ctl)"; return; fi
  echo "postgres.sh: PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH)." >&2
  echo "  Debian/Ubuntu: apt-get install postgresql   (then run this script again)" >&2
  exit 3
}

# Runs a PostgreSQL program as the server's owner: 'postgres' when we are root, else ourselves.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [[ -f "$DATA/postmaster.pid" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

BIN="$(find_bin)"
source "$(dirname "${BASH_SOURCE[0]}")/throwaway-server.sh"

start_server() {
  if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$DATA"; fi
  chmod 700 "$DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C >"$DATA.initdb.log" 2>&1 \
    || { cat "$DATA.initdb.log" >&2; exit 5; }
  rm -f "$DATA.initdb.log"
  as_owner touch "$DATA/$MARK"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA" start >/dev/null \
    || { cat "$DATA/server.log" >&2; exit 6; }
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
  echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') started in $DATA on 127.0.0.1:$PORT, database $DB"
}

stop_server() {
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
}

server_main PostgreSQL postgres.sh BENCH_PG_PORT BENCH_PG_DIR "$@"
