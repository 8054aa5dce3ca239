# slot-planner: every target sets itself up (virtual environment, install) on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/slot_planner

.PHONY: install test lint demo bench bench-quick clean

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

demo: install
	$(PY) -m solver slots examples/demo-day.json --date 2026-11-23 --duration 90 --step 30

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
