# msinfo — the two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the printed login link follow the port the site is served on (PORT=8011 make run).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint check-migrations clean bench

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall when the pinned requirements change.
$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## run: set everything up and serve the seeded site on http://127.0.0.1:8000, or on $PORT (SQLite by default)
run: $(VENV)/.runtime-installed
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py migrate --noinput
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py load_seed
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py create_demo_users
	DEBUG=1 SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

# Test workers (pytest-xdist): one per CPU by default, each with its own test database (Django's test
# database name suffixed _gw0, _gw1, ...), its own live server and its own browser. TEST_WORKERS=0 runs
# the suite in this one process.
TEST_WORKERS ?= auto

## test: set up and run the test suite (honours DATABASE_URL, PYTEST_ARGS and TEST_WORKERS)
test: $(VENV)/.dev-installed
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## lint: ruff (style, complexity, security) and the import contracts between the wings (pyproject.toml)
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check-migrations: $(VENV)/.dev-installed
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## bench: load-test on PostgreSQL + Redis with scale data, cache on and off; writes docs/PERFORMANCE.md
bench: $(VENV)/.runtime-installed
	bash bench/run.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
