"""The `Server-Timing` header (W3C Server Timing): where a request's time went inside the service, so a client,
a browser's network panel or the load test (`benchmarks.load`) can tell waiting from solving without tracing
the server. A request notes its stages with `note`; the header lists them in order, in milliseconds.

What `GET /slots` notes (`api.service.slots`): `turn`, the wait for its slot turn (`api.limits.slot_turn`);
`read` and `solve`, the day's read and the solve in the solver process (`api.day_slots`); `shared`, instead of
those, the wait of a query that joined an identical one and got its answer (`api.flights`).

What a change the feasibility guard checks notes (`api.guard`): `lock`, the wait for its days' locks (another
change of the same day holds them); `read`, reading what the check needs; `check`, the proof in the solver
process; `store`, keeping the day's new plan.
"""

from __future__ import annotations

import contextlib

from flask import Flask, Response, g, has_request_context

HEADER = "Server-Timing"


def note(name: str, seconds: float) -> None:
    """Add a stage to this request's `Server-Timing`, or these seconds to the stage of that name if noted
    already (a write may wait for locks more than once); nothing outside a request."""
    if has_request_context():
        stages: list[tuple[str, float]] = g.setdefault("server_timing", [])
        for i, (noted, before) in enumerate(stages):
            if noted == name:
                stages[i] = (name, before + seconds)
                return
        stages.append((name, seconds))


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
