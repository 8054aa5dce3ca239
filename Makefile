# slot-planner: every target sets itself up (virtual environment, install) on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# DATABASE_URL: taken from the environment; its default lives in api/config.py (flask and the tests read it).

.PHONY: install test lint demo db browser bench bench-quick bench-http clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# ruff (style, complexity), mypy (types; strict, see pyproject.toml), import-linter (the layers: solver
# imports neither api nor benchmarks, api not benchmarks, no import cycles inside a package).
lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

test: install lint browser
	$(PY) -m pytest -q

# The browser tests (tests/web) drive the system's chromium; install it when missing (Debian / Ubuntu, as root).
export SLOT_PLANNER_CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(SLOT_PLANNER_CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && apt-get install -y -qq chromium; } || \
	  { echo "No browser at $(SLOT_PLANNER_CHROMIUM): install Debian's chromium (apt-get install chromium) as root," \
	    "or set SLOT_PLANNER_CHROMIUM=/path/to/chromium"; exit 1; }
	@test -x $(SLOT_PLANNER_CHROMIUM) || { echo "chromium was not installed at $(SLOT_PLANNER_CHROMIUM)"; exit 1; }

# The service: create the database if missing and apply sql/ migrations.
db: install
	$(VENV)/bin/flask --app api db upgrade

# Everything on a fresh machine: install, database, migrations, the demo day for today (in the service's
# zone), then gunicorn on http://127.0.0.1:$(DEMO_PORT); the curl for that day's slots is printed first.
DEMO_PORT ?= 8080
demo: db
	PORT=$(DEMO_PORT) $(VENV)/bin/flask --app api demo-data --date "$$(TZ=$${SLOT_PLANNER_TIMEZONE:-Europe/Moscow} date +%F)"
	@echo "Paste the curl above into another terminal. OpenAPI: /openapi.json, Swagger UI: /docs. Ctrl-C stops."
	@echo "Open the page: http://127.0.0.1:$(DEMO_PORT)/"
	$(VENV)/bin/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(DEMO_PORT) 'api:create_app()'

# Benchmarks (see "Benchmarks" in README.md): exact vs naive vs greedy slot queries. `bench` is the
# full suite (the last run before the 1,000/2,000-worker and all-PTSP cases were added took 703 s; those add
# 12 big-day and 42 PTSP cases, not yet timed as a whole); `bench-quick` a subset in about a minute.
# Results: benchmarks/results/.
bench: install
	$(PY) -m benchmarks.run --out benchmarks/results/latest.md

bench-quick: install
	$(PY) -m benchmarks.run --quick --out benchmarks/results/quick.md

# GET /api/v1/slots end to end (database read + solve + JSON) on generated L and XL days, through gunicorn;
# uses a separate database, slot_planner_bench. Results: benchmarks/results/http.md.
bench-http: install
	$(PY) -m benchmarks.http_slots --cases L-65 L-90 XL-90 crew-L-90 next-L-90

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
