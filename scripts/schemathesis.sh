#!/usr/bin/env bash
# schemathesis (PyPI, in .venv) against a running server on a fresh SQLite database with the
# demo data and a staff (org admin) token. Fails on any finding. The auth rate limit is raised
# so the fuzzing reaches the login and refresh logic rather than stopping at 429.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.32.5
VENV=${SCHEMATHESIS_VENV:-.venv}
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
fi

${CARGO:-cargo} build -q -p ccm-api
bin=${CARGO_TARGET_DIR:-target}/debug/ccm
dir=$(mktemp -d /tmp/ccm-schemathesis.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$dir/ccm.db" CCM_DOCUMENT_DIR="$dir/documents" CCM_BIND="127.0.0.1:$port" CCM_ACCESS_TOKEN_TTL_SECS=7200 CCM_AUTH_RATE_PER_MINUTE=10000 RUST_LOG=warn \
  "$bin" serve --seed-demo >"$dir/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.2
done
token=$(curl -sf -X POST "$base/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email":"orgadmin@cl.example.org","password":"demo-password-2026"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# `make test` pins the seed so CI is repeatable; `make fuzz` sets SCHEMATHESIS_SEED=random.
seed=${SCHEMATHESIS_SEED:-20261122}
seed_args=()
[ "$seed" != random ] && seed_args=(--seed "$seed")
set +e
"$VENV/bin/schemathesis" run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks all \
  --request-timeout "${SCHEMATHESIS_REQUEST_TIMEOUT:-30}" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" \
  --workers "${SCHEMATHESIS_WORKERS:-1}" \
  "${seed_args[@]}" "$@"
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "schemathesis found problems (exit $status); server log tail:"
  tail -20 "$dir/server.log"
fi
exit $status
