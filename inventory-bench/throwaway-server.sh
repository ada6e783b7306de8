# Shared by postgres.sh and redis.sh, which source it: the checks before a throwaway server starts, and
# the command line they share. They set PORT (its port on 127.0.0.1), DATA (its directory), MARK (the file
# that says this module made it) and URL (the address they print).

# True when something listens on 127.0.0.1:$PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

# Refuses (exit 4) a taken port or a directory this module did not make, then makes $DATA anew, empty.
# $1: the script's name; $2 and $3: the environment variables that choose another port and directory.
fresh_server_dir() {
  if port_open; then
    echo "$1: port $PORT on 127.0.0.1 is taken by another process; choose another with $2" >&2
    exit 4
  fi
  if [[ -e "$DATA" && ! -f "$DATA/$MARK" && -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
    echo "$1: $DATA exists and is not a directory this script made; remove it or set $3" >&2
    exit 4
  fi
  rm -rf "$DATA"
  mkdir -p "$DATA"
}

# The scripts' command line: start|url|status|stop. The sourcing script defines running (is its server up?),
# start_server (start it in the fresh $DATA, print what started) and stop_server (stop it; $DATA is removed
# after, if this module made it).
# $1: the server's name in messages; $2: the script's name; $3 and $4: as for fresh_server_dir; then the
# script's own arguments.
server_main() {
  local name="$1" script="$2" port_var="$3" dir_var="$4"
  shift 4
  case "${1:-}" in
    start)
      if running; then
        echo "$name already running in $DATA"
        echo "$URL"
        exit 0
      fi
      fresh_server_dir "$script" "$port_var" "$dir_var"
      start_server
      echo "$URL"
      ;;
    url)
      echo "$URL"
      ;;
    status)
      if running; then echo "running in $DATA on 127.0.0.1:$PORT"; echo "$URL"; else echo "not running"; exit 1; fi
      ;;
    stop)
      if running; then stop_server; fi
      if [[ -f "$DATA/$MARK" ]]; then rm -rf "$DATA"; fi
      echo "stopped; $DATA removed"
      ;;
    *)
      echo "usage: $0 start|stop|status|url" >&2
      exit 64
      ;;
  esac
}
