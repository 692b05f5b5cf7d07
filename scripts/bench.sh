#!/usr/bin/env bash
# make bench: a release build on SQLite and (where available) PostgreSQL, loaded with wrk from
# 127.0.0.1 only, each run bounded in time. Prints req/s, p50, p99, the ratio of each to
# /healthz in the same run, the SQL statements each request took (from /metrics), and the
# server's peak RSS; writes the table to bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-lib.sh

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk; fi
fi
work=$(mktemp -d /tmp/ccm-bench.XXXXXX)
# CCM_BIN: a binary to measure as given; by default a fresh release build, copied at once into
# the run's folder so that another build sharing the target folder cannot swap it mid-run.
if [ -n "${CCM_BIN:-}" ]; then
  bin=$CCM_BIN
else
  ${CARGO:-cargo} build --release -q -p ccm-api
  cp "${CARGO_TARGET_DIR:-target}/release/ccm" "$work/ccm"
  bin=$work/ccm
fi
echo "measuring $bin ($("$bin" --version 2>/dev/null || echo "version unknown"))"
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

# Referral create: the same valid staff body each time (each request a new referral, with its
# parties, its fee line and its audit row).
cat >"$work/refer.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("REFER_TOKEN")
wrk.body = os.getenv("REFER_BODY")
LUA

cat >"$work/seed_year.py" <<'PY'
import datetime as dt, json, sqlite3, subprocess, sys, urllib.request, uuid
base, url, token = sys.argv[1:4]

def api(path, body=None, bearer=token):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

def last_sunday(year, month):
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)

def utc(day, hhmm):  # daytime London wall-clock time to UTC text, as diesel stores it
    bst = last_sunday(day.year, 3) <= day < last_sunday(day.year, 10)
    at = dt.datetime.combine(day, dt.time(*map(int, hhmm.split(":")))) - dt.timedelta(hours=bst)
    return at.strftime("%Y-%m-%d %H:%M:%S")

admin = api("/v1/auth/token", {"email": "orgadmin@cl.example.org", "password": "demo-password-2026"})["access_token"]
supervisor = next(u["id"] for u in api("/v1/users?role=supervisor&limit=200", bearer=admin)["items"]
                  if u["email"] == "supervisor@cl.example.org")
provider = next(p["id"] for p in api("/v1/providers")["items"] if p["name"].startswith("CL"))
centres = api(f"/v1/centres?provider={provider}&limit=200")["items"]
rooms = {c["id"]: {r["name"]: r["id"] for r in api(f"/v1/centres/{c['id']}/rooms")["items"]} for c in centres}
chatham = next(c["id"] for c in centres if c["address"]["town"] == "Chatham")
adult = lambda name, email: {"given_name": name, "family_name": "Bench", "contact": {"email": email}}
referral = api("/v1/referrals", {"centre_id": chatham, "service_type": "supervised",
    "referrer": {"kind": "solicitor", "name": "Jo Brief", "email": "jo@brief.example"},
    "resident_parent": adult("Ann", "ann@bench.example"), "non_resident_parent": adult("Bob", "bob@bench.example"),
    "children": [{"given_name": "Cal", "family_name": "Bench", "date_of_birth": "2019-04-01"}],
    "risk": {"domestic_abuse": "none"}})["id"]

rows = []
def session(centre, service, room, sup, day, start, end):
    rows.append((str(uuid.uuid4()), referral, centre, service, room, sup, utc(day, start), utc(day, end)))

today = dt.date.today()
saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7)
for week in range(52):
    sat, wed = saturday + dt.timedelta(weeks=week), saturday + dt.timedelta(weeks=week, days=4)
    session(chatham, "supervised", rooms[chatham]["Family Room 1"], supervisor, sat, "10:00", "12:00")
    if week % 2:
        session(chatham, "supervised", rooms[chatham]["Family Room 2"], supervisor, sat, "13:00", "15:00")
    session(chatham, "supervised", rooms[chatham]["Family Room 1"], supervisor, wed, "16:30", "18:30")
    for centre, named in rooms.items():
        if "Main Hall" in named:
            for start, end in [("10:00", "12:00")] * 5 + [("11:00", "13:00")] * 2:
                session(centre, "supported", named["Main Hall"], None, sat, start, end)

