# Switchboard: the two commands a new user needs are `make run` and `make test`.

CARGO ?= cargo
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: run test fmt fmt-check lint unit unit-suites openapi build release migrate clean help admin admin-test e2e bench probes probe-crash probe-slow-clients probe-wal soak fuzz spec-check

NPM := $(shell command -v npm 2>/dev/null)
CHROMIUM ?= /usr/bin/chromium
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
# `make e2e SWITCHBOARD_BIN=path/to/switchboard` (and `make probe-slow-clients ...`) use that binary instead of building one.
ifdef SWITCHBOARD_BIN
E2E_BIN := $(SWITCHBOARD_BIN)
E2E_BUILD := @echo "e2e: using $(SWITCHBOARD_BIN)"
else
E2E_BIN := $(TARGET_DIR)/debug/switchboard
E2E_BUILD := $(CARGO) build --locked -p switchboard
endif

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

run: admin ## Build the admin app and the server; serve both on embedded SQLite with the mock WhatsApp provider (admin/admin locally)
	@if [ -z "$$SWITCHBOARD_ADMIN_PASSWORD" ] && ! grep -qs '^SWITCHBOARD_ADMIN_PASSWORD=' .env; then \
		export SWITCHBOARD_ADMIN_PASSWORD=admin; \
		echo "Local sign-in: $${SWITCHBOARD_ADMIN_USERNAME:-admin} / admin (set when ./data is first created)"; \
	fi; \
	$(CARGO) run --locked -p switchboard -- serve

test: fmt-check lint unit admin-test spec-check ## Formatting check, clippy with warnings denied, every test (Rust and the admin app's units), the spec's lint and client generation

fmt-check:
	$(CARGO) fmt --all -- --check

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## Clippy on every target, warnings denied
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

# The PostgreSQL tests get a throwaway server from scripts/test-postgres.sh (or the one
# SWITCHBOARD_TEST_DATABASE_URL names); without server binaries they are skipped with a note,
# except under CI=true, where the script installs them.
unit: ## Every test (nextest when installed, cargo test otherwise), the PostgreSQL ones on a throwaway server; then the HTTP API suite again on PostgreSQL
	scripts/test-postgres.sh -- $(MAKE) --no-print-directory unit-suites

ifeq ($(NEXTEST),yes)
TEST_RUN := $(CARGO) nextest run --locked
else
TEST_RUN := $(CARGO) test --locked
endif

# Run by `unit` inside scripts/test-postgres.sh, which sets SWITCHBOARD_TEST_DATABASE_URL when it
# has a server: the store's suites run on both backends by themselves; the HTTP API suite is run
# a second time with its store on PostgreSQL.
unit-suites:
	$(TEST_RUN) --workspace
	@if [ -n "$$SWITCHBOARD_TEST_DATABASE_URL" ]; then \
		echo "unit: the HTTP API suite again, on PostgreSQL"; \
		SWITCHBOARD_TEST_BACKEND=postgres $(TEST_RUN) -p switchboard --test api; \
	else \
		echo "unit: the HTTP API suite on PostgreSQL is SKIPPED (no server; see scripts/test-postgres.sh)"; \
	fi

openapi: ## Regenerate openapi/openapi.json from the code
	$(CARGO) run --locked -q -p switchboard -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

build: ## Debug build
	$(CARGO) build --locked --workspace

release: ## Optimised binary at target/release/switchboard
	$(CARGO) build --locked --release -p switchboard

migrate: ## Apply database migrations and exit
	$(CARGO) run --locked -p switchboard -- migrate

# `make bench BACKEND=postgres`: the same scenarios on a throwaway PostgreSQL server with its
# default (durable) settings, plus SQLite's ingest in the same run and two instances on one
# database; its table has markers of its own in docs/benchmarks.md.
BACKEND ?= sqlite
ifeq ($(BACKEND),postgres)
BENCH_RUN := scripts/test-postgres.sh --durable --
else
BENCH_RUN :=
endif

bench: ## Benchmarks: release build, every scenario against the real server on loopback (BACKEND=sqlite, the default, or postgres); prints the table and writes docs/benchmarks.md
	$(CARGO) build --locked --release -p switchboard
	$(CARGO) build --locked --release -p switchboard-bench
	$(BENCH_RUN) $(TARGET_DIR)/release/switchboard-bench --backend $(BACKEND) --server $(TARGET_DIR)/release/switchboard --out docs/benchmarks.md

probes: probe-crash probe-slow-clients probe-wal ## Every probe CI runs after the tests (crash, slow clients, WAL growth)

