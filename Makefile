# ccm: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test lint fmt-check clippy test-sqlite test-postgres schemathesis test-browser test-faults openapi bench fuzz clean-data help

help:
	@echo "make run            build (release) and serve on embedded SQLite with demo data"
	@echo "make test           fmt, clippy, all tests on SQLite and PostgreSQL, OpenAPI drift, schemathesis, browser, fault tests"
	@echo "make test-browser   Swagger UI in headless Chromium: authorize, try GET /v1/me and POST /v1/quotes"
	@echo "make test-faults    kill the server mid-write (SQLite) and restart PostgreSQL under two servers' load"
	@echo "make lint           fmt check and clippy -D warnings"
	@echo "make openapi        regenerate openapi.yaml from the code"
	@echo "make bench          load-test a release build on 127.0.0.1 (SQLite and PostgreSQL)"

## Serve on embedded SQLite (./data/ccm.db); demo data is loaded on first run.
run:
	$(CARGO) build --release -p ccm-api
	"$${CARGO_TARGET_DIR:-target}/release/ccm" serve --seed-demo

## Everything CI checks.
test: lint test-sqlite test-postgres schemathesis test-browser test-faults
	@echo "make test: all checks passed"

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

## Unit tests, and the black-box HTTP tests on a fresh SQLite file per test (includes the
## OpenAPI drift test).
test-sqlite:
	CCM_TEST_BACKEND=sqlite $(CARGO) test --workspace

## The black-box HTTP tests on PostgreSQL: TEST_DATABASE_URL's server if set, else a throwaway
## server started from local binaries, else skipped (loudly).
test-postgres:
	scripts/test-postgres.sh

## schemathesis against a running server (SQLite, demo data, a staff token).
schemathesis:
	scripts/schemathesis.sh

## Swagger UI in headless Chromium against a running server (no request may leave 127.0.0.1).
test-browser:
	scripts/browser-test.sh

## Fault tests under write load: SIGKILL of the server on SQLite, then a PostgreSQL restart
## under two servers (skipped, loudly, without local PostgreSQL binaries). About 40 s.
test-faults:
	scripts/fault-sqlite.sh
	scripts/fault-postgres.sh

## A bigger schemathesis budget with a new random seed each run.
fuzz:
	SCHEMATHESIS_SEED=random SCHEMATHESIS_WORKERS=2 SCHEMATHESIS_MAX_EXAMPLES=500 scripts/schemathesis.sh

openapi:
	$(CARGO) run -q -p ccm-api -- openapi > openapi.yaml
	@echo "wrote openapi.yaml"

bench:
	scripts/bench.sh

clean-data:
	rm -rf data
