# The project's commands. `make serve` and `make check` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# graphql-http, whose audit of the GraphQL-over-HTTP spec is one of the e2e tests; installed
# again only when its lock changes.
HTTP_AUDIT := scripts/http_audit/node_modules/.package-lock.json
# The web app's npm packages, installed again only when its lock changes.
WEB_MODULES := web/node_modules/.package-lock.json

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

install: $(WEB_MODULES)  ## install uv, the locked dependencies, GraphiQL's scripts; build web/
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv
	$(UV) sync --frozen
	python3 scripts/fetch_graphiql_assets.py
	npm run --prefix web build

$(WEB_MODULES): web/package-lock.json
	npm ci --prefix web --no-audit --no-fund

serve: install  ## run the service locally on the embedded AWS emulator
	$(UV) run --frozen order-delivery serve

browser:  ## install Debian's Chromium for the browser test (needs root)
	bash scripts/install_browser.sh

lint: install  ## ruff, formatting, strict mypy, schema and contract; the web app's lint, tests, budget
	$(UV) run --frozen bash scripts/lint.sh
	npm run --prefix web lint
	npm run --prefix web test
	npm run --prefix web budget

test: install browser $(HTTP_AUDIT)  ## every test: unit, integration, end-to-end, browser
	$(UV) run --frozen pytest

screenshots: install browser  ## the README's pictures of the shop and staff board, into docs/
	ORDER_DELIVERY_SCREENSHOTS=docs $(UV) run --frozen pytest tests/e2e/test_web_app.py

audit: install $(HTTP_AUDIT)  ## graphql-http's GraphQL-over-HTTP audit of a fresh local server
	$(UV) run --frozen pytest tests/e2e/test_graphql_over_http.py -k audit -rP

$(HTTP_AUDIT): scripts/http_audit/package-lock.json
	npm ci --prefix scripts/http_audit --ignore-scripts --no-audit --no-fund

check: lint test  ## everything CI runs

bundle: install  ## build the Lambda bundles (API, worker; arm64, the runtime's Python) into build/
	$(UV) run --frozen python -m infra.bundle --function api
	$(UV) run --frozen python -m infra.bundle --function worker

synth: install  ## synthesize the CDK app into cdk.out/ without the CDK CLI (cdk-nag runs too)
	$(UV) run --frozen python -m infra.app

fuzz: install  ## a longer fuzz run of the GraphQL API (FUZZ_EXAMPLES=2000 unless given)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(UV) run --frozen pytest -m fuzz --timeout=1800 -rP

loadtest: install  ## a larger load run on loopback (ORDERS=300 CONCURRENCY=20 unless given)
	$(UV) run --frozen order-delivery loadtest --orders $${ORDERS:-300} --concurrency $${CONCURRENCY:-20}

bench: install  ## our Lambda handlers against bare baselines, from the bundles (ROUNDS=3 unless given)
	$(UV) run --frozen python -m benchmarks.suite --rounds $${ROUNDS:-3}

schema: install  ## re-export schema/schema.graphql after changing the GraphQL types
	$(UV) run --frozen python -m schema.graphql_schema

.PHONY: help install serve browser lint test screenshots audit check bundle synth fuzz loadtest bench schema
