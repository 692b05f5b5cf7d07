#!/usr/bin/env bash
# schemathesis (PyPI, in .venv) against a running server on a fresh SQLite database with the
# demo data and a staff (org admin) token (scripts/demo-lib.sh). Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.32.5
VENV=${SCHEMATHESIS_VENV:-.venv}
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
fi

source scripts/demo-lib.sh
dir=$(mktemp -d /tmp/ccm-schemathesis.XXXXXX)
cleanup() { demo_stop; rm -rf "$dir"; }
trap cleanup EXIT
demo_start "$dir"
base=$DEMO_BASE
token=$DEMO_TOKEN

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
