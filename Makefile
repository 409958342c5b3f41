# vcdhub: `make demo` runs the demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND := vcdhub/static/vendor/.fetched
PG_URL ?= postgres://postgres:postgres@127.0.0.1:5432/vcdhub

.PHONY: install demo demo-load screens serve test test-sqlite test-postgres lint lint-checks bench bench-load bench-scale clean

install: $(STAMP) $(FRONTEND)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Front-end libraries from the npm registry (vcdhub/platform/frontend.py pins them), served locally.
$(FRONTEND): vcdhub/platform/frontend.py $(STAMP)
	$(BIN)/python -m vcdhub.platform.frontend
	touch $(FRONTEND)

# `demo load` migrates and makes the audit signing key itself (vcdhub/demo/management/commands/demo.py).
demo-load: install
	$(BIN)/vcdhub demo load

# The web server and, beside it, a worker for background jobs (place analyses); both stop together.
demo: demo-load
	$(BIN)/vcdhub db_worker --no-startup-delay --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/vcdhub runserver 127.0.0.1:8000

# Screenshots of the main screens as the users they are for, desktop and phone (docs/screens.md, docs/screens/):
# Debian's Chromium through Playwright, against a copy of the demo database (scripts/screens.py).
screens: demo-load
	$(BIN)/python scripts/screens.py

# Production: gunicorn (workers and threads sized to the cores; `vcdhub serve --help`) after the start-up
# check, and the background-job worker beside it; both stop together. DATABASE_URL chooses the database.
serve: install
	$(BIN)/vcdhub migrate --verbosity 0
	$(BIN)/vcdhub db_worker --no-startup-delay --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/vcdhub serve

# Style (ruff), the layering contracts (import-linter, pyproject.toml) and no model change without a migration.
lint: install lint-checks

lint-checks:
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DATABASE_URL= $(BIN)/vcdhub makemigrations --check --dry-run --verbosity 0

# Each database's run has its own temporary folder, so the two can run at once.
test-sqlite: install
	mkdir -p var && DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider --basetemp=var/pytest-sqlite

test-postgres: install
	mkdir -p var && DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider --basetemp=var/pytest-postgres

# Lint first; then the whole suite on SQLite and on PostgreSQL at the same time (one core each), each run's
# output printed whole when it ends.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

BENCH_PG ?= postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench

# Import, explorer counts, the performance report and the place analyses over the imported data, the audit
# cost, the server under load (bench/load.py), the duplicate finder (bench/people.py), and intelligence's
# full-text search and link chart (bench/intel.py). Exit status 1 if any target fails.
bench: install
	$(BIN)/python bench/run.py; status=$$?; \
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/report.py; \
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/places.py || status=1; \
	$(BIN)/python bench/audit.py; \
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/load.py || status=1; \
	$(BIN)/python bench/people.py || status=1; \
	$(BIN)/python bench/intel.py || status=1; \
	exit $$status

# The same benchmarks on ten times the data (the Met months copied ten times, shifted back two years each).
bench-scale: install
	$(BIN)/python bench/scale.py

# The load benchmark alone, against the database `make bench` imported (20 users through `vcdhub serve`).
bench-load: install
	DATABASE_URL=$(BENCH_PG) $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var
