# Switchboard: the two commands a new user needs are `make run` and `make test`.

CARGO ?= cargo
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: run test fmt fmt-check lint unit openapi build release migrate clean help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

run: ## Build and serve on embedded SQLite with the mock WhatsApp provider (admin/admin locally)
	@if [ -z "$$SWITCHBOARD_ADMIN_PASSWORD" ] && ! grep -qs '^SWITCHBOARD_ADMIN_PASSWORD=' .env; then \
		export SWITCHBOARD_ADMIN_PASSWORD=admin; \
		echo "Local sign-in: $${SWITCHBOARD_ADMIN_USERNAME:-admin} / admin (set when ./data is first created)"; \
	fi; \
	$(CARGO) run --locked -p switchboard -- serve

test: fmt-check lint unit ## Formatting check, clippy with warnings denied, every test

fmt-check:
	$(CARGO) fmt --all -- --check

fmt: ## Format the code
	$(CARGO) fmt --all

lint: ## Clippy on every target, warnings denied
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

unit: ## Every test (nextest when installed, cargo test otherwise)
ifeq ($(NEXTEST),yes)
	$(CARGO) nextest run --locked --workspace
else
	$(CARGO) test --locked --workspace
endif

openapi: ## Regenerate openapi/openapi.json from the code
	$(CARGO) run --locked -q -p switchboard -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

build: ## Debug build
	$(CARGO) build --locked --workspace

release: ## Optimised binary at target/release/switchboard
	$(CARGO) build --locked --release -p switchboard

migrate: ## Apply database migrations and exit
	$(CARGO) run --locked -p switchboard -- migrate

clean: ## Remove build output (not ./data)
	$(CARGO) clean
