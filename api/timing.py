"""The `Server-Timing` header (W3C Server Timing): where a request's time went inside the service, so a client,
a browser's network panel or the load test (`benchmarks.load`) can tell waiting from solving without tracing
the server. A request notes its stages with `note`; the header lists them in order, in milliseconds.

What `GET /slots` notes (`api.service.slots`): `turn`, the wait for its slot turn (`api.limits.slot_turn`);
`read` and `solve`, the day's read and the solve in the solver process (`api.day_slots`); `shared`, instead of
those, the wait of a query that joined an identical one and got its answer (`api.flights`).
"""

from __future__ import annotations

import contextlib

from flask import Flask, Response, g, has_request_context

HEADER = "Server-Timing"


def note(name: str, seconds: float) -> None:
    """Add a stage to this request's `Server-Timing` (nothing outside a request)."""
    if has_request_context():
        g.setdefault("server_timing", []).append((name, seconds))


def header(stages: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in stages)


def parse(value: str | None) -> dict[str, float]:
    """A `Server-Timing` value as name -> seconds (entries without a duration left out)."""
    out: dict[str, float] = {}
    for entry in (value or "").split(","):
        name, *params = (part.strip() for part in entry.split(";"))
        for param in params:
            key, _, dur = param.partition("=")
            if key == "dur" and name:
                with contextlib.suppress(ValueError):
                    out[name] = float(dur) / 1000
    return out


def init_app(app: Flask) -> None:
    @app.after_request
    def _timing(response: Response) -> Response:
        stages = g.pop("server_timing", None)
        if stages:
            response.headers[HEADER] = header(stages)
        return response