# The probes use debug builds: `make e2e` has just built the debug server, and a debug server
# still takes over a thousand webhooks a second. The bench is built on its own: built together
# with the server, cargo would resolve the dependencies' features anew and rebuild them.
probe-crash: ## Crash probe (CI): kill -9 the debug server under signed webhook load, while it dispatches replies to a recording fake Cloud API, in mock mode, and (on a throwaway PostgreSQL) one of two instances for good; fails unless nothing acknowledged was lost
	$(E2E_BUILD)
	$(CARGO) build --locked -p switchboard-bench
	scripts/test-postgres.sh -- $(TARGET_DIR)/debug/switchboard-bench --server $(E2E_BIN) probe-crash

probe-wal: ## CI check: 30 s of signed webhook ingest at full speed with an 8 MiB WAL limit on a debug build; fails unless the log stays within a batch of its limit, is restarted in place (never emptied) under load, is emptied once the load stops and after SIGTERM
	$(E2E_BUILD)
	$(CARGO) build --locked -p switchboard-bench
	$(TARGET_DIR)/debug/switchboard-bench probe-wal --server $(E2E_BIN)

probe-slow-clients: ## CI check: 1,000 connections sending bodies at 1 byte/s to a debug build (soft open-files limit 1024) while /healthz must keep answering; stops by itself in under 100 s
	$(E2E_BUILD)
	$(CARGO) build --locked -p switchboard-bench
	$(TARGET_DIR)/debug/switchboard-bench probe-slow-clients --server $(E2E_BIN)

FUZZ_VENV := $(TARGET_DIR)/fuzz-venv
SPEC_VENV := $(TARGET_DIR)/spec-venv
PYTHON ?= python3

spec-check: ## The committed spec as client generators see it: Redocly's linter (0 errors), openapi-typescript (default options), openapi-python-client; tools pinned in openapi/check
ifeq ($(NPM),)
	@if [ "$$CI" = true ]; then echo "spec-check: npm is required in CI" >&2; exit 1; fi
	@echo "Node.js/npm is not installed: skipping the spec's lint and generation check."
else
	@test -x $(SPEC_VENV)/bin/pip || $(PYTHON) -m venv $(SPEC_VENV)
	$(SPEC_VENV)/bin/pip install --quiet --disable-pip-version-check -r openapi/check/requirements.txt
	openapi/check/run.sh $(abspath $(SPEC_VENV))
endif

fuzz: ## API fuzzing: schemathesis (pinned in fuzz/requirements.txt, own venv) with every check against the debug server; fails on any failure or server error
	$(E2E_BUILD)
	@test -x $(FUZZ_VENV)/bin/pip || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/pip install --quiet --disable-pip-version-check -r fuzz/requirements.txt
	$(FUZZ_VENV)/bin/python fuzz/run.py --bin $(abspath $(E2E_BIN)) --venv-bin $(abspath $(FUZZ_VENV))/bin

# Release builds, one package at a time for the same reason as the probes'. `make soak MINUTES=3`
# for a shorter run while iterating.
MINUTES ?= 10
soak: ## Soak (not in CI): release build, 10 minutes of mixed load (webhooks, replies, reads) at a steady rate; prints RSS, WAL size and p99 each minute, fails unless RSS stays flat
	$(CARGO) build --locked --release -p switchboard
	$(CARGO) build --locked --release -p switchboard-bench
	$(TARGET_DIR)/release/switchboard-bench soak --server $(TARGET_DIR)/release/switchboard --minutes $(MINUTES)

clean: ## Remove build output (not ./data)
	$(CARGO) clean

admin: ## Build the admin app into admin/dist (npm ci, npm run build); skipped with a note when Node is missing
ifeq ($(NPM),)
	@echo "Node.js/npm is not installed: the admin app is not built, so Switchboard serves the API alone (install Node.js 20+ for the admin app)."
else
	cd admin && npm ci --no-audit --no-fund && npm run build
endif

admin-test: ## The admin app: npm ci, generated API client matches openapi/openapi.json, typecheck, unit tests
ifeq ($(NPM),)
	@if [ "$$CI" = true ]; then echo "admin-test: npm is required in CI" >&2; exit 1; fi
	@echo "Node.js/npm is not installed: skipping the admin app's checks (install Node.js 20+ to run them)."
else
	cd admin && npm ci --no-audit --no-fund && npm run check:api && npm run typecheck && npm test
endif

e2e: ## Browser tests: the built admin app on the real backend, in Debian's headless Chromium (installed when missing)
ifeq ($(NPM),)
	@echo "e2e: Node.js/npm is required for the browser tests" >&2; exit 1
endif
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "e2e: installing Debian's chromium package"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get install -y chromium || { $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }; \
	fi
	$(E2E_BUILD)
	cd admin && npm ci --no-audit --no-fund && npm run build
	CHROMIUM="$(CHROMIUM)" SWITCHBOARD_BIN="$(abspath $(E2E_BIN))" admin/scripts/e2e.sh
