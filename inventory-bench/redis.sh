#!/usr/bin/env bash
# A throwaway Redis server for the benchmarks' Redis peer, from the operating system's package
# (Debian/Ubuntu: apt-get install redis-server; Redis 7.0 on these machines).
#
#   inventory-bench/redis.sh start    # start on 127.0.0.1 with a fresh working directory
#   inventory-bench/redis.sh url      # print the address to pass as -Dbench.redis=...
#   inventory-bench/redis.sh status
#   inventory-bench/redis.sh stop     # stop the server and delete its working directory
#
# Settings (environment): BENCH_REDIS_PORT (default 56379), BENCH_REDIS_DIR (default /tmp/inventory-bench-redis),
# BENCH_REDIS_SERVER (the redis-server program; default: the one on PATH).
# The server listens on 127.0.0.1 only, has no password (it holds nothing but benchmark keys) and otherwise
# keeps Redis's built-in defaults (no config file is read): RDB snapshots now and then, no append-only file,
# so no write waits for a disk. It runs in the background, apart from any system redis-server service, with
# its pid file, log and snapshots in its own directory.
set -euo pipefail

PORT="${BENCH_REDIS_PORT:-56379}"
DATA="${BENCH_REDIS_DIR:-/tmp/inventory-bench-redis}"
MARK=.made-by-inventory-bench
URL="redis://127.0.0.1:${PORT}"
source "$(dirname "${BASH_SOURCE[0]}")/throwaway-server.sh"

SERVER="${BENCH_REDIS_SERVER:-$(command -v redis-server || true)}"
if [[ -z "$SERVER" || ! -x "$SERVER" ]]; then
  echo "redis.sh: Redis is not installed (no redis-server on PATH)." >&2
  echo "  Debian/Ubuntu: apt-get install redis-server   (then run this script again)" >&2
  exit 3
fi

pid() {
  [[ -f "$DATA/redis.pid" ]] && cat "$DATA/redis.pid"
}

running() {
  local p
  p="$(pid 2>/dev/null || true)"
  [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null
}

start_server() {
  touch "$DATA/$MARK"
  "$SERVER" --bind 127.0.0.1 --port "$PORT" --dir "$DATA" --daemonize yes \
    --pidfile "$DATA/redis.pid" --logfile "$DATA/redis.log" \
    || { cat "$DATA/redis.log" >&2 2>/dev/null; exit 6; }
  for _ in $(seq 1 100); do
    if port_open; then break; fi
    sleep 0.1
  done
  if ! port_open; then
    echo "redis.sh: the server did not open port $PORT" >&2
    cat "$DATA/redis.log" >&2
    exit 6
  fi
  echo "Redis $("$SERVER" --version | awk '{print $3}' | sed 's/^v=//') started in $DATA on 127.0.0.1:$PORT"
}

stop_server() {
  local p
  p="$(pid)"
  kill "$p"
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
}

server_main Redis redis.sh BENCH_REDIS_PORT BENCH_REDIS_DIR "$@"
