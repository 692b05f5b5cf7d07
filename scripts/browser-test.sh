#!/usr/bin/env bash
# Swagger UI in headless Chromium (Debian's package, driven by playwright-core from
# tests/browser) against a running server on a fresh SQLite database with the demo data: the
# page renders with no requests leaving the machine, Authorize sends the token, and "Try it out"
# works for GET /v1/me and POST /v1/quotes. On failure it prints where the screenshot is.
# The page is opened as http://ccm.test:PORT (mapped to 127.0.0.1), as a deployment is seen: on
# a loopback name Swagger UI skips requests it makes elsewhere. CCM_BROWSER_HOST=127.0.0.1 opens
# it by address.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# npm ci again whenever the lock file is newer than what it installed.
if [ ! -f tests/browser/node_modules/.package-lock.json ] ||
  [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

source scripts/demo-lib.sh
dir=$(mktemp -d /tmp/ccm-browser.XXXXXX)
cleanup() { demo_stop; rm -rf "$dir"; }
trap cleanup EXIT
demo_start "$dir"
base=$DEMO_BASE
token=$DEMO_TOKEN

set +e
CCM_BASE_URL="$base" CCM_TOKEN="$token" node tests/browser/swagger.mjs
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "browser test failed (exit $status); server log tail:"
  tail -20 "$dir/server.log"
fi
exit $status
