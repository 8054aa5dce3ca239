"""Fixtures for the browser tests: gunicorn on the real PostgreSQL, the demo day, and Debian's chromium.

The browser is the operating system's `chromium` (Playwright's own download is not used). A missing
browser fails the tests with how to install it; it is never a skip (`make test` installs it first).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import sync_playwright
from web_kit import DEMO_DAY

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SLOT_PLANNER_CHROMIUM") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(_session_database: str) -> Iterator[str]:
    """gunicorn serving the app on the suite's shared database (emptied per test by `database_url`)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _session_database, "SLOT_PLANNER_TIMEZONE": "Europe/Moscow",
           "SLOT_PLANNER_DAY_START": "03:00"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "api:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight any more
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def _demo_state() -> dict[str, bool]:
    return {"clean": False}


@pytest.fixture
def demo_day(request: pytest.FixtureRequest, _demo_state: dict[str, bool], live_server: str) -> str:
    """The demo day, loaded by the real `flask --app api demo-data` command into an emptied database.

    Loading costs a second or two, so it is done again only after a test that changes data (those ask for
    `changes_data`); tests that only read, or whose changes are refused, share the loaded day.
    """
    if not _demo_state["clean"]:
        request.getfixturevalue("database_url")  # the suite's own reset: every table emptied
        app = request.getfixturevalue("app")
        result = app.test_cli_runner().invoke(args=["demo-data", "--date", DEMO_DAY])
        assert result.exit_code == 0, result.output
        _demo_state["clean"] = True
    return DEMO_DAY


@pytest.fixture
def changes_data(demo_day: str, _demo_state: dict[str, bool]) -> str:
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
    """One desktop-sized browser context per module (the page keeps no state in it: no cookies, no storage)."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(desktop: Any) -> Iterator[Any]:
    """A fresh tab whose clock stands at 13:40 on the demo day (for the "now" marker)."""
    pg = desktop.new_page()
    pg.clock.set_fixed_time(f"{DEMO_DAY}T13:40:00+03:00")
    yield pg
    pg.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A 390 px wide touch screen (an iPhone 12-sized viewport)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.clock.set_fixed_time(f"{DEMO_DAY}T13:40:00+03:00")
    yield pg
    context.close()
