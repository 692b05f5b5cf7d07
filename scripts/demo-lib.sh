# Shared by the scripts that test a running server (schemathesis, the browser test): a debug
# build serving the demo data on a fresh SQLite database in a folder of the caller's, and an org
# admin's token. `demo_start DIR` sets DEMO_BASE, DEMO_PID and DEMO_TOKEN; `demo_stop` ends it.
# The auth rate limit is raised so that the tools reach the login logic rather than 429.

demo_start() {
  local dir=$1 bin port
  ${CARGO:-cargo} build -q -p ccm-api
  bin=${CARGO_TARGET_DIR:-target}/debug/ccm
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  DATABASE_URL="sqlite://$dir/ccm.db" CCM_DOCUMENT_DIR="$dir/documents" CCM_BIND="127.0.0.1:$port" \
    CCM_ACCESS_TOKEN_TTL_SECS=7200 CCM_AUTH_RATE_PER_MINUTE=10000 RUST_LOG=warn \
    "$bin" serve --seed-demo >"$dir/server.log" 2>&1 &
  DEMO_PID=$!
  DEMO_BASE="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -sf "$DEMO_BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$dir/server.log"; return 1; }
    sleep 0.2
  done
  DEMO_TOKEN=$(curl -sf -X POST "$DEMO_BASE/v1/auth/token" -H 'Content-Type: application/json' \
    -d '{"email":"orgadmin@cl.example.org","password":"demo-password-2026"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
}

demo_stop() {
  if [ -n "${DEMO_PID:-}" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
    DEMO_PID=""
  fi
}
