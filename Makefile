# Tourism Booking: developer commands. `make help` lists them.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Every settings profile (config/environment.py's, then the test suite's), read once .venv exists.
PROFILES = $(or $(shell $(PY) -c 'from config.environment import PROFILES; print(*PROFILES)'),$(error cannot read config.environment.PROFILES)) test
RUN_ENV := DJANGO_SETTINGS_MODULE=config.settings.monolith DJANGO_DEBUG=1 DJANGO_STOREFRONT_ROOT=$(CURDIR)/frontend/dist

.DEFAULT_GOAL := help
.PHONY: help install nginx wrk prometheus chromium docker shop shop-types screenshots image run services worker beat relay test compose-test lint fmt clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/base.txt requirements/prod.txt requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install requirements/dev.txt

shop: install ## Build the storefront (frontend/dist) if its sources changed; needs Node.js 20.19+
	$(PY) -m deploy.local.storefront

# The storefront's API types come from the OpenAPI document as PostgreSQL deployments serve
# it (integer bounds depend on the database; nothing connects); a test fails when stale.
SCHEMA_ENV := DJANGO_SETTINGS_MODULE=config.settings.monolith DJANGO_DEBUG=1 DATABASE_URL=postgres://127.0.0.1/schema
shop-types: shop ## Regenerate frontend/src/api/schema.d.ts from /api/schema/
	$(SCHEMA_ENV) $(MANAGE) spectacular --format openapi-json --file frontend/node_modules/.openapi.json
	cd frontend && npx openapi-typescript node_modules/.openapi.json -o src/api/schema.d.ts

screenshots: install nginx chromium shop ## Screenshots of every shop page (desktop, phone) into docs/storefront/
	$(PY) -m deploy.local.screenshots

run: install shop ## Serve the shop, API and admin on http://127.0.0.1:8000 (SQLite, tasks in-process)
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) seed_demo
	$(RUN_ENV) $(MANAGE) ensure_staff
	@echo "Shop: http://127.0.0.1:8000/  Admin: http://127.0.0.1:8000/admin/  API: http://127.0.0.1:8000/api/  Docs: http://127.0.0.1:8000/api/docs/"
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

nginx: ## Install Debian's nginx-light if missing (the gateway of `make services` and the end-to-end tests)
	@command -v nginx >/dev/null 2>&1 || { echo "nginx not found: installing Debian's nginx-light"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } \
		|| echo "warning: could not install nginx; gateway tests skip (and fail under CI=true)"

wrk: ## Install Debian's wrk if missing (the native load generator of `make bench`'s read scenarios)
	@command -v wrk >/dev/null 2>&1 || { echo "wrk not found: installing Debian's wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
		|| echo "warning: could not install wrk; make bench then reports the read scenarios as not measured"

prometheus: ## Install Debian's prometheus if missing (prometheus and promtool: the alert rules' tests, the real scrape test)
	@command -v promtool >/dev/null 2>&1 || { echo "promtool not found: installing Debian's prometheus"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; } \
		|| echo "warning: could not install prometheus; its tests skip (and fail under CI=true)"

# Debian's Chromium for the storefront's browser tests (Playwright drives it; it never
# downloads a browser of its own).
chromium: ## Install Debian's chromium if missing (the storefront's browser tests)
	@command -v chromium >/dev/null 2>&1 || { echo "chromium not found: installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "warning: could not install chromium; browser tests skip (and fail under CI=true)"

# The container tests start the engine themselves when it is not running (as root).
docker: ## Install Debian's Docker engine and debootstrap if missing (for `make compose-test`)
	@{ docker info >/dev/null 2>&1 || command -v dockerd >/dev/null 2>&1; } && command -v debootstrap >/dev/null 2>&1 \
		|| { echo "installing Debian's docker.io and debootstrap"; apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io containerd runc iptables debootstrap >/dev/null; } \
		|| echo "warning: could not install Docker; container tests skip (and fail under CI=true)"

image: install ## Build the images tourism-booking:dev and tourism-frontend:dev (needs a running engine; stand-ins when no registry answers)
	$(PY) -m deploy.images.build $(if $(LOCAL),--local)

services: install nginx shop ## The services topology behind nginx on http://127.0.0.1:8080 (MODE=monolith: the monolith behind it; SERVICES_ARGS="--extracted catalog,payments": those apps on their own)
	$(PY) -m deploy.local.services --mode $(or $(MODE),services) $(SERVICES_ARGS)

# Worker, beat and relay run the profile in DJANGO_SETTINGS_MODULE (default: the monolith)
# against the broker in CELERY_BROKER_URL, e.g. amqp://guest:guest@127.0.0.1:5672//, with
# the command config/environment.py gives the process (deploy/local/run.py).
BROKER_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
NEEDS_BROKER = @test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// make $@ (without a broker, make run delivers tasks in-process)"; exit 1; }

worker: install ## Celery worker for the profile's queues (needs CELERY_BROKER_URL)
	$(NEEDS_BROKER)
	$(BROKER_ENV) $(PY) -m deploy.local.run worker

beat: install ## Celery beat: periodic tasks such as the outbox sweep (needs CELERY_BROKER_URL)
	$(NEEDS_BROKER)
	$(BROKER_ENV) $(PY) -m deploy.local.run beat

relay: install ## Outbox relay: publishes committed events to RabbitMQ (needs CELERY_BROKER_URL)
	$(NEEDS_BROKER)
	$(BROKER_ENV) $(PY) -m deploy.local.run relay

test: install nginx wrk prometheus chromium docker shop ## Run the whole suite: the shop's unit tests, then pytest, container tests included (PostgreSQL at 127.0.0.1:5432 unless DATABASE_URL says otherwise)
	npm --prefix frontend test --silent
	$(PY) -m pytest $(PYTEST_ARGS)

compose-test: install docker ## Only the deploy files in real containers: compose in both modes and a hybrid step, dev reload, the chart booted
	$(PY) -m pytest -m containers tests/deploy $(PYTEST_ARGS)

.PHONY: bench
bench: install nginx wrk ## Benchmarks on the local PostgreSQL and RabbitMQ into bench-results/ (QUICK=1: a small, fast run)
	$(PY) -m benchmarks.run $(if $(QUICK),--quick)

# Lint needs no database server: an in-memory SQLite stands in for whatever DATABASE_URL says.
LINT_ENV := DJANGO_DEBUG=1 DATABASE_URL=sqlite://:memory:

lint: install shop ## ruff, import contracts, migrations up to date, `check` for every profile, the shop's types
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(LINT_ENV) $(MANAGE) makemigrations --check --dry-run
	@for profile in $(PROFILES); do \
		echo "manage.py check ($$profile)"; \
		DJANGO_SETTINGS_MODULE=config.settings.$$profile $(LINT_ENV) $(MANAGE) check --fail-level WARNING || exit 1; \
	done
	npm --prefix frontend run typecheck --silent

fmt: install ## Format and auto-fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove the virtualenv, the SQLite database, collected static files and the shop's build
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache frontend/node_modules frontend/dist
