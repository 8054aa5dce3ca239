# slot-planner: every target sets itself up (virtual environment, install) on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# DATABASE_URL: taken from the environment; its default lives in api/config.py (flask and the tests read it).

.PHONY: install test lint demo db browser bench bench-quick bench-http bench-load clean

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
	@echo "Open the page: http://127.0.0.1:$(DEMO_PORT)/ and sign in with the manager token above."
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(DEMO_PORT) 'api:create_app()'

# Benchmarks (see "Benchmarks" in README.md): exact vs naive vs greedy slot queries, `next` and `explain`, with
# the issue-8 and issue-9 targets computed in the report. `bench` is the full suite (78 cases: the issue-8
# days, 12 big days, 40 PTSP cases); its latest run (2026-12-05) took 1,295 s on the shared 2-core machine (the
# report's header gives each run's duration). `bench-quick`: small days through every path (cold, witness,
# crew, next, explain, tight PTSP) in about a minute. Results: benchmarks/results/.
bench: install
	$(PY) -m benchmarks.run --out benchmarks/results/latest.md

bench-quick: install
	$(PY) -m benchmarks.run --quick --out benchmarks/results/quick.md

# GET /api/v1/slots end to end (database read + solve + JSON) on generated L and XL days, through gunicorn;
# uses a separate database, slot_planner_bench. Results: benchmarks/results/http.md.
bench-http: install
	$(PY) -m benchmarks.http_slots --cases L-65 L-90 XL-90 crew-L-90 next-L-90

# Mixed load (managers: slots + booking, installers: take + release, planners: what-if) on the generated
# L-90 day through gunicorn on 127.0.0.1, 30 s (at most 60); database slot_planner_load (or SLOT_PLANNER_LOAD_DB),
# dropped and created afresh. Results: benchmarks/results/load.md.
bench-load: install
	$(PY) -m benchmarks.load --case L-90 --clients 8 --seconds 30 --rounds 5

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
