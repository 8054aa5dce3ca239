"""A browser without a session is sent to the sign-in page; with a token it signs in (an HttpOnly,
SameSite=Strict session cookie the script cannot read) and comes back to the page it asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from web_kit import DEMO_DAY, screenshot


@pytest.fixture
def stranger(browser: Any) -> Iterator[Any]:
    """A tab in a browser context of its own, with no session cookie."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _submit(page: Any, token: str) -> None:
    form = page.locator("#sign-in-form")
    form.get_by_label("API token").fill(token)
    form.get_by_role("button", name="Sign in").click()


def test_a_browser_without_a_session_signs_in_with_a_token(stranger: Any, live_server: str, demo_day: str,
                                                           tokens: dict[str, str]) -> None:
    stranger.goto(f"{live_server}/days/{DEMO_DAY}")
    expect(stranger).to_have_url(f"{live_server}/sign-in?next=/days/{DEMO_DAY}")
    _submit(stranger, "sp_not-a-token")
    expect(stranger.locator("#sign-in-problem")).to_have_text(
        "That token is unknown or revoked: check it, or ask a manager for a new one.")
    screenshot(stranger, "sign-in.png")
    _submit(stranger, tokens["manager"])
    expect(stranger).to_have_url(f"{live_server}/days/{DEMO_DAY}")
    expect(stranger.locator("#board")).to_have_attribute("aria-busy", "false")
    expect(stranger.locator("#signed-in")).to_have_text("manager")
    expect(stranger.locator(".row[data-worker='anna']")).to_be_visible()
    cookie = next(c for c in stranger.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert stranger.evaluate("document.cookie") == ""  # the script cannot read the session cookie

    stranger.get_by_role("button", name="Sign out").click()
    expect(stranger).to_have_url(f"{live_server}/sign-in")
    stranger.goto(f"{live_server}/workers/anna")
    expect(stranger).to_have_url(f"{live_server}/sign-in?next=/workers/anna")


def test_an_installer_lands_on_their_week_and_no_link_leaves_the_site(stranger: Any, live_server: str,
                                                                     demo_day: str, tokens: dict[str, str]) -> None:
    stranger.goto(f"{live_server}/sign-in?next=//example.org/")  # no open redirect
    _submit(stranger, tokens["anna"])
    expect(stranger).to_have_url(f"{live_server}/workers/anna")
    expect(stranger.locator("#signed-in")).to_have_text("installer anna")
    stranger.goto(f"{live_server}/days/{DEMO_DAY}")  # the board is for managers and planners
    expect(stranger.locator("h1")).to_have_text("Not allowed")
    expect(stranger.get_by_role("link", name="Go to my week")).to_have_attribute("href", "/workers/anna")
