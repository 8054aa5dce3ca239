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


def api_get(base: str, path: str, **params: Any) -> Any:
    r = requests.get(f"{base}/api/v1{path}", params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def span(item: dict[str, Any]) -> str:
    """How the page writes a period: wall-clock times as the API gives them ("10:00–11:30")."""
    return f"{item['start'][11:16]}–{item['end'][11:16]}"
