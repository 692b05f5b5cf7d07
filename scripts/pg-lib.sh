# Shared by the scripts that need PostgreSQL: find one, or start a throwaway one.
# After `pg_find_or_start`, PG_URL is a server URL (database "postgres") or empty.

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts a PostgreSQL server in a temporary folder, owned by the postgres user when run as root
# (initdb refuses root). Sets PG_URL and PG_THROWAWAY_DIR; `pg_stop_throwaway` removes it.
pg_start_throwaway() {
  local bin port dir run
  bin=$(pg_bin) || return 1
  [ -n "$bin" ] || return 1
  port=$(pg_free_port)
  dir=$(mktemp -d /tmp/ccm-pg.XXXXXX)
  run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || return 1
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || return 1
  PG_THROWAWAY_DIR=$dir
  PG_THROWAWAY_RUN="${run[*]}"
  PG_THROWAWAY_BIN=$bin
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

pg_stop_throwaway() {
  if [ -n "${PG_THROWAWAY_DIR:-}" ]; then
    $PG_THROWAWAY_RUN "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_THROWAWAY_DIR"
    PG_THROWAWAY_DIR=""
  fi
}

pg_find_or_start() {
  PG_URL=${TEST_DATABASE_URL:-}
  if [ -z "$PG_URL" ]; then
    pg_start_throwaway || PG_URL=""
  fi
}
