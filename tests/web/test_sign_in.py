"""A browser without a session sees a sign-in form; with a token it signs in (HttpOnly session cookie) and
the board fills from the API; the page's changes carry the session's CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from web_kit import AUTH, DEMO_DAY


@pytest.fixture
def stranger(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_browser_without_a_session_signs_in_with_a_token(stranger: Any, live_server: str, demo_day: str) -> None:
    stranger.goto(f"{live_server}/days/{DEMO_DAY}")
    form = stranger.locator("#sign-in")
    expect(form).to_be_visible()
    form.get_by_label("API token").fill("sp_not-a-token")
    form.get_by_role("button", name="Sign in").click()
    expect(stranger.locator("#status")).to_contain_text("unknown or revoked")
    form.get_by_label("API token").fill(AUTH["Authorization"].removeprefix("Bearer "))
    form.get_by_role("button", name="Sign in").click()
    expect(stranger.locator("#board")).to_have_attribute("aria-busy", "false")
    expect(stranger.locator("#sign-in")).to_have_count(0)
    cookie = next(c for c in stranger.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert stranger.evaluate("document.cookie") == ""  # the script cannot read the session cookie
