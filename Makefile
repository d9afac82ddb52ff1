# ImproveWell: `make run` to try it, `make test` to test it.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast e2e lint format worker beat clean mutants bench soak faults

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed $(VENV)/.installed .env
	$(PY) manage.py vendor_assets
	touch $@

# A local .env with a fresh random SECRET_KEY; never committed.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\nANONYMITY_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env with a new SECRET_KEY and ANONYMITY_KEY (see .env.example for every setting)."

install: $(VENV)/.installed node_modules/.installed .env static/vendor/.installed

run: install
	$(PY) manage.py migrate --noinput
	REQUIRE_MFA=false $(PY) manage.py seed_demo
	REQUIRE_MFA=false $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not e2e"

e2e: install
	$(PY) -m pytest -m e2e

# Mutation testing of the modules behind the two promises (docs/testing.md). CPU-heavy:
# niced, on SQLite. MUTANTS narrows it to some modules, e.g. MUTANTS='ideas.services*'.
# mutants/ is made afresh each time: mutmut would otherwise keep stale copies of the code.
MUTANTS ?=
mutants: $(VENV)/.installed
	rm -rf mutants
	-env -u DATABASE_URL -u REDIS_URL nice -n 19 $(VENV)/bin/mutmut run $(MUTANTS)
	$(VENV)/bin/mutmut results

# The pages under load at 10k, 100k and 1M ideas (bench/README.md): gunicorn with production
# settings, loaded by wrk (apt-get install -y wrk). Writes only to databases named iw_bench_web*.
# About an hour on two cores. BENCH_ARGS='--scale small' tries it out in a few minutes.
BENCH_ARGS ?= --scale full
bench: install
	$(PY) -m bench.web $(BENCH_ARGS)

# Load with integrity (bench/README.md): members sharing, resending, supporting, commenting and
# checking in at once against gunicorn on 127.0.0.1 with production settings, then every
# acknowledged write is looked for in the database; fails on a 5xx or a lost or doubled write.
# Writes only to databases named iw_bench_soak* and Redis database 12. About two minutes.
SOAK_ARGS ?= --clients 50 --seconds 60
soak: install
	$(PY) -m bench.soak $(SOAK_ARGS)

# The fault tests at length (docs/testing.md): a private PostgreSQL restarted again and
# again for FAULT_SECONDS under load, besides Redis stopped, a worker killed mid roll-up
# and two beats. Needs PostgreSQL 15's server binaries and redis-server; the tests' own
# database comes from DATABASE_URL, as for `make test`. CI runs them once, in seconds.
FAULT_SECONDS ?= 60
faults: install
	FAULT_SECONDS=$(FAULT_SECONDS) $(PY) -m pytest -p no:cacheprovider tests/faults

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	$(VENV)/bin/celery -A improvewell worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A improvewell beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles .pytest_cache mutants
