# DSR Registry. `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SEED_FIXTURES := $(sort $(wildcard fixtures/*.json))

.PHONY: run test install migrate seed bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: export DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(if $(SEED_FIXTURES),$(PY) manage.py loaddata $(SEED_FIXTURES))
	$(PY) manage.py ensure_admin
	@echo "DSR Registry on http://127.0.0.1:$(PORT)/  (admin /admin/, API /api/, docs /api/docs/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	PY=$(PY) scripts/test.sh

# The performance benchmark (bench/run.py): a throwaway PostgreSQL filled with 1,000,000
# camera counts and more, the app, the floor and Datasette under load; writes bench/RESULTS.md.
# BENCH_SCALE=0.1 make bench for a quick run.
bench: install
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	PG_EXTRA_OPTIONS="-c shared_buffers=512MB -c max_wal_size=4GB $(PG_EXTRA_OPTIONS)" scripts/with-postgres.sh $(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
