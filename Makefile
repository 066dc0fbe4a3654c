# DSR Registry. `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SEED_FIXTURES := $(sort $(wildcard fixtures/*.json))

.PHONY: run test install migrate seed bench clean backup restore fuzz load audit

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

# Backups (registry/management/commands/backup_db.py): pg_dump -Fc for PostgreSQL, a
# natural-key JSON dump (history included) for SQLite. BACKUP=path chooses the file.
backup: install
	$(PY) manage.py backup_db $(BACKUP)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<file>"; exit 2; }
	$(PY) manage.py restore_db $(BACKUP)

# A vulnerability audit of the installed dependencies (pip-audit). Reports findings;
# skips where the advisory data cannot be reached; AUDIT_STRICT=1 fails on findings.
audit: install
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,security]' \
		|| { echo "audit: could not install pip-audit; skipped"; exit 0; }
	$(PY) -m reliability.audit

# Fuzz the API for longer than the suite's bounded run (tests/test_fuzz.py).
FUZZ_EXAMPLES ?= 200
fuzz: install
	DSR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) DSR_FUZZ_RANDOM=1 $(PY) -m pytest tests/test_fuzz.py -q -p no:cacheprovider

# gunicorn on 127.0.0.1 under 200 clients for 60 s, then PostgreSQL stopped for 10 s
# mid-load; prints the figures (reliability/load.py). Needs PostgreSQL's server binaries.
load: install
	scripts/with-postgres.sh $(PY) -m reliability.load

# The performance benchmark (bench/run.py): a throwaway PostgreSQL filled with 1,000,000
# camera counts and more, the app, the floor and Datasette under load; writes bench/RESULTS.md.
# BENCH_SCALE=0.1 make bench for a quick run.
bench: install
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	PG_EXTRA_OPTIONS="-c shared_buffers=512MB -c max_wal_size=4GB $(PG_EXTRA_OPTIONS)" scripts/with-postgres.sh $(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
