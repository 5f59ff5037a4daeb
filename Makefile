# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# `PORT=8011 make run` serves on 8011, and the links in its emails point there
# too (scripts/devstack.py sets SITE_URL from it, unless SITE_URL is set).
PORT ?= 8000

.PHONY: help install run test test-fast lint typecheck format lock lock-check migrate content superuser bench bench-postgresql triage-eval clean

help:
	@echo "make run        set everything up and start the whole system on http://127.0.0.1:$(PORT)"
	@echo "make test       run the test suite (embedded SQLite and Redis; fault-injection tests last, one at a time)"
	@echo "make test-fast  the suite without worker, fault, browser and fuzz tests"
	@echo "make lint       ruff check, format check and mypy (make typecheck)"
	@echo "make typecheck  mypy with the Django and DRF plugins, on the app code, tests/ and bench/"
	@echo "make lock       compile requirements*.in into the hashed locks requirements*.txt"
	@echo "make lock-check fail when a lock is out of date with its .in file (CI runs it)"
	@echo "make format     ruff format and fix"
	@echo "make bench      benchmarks against baselines in the same run (about 13 min; writes bench/results/)"
	@echo "make bench-postgresql  the same on PostgreSQL (BENCH_DATABASE_URL; writes bench/results/postgresql/)"
	@echo "make triage-eval  score triage on the labelled corpus in tests/triage/ (recall, false alarms, speed)"
	@echo "make superuser  create a staff login for the admin"

# Installs the development lock (everything, transitive dependencies and pip
# itself included, each pinned with its hashes: pip refuses anything else), and
# again only when a lock changed since the last install. See scripts/lock.py.
$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
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

# The suite in two parts. First every test but the fault-injection ones, spread over the
# machine's cores by pytest-xdist (each worker has its own SQLite file, Redis server and
# ports; WORKERS=0 runs them in this process). Then the fault-injection tests (marker
# `fault`), one at a time: they time how real processes answer, fail and recover, and
# tests competing with them for the CPU would make those times lie.
PYTEST := $(BIN)/python -m pytest
WORKERS ?= auto
# pytest exits 5 when it selected nothing. For the whole suite that means tests went
# missing, an error; but PYTEST_ARGS that pick tests of one part leave the other empty.
define pytest_part
$(PYTEST) $(1) $(PYTEST_ARGS) || { status=$$?; [ $$status -eq 5 ] && [ -n "$(strip $(PYTEST_ARGS))" ] || exit $$status; }
endef

test: install
	@echo "--- every test but the fault-injection ones, on $(WORKERS) workers"
	$(call pytest_part,-n $(WORKERS) --dist loadgroup -m "not fault")
	@echo "--- the fault-injection tests, one at a time"
	$(call pytest_part,-m fault $(if $(strip $(PYTEST_ARGS)),,tests/fault))

# The suite without the Celery-worker, fault-injection, browser and fuzz tests, on every core.
test-fast: install
	$(PYTEST) -q -n $(WORKERS) --dist loadgroup -m "not integration and not fault and not e2e" \
		--ignore tests/test_fuzz_api.py --ignore tests/test_fuzz_form.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# mypy alone, on the files pyproject.toml names (the app code, tests/ and bench/).
typecheck: install
	$(BIN)/mypy

# Compiles requirements.in and requirements-dev.in into the locks, keeping the
# versions they pin unless an input needs another; LOCK_ARGS go to uv's
# pip compile, e.g. `make lock LOCK_ARGS="--upgrade-package celery"`.
lock: install
	$(BIN)/python scripts/lock.py $(LOCK_ARGS)

# Compiles both again into a temporary folder and fails if either lock differs.
lock-check: install
	$(BIN)/python scripts/lock.py --check

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
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache .mypy_cache
