"""Suite-wide pytest configuration: the import path, repository paths, and real PostgreSQL databases."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

# --- import path -----------------------------------------------------------------------------------
# pytest puts tests/ on sys.path (rootdir-less conftest), where tests/solver/ and tests/api/ look like
# namespace packages and would shadow the real `solver` and `api` (installed editable, found after
# sys.path). A regular package on sys.path wins over namespace folders, so the repo root goes first.

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Imported only now, after the path fix above, so `api` is the real package.
from api import config, create_app  # noqa: E402
from api.auth import create_token  # noqa: E402
from api.db import close_pool, unit_of_work, upgrade  # noqa: E402

# --- paths -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root: the CLI runs from here and `examples/` lives here."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def examples_dir(repo_root: Path) -> Path:
    return repo_root / "examples"


# --- PostgreSQL and the service (used by tests/api) --------------------------------------------------
# Real PostgreSQL only: the server at DATABASE_URL (default: api.config's). If it is unreachable the
# tests fail with the connection error; they are never skipped. One migrated template database per
# session; the tests share one copy of it, emptied before each test (`database_url`), and a test that
# breaks its database gets a copy of its own (`fresh_database_url`), dropped afterwards.

_db_counter = itertools.count()


def _server_url() -> str:
    return config.database_url()  # DATABASE_URL, else the service's default


def _db_url(name: str) -> str:
    return make_conninfo(_server_url(), dbname=name)


def _admin(sql_text: str) -> None:
    with psycopg.connect(_db_url("postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql_text)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """Name of a freshly migrated template database (created once per session)."""
    name = f"slot_planner_test_tpl_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    upgrade(_db_url(name))  # creates the database, then applies sql/ like `flask --app api db upgrade`
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database_url(pg_template: str) -> Iterator[str]:
    """A database of this test's own, copied from the migrated template (for tests that break it)."""
    name = f"slot_planner_test_{os.getpid()}_{next(_db_counter)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _db_url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _session_database(pg_template: str) -> Iterator[str]:
    name = f"slot_planner_test_{os.getpid()}_shared"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _db_url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Emptying the tables is ~50x faster than a new database per test (DROP DATABASE costs a checkpoint).
_RESET = """
TRUNCATE day_witness, task_seats, task_crew, tasks, shifts, workers, api_tokens, events, roster_patterns,
  roster_overrides, absences, slot_guides;
ALTER SEQUENCE worker_id_seq RESTART; ALTER SEQUENCE task_id_seq RESTART; ALTER SEQUENCE shifts_id_seq RESTART;
ALTER SEQUENCE roster_patterns_id_seq RESTART; ALTER SEQUENCE absences_id_seq RESTART;
"""


@pytest.fixture
def database_url(_session_database: str) -> str:
    """The connection string of an empty, migrated database, isolated from every other test."""
    with psycopg.connect(_session_database, autocommit=True) as conn:
        conn.execute(_RESET)
    return _session_database


@pytest.fixture
def app(database_url: str) -> Iterator[Any]:
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "TIMEZONE": "Europe/Moscow",
        "DAY_START": "03:00",
        "POOL_TIMEOUT": 3.0,
        "WHAT_IF_RATE_LIMIT": "100000 per minute",  # tests/api/test_limits.py sets its own
    })
    yield application
    close_pool(application)


def _token(app: Any, role: str, worker_id: str | None = None) -> str:
    with app.app_context(), unit_of_work() as conn:
        return create_token(conn, role, worker_id, label=f"test {role}")[1]


@pytest.fixture
def token_for(app: Any) -> Any:
    """token_for(role, worker_id=None) -> a fresh API token of that role (installers: for that worker)."""
    return lambda role, worker_id=None: _token(app, role, worker_id)


@pytest.fixture
def client_as(app: Any, token_for: Any) -> Any:
    """client_as(role, worker_id=None) -> a test client that sends a bearer token of that role."""

    def make(role: str, worker_id: str | None = None) -> Any:
        c = app.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(role, worker_id)}"
        return c

    return make


@pytest.fixture
def anonymous(app: Any) -> Any:
    """A test client without credentials."""
    return app.test_client()


@pytest.fixture
def client(client_as: Any) -> Any:
    """An admin's client: the service tests exercise behaviour; who may do what is tests/api/test_access.py."""
    return client_as("admin")
