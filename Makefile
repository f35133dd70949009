# Two commands are the whole set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test worker beat bench messages lint format clean help

help:
	@echo "make run     - install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test    - ruff, import layers, migrations check and the whole test suite"
	@echo "make worker  - a Celery worker against REDIS_URL"
	@echo "make beat    - Celery beat (periodic tasks) against REDIS_URL"
	@echo "make bench   - the benchmarks in bench/"
	@echo "make messages - refresh the translation catalogs (needs GNU gettext)"

# JavaScript the tests use, pinned in tests/js/package-lock.json: Mozilla's ical.js reads
# the calendar feed, axe-core checks the pages in the browser tests.
JS_STAMP := tests/js/node_modules/.installed

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --silent && touch $(JS_STAMP); \
	else \
		echo "npm not found: the ical.js and axe-core tests skip (with CI=true they fail)"; \
	fi

run: $(STAMP)
	mkdir -p var
	DEBUG=1 $(MANAGE) migrate --noinput
	DEBUG=1 $(MANAGE) compilemessages_if_possible
	DEBUG=1 $(MANAGE) seed_demo --if-empty
	DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

test: $(STAMP) $(JS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(MANAGE) compilemessages_if_possible
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

worker: $(STAMP)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A rme_platform worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A rme_platform beat --loglevel=INFO --schedule=var/celerybeat-schedule

# The benchmarks also need the `bench` extra (Locust, for bench/load/).
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/run.py

messages: $(STAMP)
	DEBUG=1 $(MANAGE) makemessages --locale en --locale es --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=1 $(MANAGE) compilemessages --locale en --locale es

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/screenshots .pytest_cache .ruff_cache tests/js/node_modules
