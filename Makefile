# Frontline Voice. `make run` and `make test` are the contract: both work on a fresh
# machine with only Python 3.11+ installed.
.DEFAULT_GOAL := help
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) ## Create .venv and install the project with its test tools

instance/config.py:
	mkdir -p instance
	umask 077 && $(PYTHON) -c "import secrets; print('# Written by make run. Never commit this file.'); print('SECRET_KEY = %r' % secrets.token_hex(32)); print('AUDIT_KEY = %r' % secrets.token_hex(32))" > $@

run: $(STAMP) instance/config.py ## Set up the SQLite database with demo data and serve http://127.0.0.1:$(PORT) (PORT=5050 for another port)
	PORTAL_DEMO=1 $(FLASK) portal init
	$(FLASK) portal seed-demo
	@# Plain http on this machine only: LOCAL_HTTP drops the Secure cookie flag
	@# (browsers refuse Secure cookies over http). Never set it in production.
	@# DEMO marks every page as a demonstration with invented people and input.
	PORTAL_LOCAL_HTTP=1 PORTAL_DEMO=1 $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(STAMP) ## Lint, type-check and run the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	@if [ -x /usr/bin/chromium ] && [ ! -f node_modules/axe-core/axe.min.js ]; then \
		echo "Installing axe-core for the browser tests (npm ci)"; npm ci --no-audit --no-fund --ignore-scripts; fi
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(STAMP) ## Run the benchmarks in bench/ (figures go in docs/benchmarks.md)
	$(PY) bench/accuracy.py
	$(PY) bench/privacy.py
	$(PY) bench/suggestions.py
	$(PY) bench/pages.py
	$(PY) bench/burst.py

assets: ## Rebuild static/ from npm (GOV.UK Frontend 6.3.0, council Arial build)
	npm ci --no-audit --no-fund --ignore-scripts
	npx sass --pkg-importer=node --style=compressed --no-source-map scss/app.scss static/app.min.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk-frontend.min.js

clean: ## Remove the virtual environment and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules

.PHONY: help install run test bench assets clean
