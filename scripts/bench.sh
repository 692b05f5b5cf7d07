#!/usr/bin/env bash
# make bench: a release build on SQLite and (where available) PostgreSQL, loaded with wrk from
# 127.0.0.1 only, each run bounded in time. Prints req/s, p50, p99, the ratio of each to
# /healthz in the same run, and the server's peak RSS; writes the table to bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-lib.sh

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk; fi
fi
${CARGO:-cargo} build --release -q -p ccm-api
bin=${CARGO_TARGET_DIR:-target}/release/ccm
work=$(mktemp -d /tmp/ccm-bench.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "${bench_db:-}" ] && psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1
  pg_stop_throwaway
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/quote.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("QUOTE_BODY")
LUA

# wrk's latency text ("1.23ms", "850.00us", "1.02s") in milliseconds.
to_ms() { python3 -c 'import sys,re; v=sys.argv[1]; n,u=re.match(r"([\d.]+)(\w+)",v).groups(); print(round(float(n)*{"us":0.001,"ms":1,"s":1000,"m":60000}[u],2))' "$1"; }

run_wrk() { # name, then wrk arguments
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  echo "$name|$rps|$p50|$p99|${errors:-0}" >>"$work/results"
}

bench_backend() { # label, DATABASE_URL
  local label=$1 url=$2 port base token centre
  port=$(pg_free_port)
  base="http://127.0.0.1:$port"
  DATABASE_URL=$url CCM_BIND=127.0.0.1:$port RUST_LOG=warn "$bin" serve --seed-demo >"$work/$label.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1
  local idle_kb
  idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
  token=$(curl -sf -X POST "$base/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"email":"coordinator@cl.example.org","password":"demo-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  centre=$(curl -sf "$base/v1/centres?town=chatham" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  : >"$work/results"
  run_wrk "GET /healthz" "$base/healthz"
  run_wrk "GET /v1/centres/{id}" "$base/v1/centres/$centre"
  run_wrk "GET /v1/me (authenticated)" -H "Authorization: Bearer $token" "$base/v1/me"
  QUOTE_BODY="{\"centre_id\":\"$centre\",\"service_type\":\"supervised\",\"sessions\":6,\"hours_per_session\":2}" \
    run_wrk "POST /v1/quotes" -s "$work/quote.lua" "$base/v1/quotes"
  local peak_kb
  peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  python3 - "$label" "$idle_kb" "$peak_kb" "$work/results" <<'PY' | tee -a "$work/table.md"
import sys
label, idle_kb, peak_kb, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [line.strip().split("|") for line in open(path) if line.strip()]
base = float(rows[0][1])
print(f"\n**{label}** (idle RSS {idle_kb/1024:.1f} MB, peak RSS {peak_kb/1024:.1f} MB)\n")
print("| endpoint | req/s | p50 ms | p99 ms | req/s vs /healthz | non-2xx |")
print("|---|---:|---:|---:|---:|---:|")
for name, rps, p50, p99, errors in rows:
    print(f"| {name} | {float(rps):,.0f} | {p50} | {p99} | {float(rps)/base:.2f} | {errors} |")
PY
}

{
  echo "ccm bench, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);"
  echo "wrk -t2 -c$CONNECTIONS -d$DURATION on 127.0.0.1, release build, server and load on the same machine."
} | tee "$work/table.md"
bench_backend "SQLite" "sqlite://$work/bench.db"
pg_find_or_start
if [ -n "$PG_URL" ]; then
  bench_db="ccm_bench_$$"
  psql -q "$PG_URL" -c "CREATE DATABASE $bench_db" >/dev/null
  base_url=${PG_URL%%\?*}
  bench_backend "PostgreSQL" "${base_url%/*}/$bench_db"
else
  echo "PostgreSQL bench skipped: no TEST_DATABASE_URL and no local PostgreSQL binaries" | tee -a "$work/table.md"
fi
mkdir -p bench-results
cp "$work/table.md" "bench-results/$(date -u +%Y%m%dT%H%M%S).md"
