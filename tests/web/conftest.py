"""Fixtures for the browser tests: gunicorn on the real PostgreSQL, the demo day, and Debian's chromium.

The browser is the operating system's `chromium` (Playwright's own download is not used). A missing
browser fails the tests with how to install it; it is never a skip (`make test` installs it first).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from server_kit import gunicorn
from web_kit import DEMO_DAY, Api, sign_in

from api.auth import create_token
from api.db import unit_of_work

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SLOT_PLANNER_CHROMIUM") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def live_server(_session_database: str) -> Iterator[str]:
    """gunicorn serving the app on the suite's shared database (emptied per test by `database_url`)."""
    with gunicorn(_session_database, threads=8, quick_stop=True) as base:
        yield base


@pytest.fixture(scope="module")
def _demo_state() -> dict[str, Any]:
    return {"clean": False, "tokens": {}}


@pytest.fixture
def demo_day(request: pytest.FixtureRequest, _demo_state: dict[str, Any], live_server: str) -> str:
    """The demo day, loaded by the real `flask --app api demo-data` command into an emptied database, with
    an API token per role (installers: anna, boris, elena) made by `api.auth.create_token`, as the
    `flask --app api token create` command makes them.

    Loading costs a second or two, so it is done again only after a test that changes data (those ask for
    `changes_data`); tests that only read, or whose changes are refused, share the loaded day.
    """
    if not _demo_state["clean"]:
        request.getfixturevalue("database_url")  # the suite's own reset: every table emptied, tokens too
        app = request.getfixturevalue("app")
        result = app.test_cli_runner().invoke(args=["demo-data", "--date", DEMO_DAY])
        assert result.exit_code == 0, result.output
        roles = {"manager": None, "planner": None, "admin": None, "anna": "anna", "boris": "boris", "elena": "elena"}
        with app.app_context(), unit_of_work() as conn:
            _demo_state["tokens"] = {
                name: create_token(conn, "installer" if worker else name, worker, label=f"web test {name}")[1]
                for name, worker in roles.items()}
        _demo_state["clean"] = True
    return DEMO_DAY


@pytest.fixture
def tokens(demo_day: str, _demo_state: dict[str, Any]) -> dict[str, str]:
    """name -> API token of the loaded demo day: manager, planner, admin, and installers anna, boris, elena."""
    return dict(_demo_state["tokens"])


@pytest.fixture
def api(live_server: str, tokens: dict[str, str]) -> Api:
    """The JSON API beside the page, as an admin (reads everything)."""
    return Api(live_server, tokens["admin"])


@pytest.fixture
def changes_data(demo_day: str, _demo_state: dict[str, Any]) -> str:
    """For a test that changes the demo day: whatever its outcome, the next test gets a fresh one."""
    _demo_state["clean"] = False
    return demo_day


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no browser at {CHROMIUM}: run `make test` (it installs Debian's chromium) or "
                    "`apt-get update && apt-get install -y chromium`, or set SLOT_PLANNER_CHROMIUM", pytrace=False)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def desktop(browser: Any) -> Iterator[Any]:
    """One desktop-sized browser context per module; its only state is the session cookie, set per test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(desktop: Any, live_server: str, tokens: dict[str, str]) -> Iterator[Any]:
    """A fresh tab, signed in as a manager, whose clock stands at 13:40 on the demo day (the "now" marker)."""
    pg = desktop.new_page()
    sign_in(pg, live_server, tokens["manager"])
    pg.clock.set_fixed_time(f"{DEMO_DAY}T13:40:00+03:00")
    yield pg
    pg.close()


@pytest.fixture
def phone(browser: Any, live_server: str, tokens: dict[str, str]) -> Iterator[Any]:
    """A 390 px wide touch screen (an iPhone 12-sized viewport), signed in as a manager."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    sign_in(pg, live_server, tokens["manager"])
    pg.clock.set_fixed_time(f"{DEMO_DAY}T13:40:00+03:00")
    yield pg
    context.close()