# Eight supported families at Ashford for the booking bench, made active directly (the bench
# measures booking, not the months of casework before it).
ashford = next(c["id"] for c in centres if c["address"]["town"] == "Ashford")
families = [api("/v1/referrals", {"centre_id": ashford, "service_type": "supported",
    "referrer": {"kind": "solicitor", "name": "Jo Brief", "email": "jo@brief.example"},
    "resident_parent": adult("Ann", f"ann{n}@bench.example"), "non_resident_parent": adult("Bob", f"bob{n}@bench.example"),
    "children": [{"given_name": "Cal", "family_name": "Bench", "date_of_birth": "2019-04-01"}],
    "risk": {"domestic_abuse": "none"}})["id"] for n in range(8)]

now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
sql = ("INSERT INTO sessions (id, referral_id, centre_id, service_type, room_id, supervisor_id, starts_at, ends_at,"
       " status, version, created_by, created_at, updated_at) VALUES ")
quoted = lambda v: f"'{v}'" if v else "NULL"
values = [f"({', '.join(map(quoted, row))}, 'confirmed', 1, '{supervisor}', '{now}', '{now}')" for row in rows]
activate = "".join(f"UPDATE referrals SET status = 'active', activated_on = '{today}' WHERE id = '{f}';\n" for f in families)
script = "BEGIN;\n" + "".join(f"{sql}{v};\n" for v in values) + activate + "COMMIT;\n"
if url.startswith("sqlite://"):
    db = sqlite3.connect(url[len("sqlite://"):], timeout=30)
    db.executescript(script)
    db.close()
else:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=script, text=True, check=True,
                   stdout=subprocess.DEVNULL)
print(provider)
print(",".join(families))
print(rooms[ashford]["Main Hall"])
print(referral)
print(ashford)
print(supervisor)
print(f"seeded {len(rows)} sessions", file=sys.stderr)
PY

# 100,000 past sessions in one room (two parties each), generated by the database itself in
# one statement per table: a room's long history, which a clash check must not read.
cat >"$work/seed_past.py" <<'PY'
import datetime as dt, sqlite3, subprocess, sys
url, room, referral, centre, user = sys.argv[1:6]
count = 100_000
now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
# Two-hour sessions every two hours back from yesterday 10:00: about 23 years of history.
base = (dt.date.today() - dt.timedelta(days=1)).strftime("%Y-%m-%d 10:00:00")
cols = ("INSERT INTO sessions (id, referral_id, centre_id, service_type, room_id, starts_at, ends_at,"
        " status, version, created_by, created_at, updated_at) ")
fixed = f"'{referral}', '{centre}', 'supported', '{room}'"
tail = f"'completed', 1, '{user}', '{now}', '{now}'"
parties = ("INSERT INTO session_parties (session_id, party, expected_arrival, expected_departure, no_show)"
           " SELECT s.id, p.party, s.starts_at, s.ends_at, FALSE FROM sessions s,"
           " (SELECT 'resident_parent' AS party UNION ALL SELECT 'non_resident_parent') p"
           " WHERE s.id LIKE 'past-%';\n")
if url.startswith("sqlite://"):
    script = (f"BEGIN;\n{cols}WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})"
              f" SELECT 'past-' || i, {fixed}, datetime('{base}', '-' || (2 * i) || ' hours'),"
              f" datetime('{base}', '-' || (2 * i - 2) || ' hours'), {tail} FROM n;\n{parties}COMMIT;\n")
    db = sqlite3.connect(url[len("sqlite://"):], timeout=30)
    db.executescript(script)
    db.close()
else:
    script = (f"BEGIN;\n{cols}SELECT 'past-' || i, {fixed}, TIMESTAMP '{base}' - (2 * i) * INTERVAL '1 hour',"
              f" TIMESTAMP '{base}' - (2 * i - 2) * INTERVAL '1 hour', {tail} FROM generate_series(1, {count}) i;\n"
              f"{parties}COMMIT;\nANALYZE sessions;\nANALYZE session_parties;\n")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=script, text=True, check=True,
                   stdout=subprocess.DEVNULL)
print(f"seeded {count} past sessions in one room", file=sys.stderr)
PY

