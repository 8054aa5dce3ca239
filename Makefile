# slot-planner: every target sets itself up (virtual environment, install) on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/slot_planner

.PHONY: install test lint demo db bench bench-quick bench-http clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

lint: install
	$(PY) -m ruff check .

test: install lint
	$(PY) -m pytest -q

# The service: create the database if missing and apply sql/ migrations.
db: install
	$(VENV)/bin/flask --app api db upgrade

# Everything on a fresh machine: install, database, migrations, the demo day for today (in the service's
# zone), then gunicorn on http://127.0.0.1:$(DEMO_PORT); the curl for that day's slots is printed first.
DEMO_PORT ?= 8080
demo: db
	PORT=$(DEMO_PORT) $(VENV)/bin/flask --app api demo-data --date "$$(TZ=$${SLOT_PLANNER_TIMEZONE:-Europe/Moscow} date +%F)"
	@echo "Serving on http://127.0.0.1:$(DEMO_PORT) (OpenAPI: /openapi.json, Swagger UI: /docs). Ctrl-C stops."
	@echo "Paste the curl above into another terminal."
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
	$(PY) -m benchmarks.http_slots --cases L-65 L-90 XL-90

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
