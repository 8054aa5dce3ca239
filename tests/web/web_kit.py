"""Helpers for the browser tests: the demo day's date, screenshots, reading the API beside the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
DEMO_DAY = "2026-11-23"  # a fixed day, so pictures and expectations do not move with the clock


def screenshot(page: Any, name: str, **kwargs: Any) -> None:
    """Write docs/screenshots/<name> (committed; shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), animations="disabled", caret="hide", **kwargs)


class Api:
    """The JSON API beside the page, called with a bearer token (an admin's: it may read everything)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        r = requests.get(f"{self.base}/api/v1{path}", params=params, headers=self.headers, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{self.base}/api/v1{path}", json=body, headers=self.headers, timeout=60)


def sign_in(page: Any, base: str, token: str) -> None:
    """Sign the page's browser context in, as the sign-in page does (POST /api/v1/session sets the cookie)."""
    r = page.context.request.post(f"{base}/api/v1/session", data={"token": token})
    assert r.status == 200, r.text()


def span(item: dict[str, Any]) -> str:
    """How the page writes a period: wall-clock times as the API gives them ("10:00–11:30")."""
    return f"{item['start'][11:16]}–{item['end'][11:16]}"
