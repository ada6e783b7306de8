# Shared by postgres.sh and redis.sh, which source it: the checks before a throwaway server starts.
# They set PORT (its port on 127.0.0.1), DATA (its directory) and MARK (the file that says this module made it).

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