# Booking: each request a new 15-minute supported session for one of eight families in
# Ashford's hall, on Saturdays from BOOK_FIRST_YEAR (each wrk thread in its own years, 30 apart),
# 10:00-15:00 UTC (inside opening hours in GMT and BST), with the full clash check and the shared
# plan. Two runs with first years 15 apart book distinct slots.
cat >"$work/book.lua" <<'LUA'
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local cases, room, token = {}, os.getenv("BOOK_ROOM"), os.getenv("BOOK_TOKEN")
for id in string.gmatch(os.getenv("BOOK_CASES"), "[^,]+") do cases[#cases + 1] = id end
local n = 0
request = function()
  n = n + 1
  local family = n % #cases
  local k = math.floor(n / #cases)
  local week, slot = math.floor(k / 20), k % 20
  local year = tonumber(os.getenv("BOOK_FIRST_YEAR")) + tid * 30
  local jan1 = os.time{year = year, month = 1, day = 1, hour = 12}
  local first_saturday = 1 + (7 - os.date("!*t", jan1).wday) % 7
  local day = os.date("!%Y-%m-%d", os.time{year = year, month = 1, day = first_saturday + 7 * week, hour = 12})
  local minutes = 600 + slot * 15
  local from = string.format("%sT%02d:%02d:00Z", day, math.floor(minutes / 60), minutes % 60)
  local to = string.format("%sT%02d:%02d:00Z", day, math.floor((minutes + 15) / 60), (minutes + 15) % 60)
  local body = string.format('{"starts_at":"%s","ends_at":"%s","room_id":"%s"}', from, to, room)
  return wrk.format("POST", "/v1/referrals/" .. cases[family + 1] .. "/sessions",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
LUA

# wrk's latency text ("1.23ms", "850.00us", "1.02s") in milliseconds.
to_ms() { python3 -c 'import sys,re; v=sys.argv[1]; n,u=re.match(r"([\d.]+)(\w+)",v).groups(); print("%.2f" % (float(n)*{"us":0.001,"ms":1,"s":1000,"m":60000}[u]))' "$1"; }

# The server's requests answered and SQL statements sent so far, /metrics itself left out.
counters() {
  curl -sf "$base/metrics" | awk '/^ccm_(http_requests|db_statements)_total\{/ && !/route="\/metrics"/ {
    if ($1 ~ /^ccm_http/) r += $NF; else s += $NF } END { printf "%d %d\n", r, s }'
}

run_wrk() { # name, then wrk arguments
  local name=$1; shift
  local out before after
  before=$(counters)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  after=$(counters)
  local per_request
  per_request=$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
    n = y[1] - x[1]; if (n > 0) printf "%.2f", (y[2] - x[2]) / n; else print "-" }')
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")
  if grep -q 'Socket errors' <<<"$out"; then echo "$name: $(grep 'Socket errors' <<<"$out")" >&2; fi
  echo "$name|$rps|$p50|$p99|${errors:-0}|$per_request" >>"$work/results"
}

bench_backend() { # label, DATABASE_URL
  local label=$1 url=$2 port base token centre
  port=$(pg_free_port)
  base="http://127.0.0.1:$port"
  # Tokens live the longest allowed (a day), so a longer BENCH_DURATION cannot outlast them; the
  # run logs in twice, well inside the auth endpoints' default rate limit.
  DATABASE_URL=$url CCM_BIND=127.0.0.1:$port RUST_LOG=warn CCM_ACCESS_TOKEN_TTL_SECS=86400 \
    "$bin" serve --seed-demo >"$work/$label.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1
  local idle_kb
  idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
  token=$(curl -sf -X POST "$base/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"email":"coordinator@cl.example.org","password":"demo-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  centre=$(curl -sf "$base/v1/centres?town=chatham" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  # A year of sessions for the availability search, written straight into the database: CL's
  # supervisor at Chatham every Saturday morning and Wednesday, and alternate Saturday
  # afternoons; seven families every Saturday in each CL supported centre's hall. Prints CL's
  # provider id.
  local seeded cases hall
  seeded=$(python3 "$work/seed_year.py" "$base" "$url" "$token")
  provider=$(sed -n 1p <<<"$seeded")
  cases=$(sed -n 2p <<<"$seeded")
  hall=$(sed -n 3p <<<"$seeded")
  local history_case=$(sed -n 4p <<<"$seeded") ashford=$(sed -n 5p <<<"$seeded") \
    supervisor=$(sed -n 6p <<<"$seeded")
  local from to
  from=$(date -u +%F)
  to=$(date -u -d '+364 days' +%F)
  : >"$work/results"
  run_wrk "GET /healthz" "$base/healthz"
  run_wrk "GET /v1/centres/{id}" "$base/v1/centres/$centre"
  run_wrk "GET /v1/me (authenticated)" -H "Authorization: Bearer $token" "$base/v1/me"
  QUOTE_BODY="{\"centre_id\":\"$centre\",\"service_type\":\"supervised\",\"sessions\":6,\"hours_per_session\":2}" \
    run_wrk "POST /v1/quotes" -s "$work/quote.lua" "$base/v1/quotes"
  run_wrk "GET /v1/centres/{id}/availability (supervised, a year)" -H "Authorization: Bearer $token" \
    "$base/v1/centres/$centre/availability?service=supervised&from=$from&to=$to&minutes=120"
  run_wrk "GET /v1/providers/{id}/availability (supported, 9 centres, a year)" -H "Authorization: Bearer $token" \
    "$base/v1/providers/$provider/availability?service=supported&from=$from&to=$to&minutes=120"
  BOOK_CASES=$cases BOOK_ROOM=$hall BOOK_TOKEN=$token BOOK_FIRST_YEAR=2028 \
    run_wrk "POST /v1/referrals/{id}/sessions (booking, clash check)" -s "$work/book.lua" "$base"
  # The same booking once the hall has 100,000 past sessions: the clash check reads a window of
  # the room's index, so the rate should stay within 10% of the row above.
  python3 "$work/seed_past.py" "$url" "$hall" "$history_case" "$ashford" "$supervisor"
  BOOK_CASES=$cases BOOK_ROOM=$hall BOOK_TOKEN=$token BOOK_FIRST_YEAR=2043 \
    run_wrk "POST /v1/referrals/{id}/sessions (booking, room with 100,000 past sessions)" \
    -s "$work/book.lua" "$base"
  # Referral create as CL's coordinator, then the list's first page (default page size) over
  # every referral the coordinator sees: the demo's, the seeded ones and those just created.
  local refer_body listed
  refer_body=$(python3 - "$centre" <<'PY'
import json, sys
adult = lambda name, email: {"given_name": name, "family_name": "Bench", "contact": {"email": email}}
print(json.dumps({"centre_id": sys.argv[1], "service_type": "supervised",
    "referrer": {"kind": "solicitor", "name": "Jo Brief", "email": "jo@brief.example"},
    "resident_parent": adult("Ann", "ann@bench.example"), "non_resident_parent": adult("Bob", "bob@bench.example"),
    "children": [{"given_name": "Cal", "family_name": "Bench", "date_of_birth": "2019-04-01"}],
    "risk": {"domestic_abuse": "none"}}))
PY
)
  curl -sf -o /dev/null -X POST "$base/v1/referrals" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$refer_body" || { echo "referral create refused" >&2; exit 1; }
  REFER_BODY=$refer_body REFER_TOKEN=$token \
    run_wrk "POST /v1/referrals (referral create)" -s "$work/refer.lua" "$base/v1/referrals"
  listed=$(python3 - "$base" "$token" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1:3]
count, cursor = 0, None
while True:
    url = base + "/v1/referrals?limit=200" + (f"&cursor={cursor}" if cursor else "")
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})))
    count += len(page["items"])
    cursor = page.get("next_cursor")
    if not cursor:
        break
print(f"{count:,}")
PY
)
  run_wrk "GET /v1/referrals (first page of 50, over $listed referrals)" -H "Authorization: Bearer $token" \
    "$base/v1/referrals"
  local peak_kb
  peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  python3 - "$label" "$idle_kb" "$peak_kb" "$work/results" <<'PY' | tee -a "$work/table.md"
import sys
label, idle_kb, peak_kb, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [line.strip().split("|") for line in open(path) if line.strip()]
base = float(rows[0][1])
print(f"\n**{label}** (idle RSS {idle_kb/1024:.1f} MB, peak RSS {peak_kb/1024:.1f} MB)\n")
print("| endpoint | req/s | p50 ms | p99 ms | req/s vs /healthz | non-2xx | SQL statements/req |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, rps, p50, p99, errors, statements in rows:
    print(f"| {name} | {float(rps):,.0f} | {p50} | {p99} | {float(rps)/base:.2f} | {errors} | {statements} |")
booking = {name: float(rps) for name, rps, *_ in rows if name.startswith("POST /v1/referrals/{id}/sessions")}
if len(booking) == 2:
    empty, history = booking.values()
    print(f"\nBooking into the room with 100,000 past sessions: {history / empty:.0%} of the rate before them.")
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
