# JobPilot — every entry point. `make run` serves the platform, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
PYTEST_ARGS ?=
SAMPLES ?= ../shared/fixtures/ats

.DEFAULT_GOAL := help
.PHONY: help install run serve test test-fast lint fmt bench ops-check migrate seed worker lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install system packages and pinned dependencies

$(STAMP): requirements.lock pyproject.toml scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# `make run` is the offline demo: every ATS request (form definitions, applications) goes to
# the ATS sandbox this server mounts at /sandbox, and the browser may load 127.0.0.1 only.
DEMO_ENV := JOBPILOT_SANDBOX__ENABLED=true \
	JOBPILOT_SANDBOX__FIXTURES_DIR=$(abspath $(SAMPLES)) \
	JOBPILOT_JOBS__ATS_PROXY_URL=http://127.0.0.1:$(PORT)/sandbox \
	JOBPILOT_APPLICATIONS__BROWSER_ALLOWED_HOSTS='["127.0.0.1"]' \
	JOBPILOT_APPLICATIONS__DELAY_MIN_SECONDS=1 JOBPILOT_APPLICATIONS__DELAY_MAX_SECONDS=3

run: install migrate seed ## Set up, migrate, load demo data and serve the offline demo at http://127.0.0.1:8080
	$(DEMO_ENV) $(BIN)/jobpilot serve --host $(HOST) --port $(PORT)

serve: install ## Serve without migrating or seeding
	$(BIN)/jobpilot serve --host $(HOST) --port $(PORT)

migrate: install ## Bring the database schema up to date
	$(BIN)/jobpilot migrate

seed: install ## Load the demo data (and the captured ATS payloads in $(SAMPLES) when present)
	$(BIN)/jobpilot seed
	@if [ -d "$(SAMPLES)" ]; then $(BIN)/jobpilot jobs ingest --from-dir "$(SAMPLES)"; fi

worker: install ## Run a standalone task worker
	$(BIN)/jobpilot worker

test: install ## Run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), import-linter contracts, mypy --strict
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: install ## Format and autofix
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: install ## Run the benchmarks (printed figures)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

ops-check: install ## Alert rules, Alertmanager routes, runbooks, dashboards, metrics contract, log/trace configs
	promtool check rules deploy/prometheus/rules/*.yml
	cd deploy/prometheus/tests && promtool test rules *.yml
	amtool check-config deploy/alertmanager/alertmanager.yml
	$(BIN)/python scripts/prometheus_rule.py --check
	$(BIN)/python scripts/grafana_dashboards.py --check
	$(BIN)/python -m pytest -q tests/ops $(PYTEST_ARGS)

lock: install ## Re-pin requirements.lock from pyproject.toml
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-header --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

clean: ## Remove the environment, caches and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
