# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# `PORT=8011 make run` serves on 8011, and the links in its emails point there
# too (scripts/devstack.py sets SITE_URL from it, unless SITE_URL is set).
PORT ?= 8000

.PHONY: help install run test test-fast lint format migrate content superuser bench bench-postgresql triage-eval clean

help:
	@echo "make run        set everything up and start the whole system on http://127.0.0.1:$(PORT)"
	@echo "make test       run the test suite (embedded SQLite and Redis)"
	@echo "make test-fast  the suite without worker, fault, browser and fuzz tests (about 2 min)"
	@echo "make lint       ruff check and format check"
	@echo "make format     ruff format and fix"
	@echo "make bench      benchmarks against baselines in the same run (about 13 min; writes bench/results/)"
	@echo "make bench-postgresql  the same on PostgreSQL (BENCH_DATABASE_URL; writes bench/results/postgresql/)"
	@echo "make triage-eval  score triage on the labelled corpus in tests/triage/ (recall, false alarms, speed)"
	@echo "make superuser  create a staff login for the admin"

# Reinstalls only when a requirements file changed since the last install.
$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(INSTALLED)

migrate: install
	$(BIN)/python manage.py migrate --noinput

content: migrate
	$(BIN)/python manage.py load_articles

run: content
	$(BIN)/python scripts/devstack.py --port $(PORT)

superuser: migrate
	$(BIN)/python manage.py createsuperuser

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite without the Celery-worker, fault-injection, browser and fuzz tests (about 2 min).
test-fast: install
	$(BIN)/python -m pytest -q -m "not integration and not fault and not e2e" \
		--ignore tests/test_fuzz_api.py --ignore tests/test_fuzz_form.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# BENCH_ARGS="--skip-burst" leaves out the burst (about 3 min); `bench/run.py --help` lists the rest.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# A database of its own: the bench adds 100,000+ rows to it.
BENCH_DATABASE_URL ?= postgres://clinic:clinic@127.0.0.1:5432/benchpg
bench-postgresql: install
	$(BIN)/python bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

triage-eval: install
	$(BIN)/python -m tests.triage.evaluation --timing $(EVAL_ARGS)

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache
