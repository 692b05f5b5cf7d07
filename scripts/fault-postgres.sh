#!/usr/bin/env bash
# Fault test: PostgreSQL restarts under write load. Two servers share one throwaway database;
# eight clients create referrals through both; PostgreSQL stops for about 6 s and comes back.
# While it is away every failure must be a 503 problem (no 500, no hang, no server exit); both
# servers must serve again soon after; every acknowledged referral must be in the database.
# Then PostgreSQL restarts once more with the servers idle, and no request may fail after it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-lib.sh

${CARGO:-cargo} build -q -p ccm-api
bin=${CARGO_TARGET_DIR:-target}/debug/ccm
work=$(mktemp -d /tmp/ccm-fault-pg.XXXXXX)
servers=()
load=""
cleanup() {
  set +e
  [ -n "$load" ] && kill "$load" 2>/dev/null
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  pg_stop_throwaway
  rm -rf "$work"
}
trap cleanup EXIT

if ! pg_start_throwaway; then
  echo "################################################################################"
  echo "## fault-postgres SKIPPED: it needs local PostgreSQL binaries (initdb, pg_ctl) for"
  echo "## a throwaway server it can stop; it never stops a server it did not start."
  echo "################################################################################"
  exit 0
fi
pg_ctl() { $PG_THROWAWAY_RUN "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" "$@" >/dev/null; }
# Same port and data folder on restart: the servers reconnect to the address they were given.
pg_port=${PG_URL##*:}
pg_port=${pg_port%%/*}
pg_opts="-p $pg_port -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
now() { date +%s.%N; }

serve() { # number (0, 1); sets base once the server is ready
  local port
  port=$(pg_free_port)
  DATABASE_URL=$PG_URL CCM_BIND=127.0.0.1:$port CCM_DOCUMENT_DIR="$work/docs" CCM_AUTH_RATE_PER_MINUTE=10000 RUST_LOG=warn \
    "$bin" serve --seed-demo >"$work/$1.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && { base="http://127.0.0.1:$port"; return 0; }
    kill -0 "${servers[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "server $1 did not become ready:"; cat "$work/$1.log"; exit 1
}

serve 0; base0=$base
rows() { psql -Atq "$PG_URL" -c "SELECT (SELECT count(*) FROM providers) || ' ' || (SELECT count(*) FROM users)"; }
seeded=$(rows)
# The second server, also told to seed, must find the data there and start without loading it again.
serve 1; base1=$base
[ "$(rows)" = "$seeded" ] || { echo "VIOLATION: server 1 seeded again (providers, users: $seeded -> $(rows))"; exit 1; }

python3 scripts/fault_load.py load "$work/results" "$base0" "$base1" &
load=$!
sleep 3
echo "fault $(now)" >"$work/marks"
pg_ctl stop -m fast
sleep 0.5
# Readiness must say so too. It waits for a connection as long as a request does (5 s), so it
# is asked early enough to answer before PostgreSQL is back.
for i in 0 1; do
  url=base$i
  curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 10 "${!url}/readyz" >"$work/ready$i" &
done
sleep 5.5
pg_ctl -w -o "$pg_opts" -l "$PG_THROWAWAY_DIR/log" start
echo "recover $(now)" >>"$work/marks"
sleep 10
kill -TERM "$load"; wait "$load"; load=""

status=0
for i in 0 1; do
  ready=$(cat "$work/ready$i")
  [ "$ready" = "503 application/problem+json" ] || { echo "VIOLATION: server $i's /readyz said \"$ready\" while PostgreSQL was down"; status=1; }
  kill -0 "${servers[$i]}" 2>/dev/null || { echo "VIOLATION: server $i exited"; status=1; }
done
python3 scripts/fault_load.py check "$work/results" "$work/marks" "$PG_URL" 503 || status=1

# A restart while the servers are idle leaves every pooled connection dead without any request
# noticing; the next requests must still succeed (more of them than a pool holds).
pg_ctl -w -m fast -o "$pg_opts" -l "$PG_THROWAWAY_DIR/log" restart
sleep 1
echo "PostgreSQL restarted while idle:"
python3 scripts/fault_load.py probe 12 "$base0" "$base1" || { echo "VIOLATION: failures after an idle restart"; status=1; }
if [ $status -ne 0 ]; then
  echo "fault-postgres FAILED; server log tails:"
  tail -n 5 "$work"/0.log "$work"/1.log
  exit 1
fi
echo "fault-postgres passed"
