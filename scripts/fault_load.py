"""Write load and its verdict for the fault scripts (scripts/fault-*.sh).

  fault_load.py load RESULTS BASE [BASE...]   creates referrals until SIGTERM; one JSON line per request
  fault_load.py check RESULTS MARKS DB_URL MODE   MODE: "503" (the database went away) or "down" (the server did)
  fault_load.py probe N BASE [BASE...]        creates N referrals one by one on each server; all must succeed

MARKS holds the shell's wall-clock times: `fault <t>` when the fault began, `recover <t>` when
it was undone. Exits non-zero, naming each violation.
"""
import collections, json, signal, sqlite3, subprocess, sys, threading, time, urllib.error, urllib.request, uuid

THREADS = 8
TIMEOUT = 12  # a request may wait for a pool connection (5 s) twice; longer counts as hung
RECOVER_WITHIN = 5  # seconds from the fault's end to a success on every server; failures after it are violations


def call(base, path, body=None, token=None, key=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    req = urllib.request.Request(base + path, json.dumps(body).encode() if body else None, headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def setup(bases):
    """A coordinator's token on each server, and a centre that takes supervised referrals."""
    login = {"email": "coordinator@cl.example.org", "password": "demo-password-2026"}
    tokens = []
    for b in bases:
        status, _, raw = call(b, "/v1/auth/token", login)
        if status != 200:
            sys.exit(f"VIOLATION: logging in on {b} answered {status}: {raw[:200]!r}")
        tokens.append(json.loads(raw)["access_token"])
    providers = json.loads(call(bases[0], "/v1/providers")[2])["items"]
    cl = next(p["id"] for p in providers if p["name"].startswith("CL"))
    centres = json.loads(call(bases[0], f"/v1/centres?provider={cl}&limit=200")[2])["items"]
    return tokens, next(c["id"] for c in centres if c["address"]["town"] == "Chatham")


def create(base, token, centre):
    """One new referral (its people unique to it); returns (status, content type, parsed body)."""
    tag = uuid.uuid4().hex[:12]
    adult = lambda who: {"given_name": who, "family_name": f"F{tag}", "contact": {"email": f"{who}{tag}@fault.example"}}
    body = {"centre_id": centre, "service_type": "supervised",
            "referrer": {"kind": "solicitor", "name": "Jo Brief", "email": "jo@brief.example"},
            "resident_parent": adult("ann"), "non_resident_parent": adult("bob"),
            "children": [{"given_name": "Cal", "family_name": f"F{tag}", "date_of_birth": "2019-04-01"}],
            "risk": {"domestic_abuse": "none"}}
    status, ctype, raw = call(base, "/v1/referrals", body, token, str(uuid.uuid4()))
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = {}
    return status, ctype.split(";")[0], doc if isinstance(doc, dict) else {}


def load(results, bases):
    tokens, centre = setup(bases)
    stop, lock, out = threading.Event(), threading.Lock(), open(results, "w")
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def worker(n):
        i = n % len(bases)
        while not stop.is_set():
            rec = {"server": i, "t0": time.time()}
            try:
                status, ctype, doc = create(bases[i], tokens[i], centre)
                rec.update(status=status, ctype=ctype, id=doc.get("id") if status == 201 else None,
                           problem=doc.get("status") == status and "type" in doc and "title" in doc)
            except Exception as e:  # refused, reset, timed out: no HTTP answer at all
                rec["error"] = f"{type(e).__name__}: {e}"
            rec["t1"] = time.time()
            with lock:
                out.write(json.dumps(rec) + "\n")
            if rec.get("status") != 201:
                time.sleep(0.1)  # a client backs off a little rather than spin on a dead server

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()


def stored_ids(url):
    if url.startswith("sqlite://"):
        db = sqlite3.connect(url[len("sqlite://"):])
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        ids = {r[0] for r in db.execute("SELECT id FROM referrals")}
        db.close()
        return ids, [r[0] for r in integrity if r[0] != "ok"]
    rows = subprocess.run(["psql", "-Atq", "-v", "ON_ERROR_STOP=1", url, "-c", "SELECT id FROM referrals"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    return set(rows.split()), []


def check(results, marks, url, mode):
    recs = [json.loads(line) for line in open(results)]
    at = dict(line.split() for line in open(marks))
    fault, recover = float(at["fault"]), float(at["recover"])
    servers = sorted({r["server"] for r in recs})
    bad = []
    ok = [r for r in recs if r.get("status") == 201]
    unavailable = [r for r in recs if r.get("status") == 503]
    other = [r for r in recs if r.get("status") not in (201, 503)]
    print(f"fault lasted {recover - fault:.1f} s; requests: {len(recs)}; 201: {len(ok)}; 503: {len(unavailable)}; other: {len(other)}")

    for r in recs:
        what = r.get("error") or f"{r['status']} {r['ctype']}"
        if r["t1"] < fault and r.get("status") != 201:
            bad.append(f"failed before the fault: {what}")
        elif mode == "503" and r.get("status") == 503 and not (r["ctype"] == "application/problem+json" and r["problem"]):
            bad.append(f"503 without a problem+json body: {r}")
        elif mode == "503" and r.get("status") != 201 and r.get("status") != 503:
            bad.append(f"neither 201 nor 503 while the database was away: {what}")
        elif mode == "down" and r.get("status") not in (201, None):
            bad.append(f"an HTTP failure from the server: {what}")
        elif r["t1"] - r["t0"] >= TIMEOUT - 0.5:
            bad.append(f"hung for {r['t1'] - r['t0']:.1f} s: {what}")
    if mode == "503" and not unavailable:
        bad.append("no 503 at all: the outage was not seen")
    if mode == "down" and not any("error" in r for r in recs if fault <= r["t1"]):
        bad.append("no failed request: the server was not killed mid-load")

    settled = recover + RECOVER_WITHIN
    for s in servers:
        mine = [r for r in recs if r["server"] == s]
        if not any(r.get("status") == 201 and r["t1"] < fault for r in mine):
            bad.append(f"server {s}: no success before the fault")
        back = [r["t1"] for r in mine if r.get("status") == 201 and r["t0"] >= recover]
        if not back or back[0] > settled:
            bad.append(f"server {s}: no success within {RECOVER_WITHIN} s of the fault's end")
        else:
            print(f"server {s}: first success {back[0] - recover:.2f} s after the fault's end; "
                  f"503 during the fault: {sum(1 for r in mine if r.get('status') == 503)}; "
                  f"no answer: {sum(1 for r in mine if 'error' in r)}")
        late = [r for r in mine if r["t0"] > settled and r.get("status") != 201]
        if late:
            bad.append(f"server {s}: {len(late)} failures more than {RECOVER_WITHIN} s after the fault's end, e.g. {late[0]}")
        if not any(r["t0"] > settled for r in mine):
            bad.append(f"server {s}: the load stopped before the server had settled")

    try:
        ids, corrupt = stored_ids(url)
        missing = [r["id"] for r in ok if r["id"] not in ids]
        print(f"acknowledged ids: {len(ok)}; missing from the database: {len(missing)}")
        bad += [f"acknowledged but not stored: {i}" for i in missing[:10]]
        bad += [f"integrity_check: {line}" for line in corrupt]
    except (sqlite3.Error, subprocess.SubprocessError) as e:
        bad.append(f"cannot read the database afterwards: {e}")
    for b, n in collections.Counter(bad).most_common():
        print(f"VIOLATION{f' (x{n})' if n > 1 else ''}: {b}")
    return 1 if bad else 0


def probe(count, bases):
    """Creates `count` referrals one after another on each server; all must succeed."""
    tokens, centre = setup(bases)
    failed = 0
    for i, base in enumerate(bases):
        statuses = [create(base, tokens[i], centre)[0] for _ in range(int(count))]
        failed += sum(s != 201 for s in statuses)
        print(f"server {i}: {statuses.count(201)} of {count} created" + (f"; answers: {statuses}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "probe":
        sys.exit(probe(sys.argv[2], sys.argv[3:]))
    else:
        sys.exit(check(*sys.argv[2:6]))
