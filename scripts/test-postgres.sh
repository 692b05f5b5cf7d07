#!/usr/bin/env bash
# The black-box tests on PostgreSQL, in a database created for this run and dropped after it,
# so a developer's own data is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pg-lib.sh

pg_find_or_start
trap pg_stop_throwaway EXIT
if [ -z "$PG_URL" ]; then
  echo "################################################################################"
  echo "## PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set and no local"
  echo "## PostgreSQL binaries (initdb, pg_ctl) were found to start a throwaway server."
  echo "## CI always runs them (.ci/run). Set TEST_DATABASE_URL=postgres://... to run here."
  echo "################################################################################"
  exit 0
fi

db="ccm_test_$(date +%s)_$$"
psql -q -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE DATABASE $db" >/dev/null
cleanup() {
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  pg_stop_throwaway
}
trap cleanup EXIT

# Swap the database name in the URL for the run's own database.
base=${PG_URL%%\?*}
query=""
[ "$base" != "$PG_URL" ] && query="?${PG_URL#*\?}"
run_url="${base%/*}/$db$query"
echo "PostgreSQL tests in a fresh database $db"
CCM_TEST_BACKEND=postgres TEST_DATABASE_URL="$run_url" ${CARGO:-cargo} test --workspace
