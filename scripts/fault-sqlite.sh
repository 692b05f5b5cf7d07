#!/usr/bin/env bash
# Fault test: the server is killed (SIGKILL, no shutdown) under write load on SQLite and started
# again on the same file. Every acknowledged referral must survive, the file must pass
# PRAGMA integrity_check, and the restarted server must serve the same clients again.
set -euo pipefail
cd "$(dirname "$0")/.."

${CARGO:-cargo} build -q -p ccm-api
bin=${CARGO_TARGET_DIR:-target}/debug/ccm
work=$(mktemp -d /tmp/ccm-fault-sqlite.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
db="sqlite://$work/ccm.db"
server=""
load=""
cleanup() {
  set +e
  [ -n "$load" ] && kill "$load" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }

serve() { # log name; returns once the server is ready
  DATABASE_URL=$db CCM_BIND=127.0.0.1:$port CCM_DOCUMENT_DIR="$work/docs" CCM_AUTH_RATE_PER_MINUTE=10000 RUST_LOG=warn \
    "$bin" serve --seed-demo >"$work/$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do
    curl -sf "$base/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server did not become ready:"; cat "$work/$1.log"; exit 1
}
rows() { python3 -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); print(*d.execute("SELECT (SELECT count(*) FROM providers), (SELECT count(*) FROM users)").fetchone())' "$work/ccm.db"; }

serve first
seeded=$(rows)
python3 scripts/fault_load.py load "$work/results" "$base" &
load=$!
sleep 3
echo "fault $(now)" >"$work/marks"
kill -KILL "$server"
wait "$server" 2>/dev/null || true
serve second
echo "recover $(now)" >>"$work/marks"
sleep 8
kill -TERM "$load"; wait "$load"; load=""

status=0
[ "$(rows)" = "$seeded" ] || { echo "VIOLATION: the restarted server seeded again ($seeded -> $(rows))"; status=1; }
kill -0 "$server" 2>/dev/null || { echo "VIOLATION: the restarted server exited"; status=1; }
# The server is still running: the check reads the file as a second process would.
python3 scripts/fault_load.py check "$work/results" "$work/marks" "$db" down || status=1
if [ $status -ne 0 ]; then
  echo "fault-sqlite FAILED; server log tails:"
  tail -n 5 "$work"/first.log "$work"/second.log
  exit 1
fi
echo "fault-sqlite passed"
