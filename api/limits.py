"""Bounded work: no client can make the service do unbounded work or starve the others.

- Request bodies are capped (`MAX_CONTENT_LENGTH`, default 2 MB -> 413).
- A what-if scenario may hold at most `WHAT_IF_MAX_WORKERS` workers, `WHAT_IF_MAX_SHIFTS` shifts and
  `WHAT_IF_MAX_TASKS` tasks, and a slot question at most `WHAT_IF_MAX_CANDIDATES` candidate starts
  (the day's length over the step) -> 422 naming the limit.
- Every solver call of a request shares one budget: `SOLVER_BUDGET` for a what-if, `QUERY_BUDGET` for a
  question about the database (GET slots, explain, next, takeable, availability); default 10 s each. What
  is not decided by then is reported `undecided` (slots, next, takeable, availability) or `unknown` (plan,
  explain), never guessed (see `solver_budget`, `solve_bounded`).
- What-if runs, and the explanation of a refused booking, run in background solver processes (niced, see
  `api.solver_processes`): on busy cores the live slot queries and change checks go first.
- What-if runs hold one of `WHAT_IF_CONCURRENCY` places per process; when all are taken the request is
  refused at once (503 with Retry-After) instead of queueing on a thread that `/healthz` or a booking needs.
  A database question runs on its own request thread (gunicorn's threads bound those).
- What-if is rate-limited per client (token, else address) with flask-limiter -> 429 with Retry-After.
- Slot queries about the database take turns: at most `SLOT_SOLVES` solve at once per process (`slot_turn`);
  the others wait, at most as long as one query ahead can hold the turn (`turn_wait`), then 503 with
  Retry-After. (`QUERY_BUDGET` alone was a little too short: on the load test's day a hard query now and
  then takes the whole 10 s budget, and the two queries queued behind one were refused at 10 s, just before
  the turn came free.) Why: when CP-SAT's stages
  were timed by the wall clock, slot queries sharing two cores with each other ran out of their stages and
  went on to wider windows (load test, 8 clients, 2 cores, three runs each: the slowest answer 2.3-3.7 s
  taking turns, 3.5-10.8 s without, 3 answers out of budget). The window stages are paced now
  (`solver.pace`), and one turn or two per process made no difference there (p95 2.1-2.8 s against
  1.9-2.9 s, four runs each; 5 pooled rounds later: 2.2 s one turn, 1.9 s two); one stays, so a burst of slot
  queries queues instead of sharing the cores. Identical queries in that queue share one solve
  (`api.flights`).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from api.errors import Busy, Unprocessable
from api.solver_processes import GRACE_SECONDS, isolated

WHAT_IF_PREFIX = "/api/v1/what-if/"
MAX_DAY_MINUTES = 25 * 60  # the longest operational day (a DST fall-back day)
SEMAPHORE_KEY = "slot_planner_what_if_places"
SLOT_TURN_KEY = "slot_planner_slot_turns"
T = TypeVar("T")


def _is_what_if() -> bool:
    return request.path.startswith(WHAT_IF_PREFIX)


def client_key() -> str:
    """Rate-limit key: the bearer token's hash, else the session's token, else the remote address."""
    header = request.headers.get("Authorization")
    if header:
        return "t:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    if isinstance(session.get("token_id"), int):
        return f"s:{session['token_id']}"
    return "a:" + (get_remote_address() or "?")


def solver_budget() -> float:
    """Seconds the solver work of this request may spend in total: SOLVER_BUDGET for a what-if, else
    QUERY_BUDGET (a question about the database)."""
    what_if = has_request_context() and _is_what_if()
    return float(current_app.config["SOLVER_BUDGET" if what_if else "QUERY_BUDGET"])


def solve_bounded(fn: Callable[..., T], *args: Any, timed_out: Callable[[], T], **kwargs: Any) -> T:
    """Run the solver call of a request isolated, with a hard deadline at the request's budget: the solver
    honours the budget itself where it can (its answer then names what it left open), and the deadline
    holds whatever it does (compiling, heuristics, one long model). A what-if holds a place of the bounded
    pool meanwhile (see `init_app`). Outside a request (commands, benchmarks) it runs inline."""
    return offloaded(fn, *args, seconds=solver_budget(), timed_out=timed_out, **kwargs)


def offloaded(fn: Callable[..., T], *args: Any, seconds: float, timed_out: Callable[[], T],
              background: bool | None = None, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a solver process (`api.solver_processes`) during a request, inline outside one.
    `background`: in a background process (see `api.solver_processes`); None: for a what-if request."""
    if has_request_context():
        if background is None:
            background = _is_what_if()
        return isolated(fn, args, kwargs, seconds=seconds, timed_out=timed_out, background=background)
    return fn(*args, **kwargs)


TURN_SLACK = 1.0  # seconds past a solver call's deadline for its turn to come free (the answer's way back)


def turn_wait() -> float:
    """Seconds a slot query waits for a turn: as long as the query holding it may (its budget, the solver
    process's grace and `TURN_SLACK`), so that only a queue of several refuses it."""
    return float(current_app.config["QUERY_BUDGET"]) + GRACE_SECONDS + TURN_SLACK


@contextmanager
def slot_turn() -> Iterator[None]:
    """Hold one of the process's `SLOT_SOLVES` turns for a slot query's solve (see the module docstring)."""
    turns: threading.BoundedSemaphore = current_app.extensions[SLOT_TURN_KEY]
    wait = turn_wait()
    if not turns.acquire(timeout=wait):
        raise Busy(f"slot queries are waiting their turn here for more than {wait:g} s; try again shortly",
                   retry_after=1)
    try:
        yield
    finally:
        turns.release()


def _limit(name: str, count: int, field: str) -> None:
    limit = current_app.config[name]
    if count > limit:
        raise Unprocessable(f"the scenario is too large: {count} {field} (at most {limit}, {name})",
                            errors=[{"field": field, "message": f"at most {limit} ({name})"}], limit=name)


def check_scenario_size(body: Any) -> None:
    """Refuse what-if scenarios above the configured sizes, from the raw JSON (before anything is built)."""
    if not isinstance(body, dict):
        return
    scenario = body.get("scenario")
    if isinstance(scenario, dict):
        workers = scenario.get("workers")
        if isinstance(workers, list):
            _limit("WHAT_IF_MAX_WORKERS", len(workers), "scenario.workers")
            shifts = sum(len(w["shifts"]) for w in workers if isinstance(w, dict) and isinstance(w.get("shifts"), list))
            _limit("WHAT_IF_MAX_SHIFTS", shifts, "scenario.workers[].shifts")
        tasks = scenario.get("tasks")
        if isinstance(tasks, list):
            _limit("WHAT_IF_MAX_TASKS", len(tasks), "scenario.tasks")
    step = body.get("step_minutes", 15)
    if "duration_minutes" in body and isinstance(step, int) and not isinstance(step, bool) and step > 0:
        _limit("WHAT_IF_MAX_CANDIDATES", math.ceil(MAX_DAY_MINUTES / step), "step_minutes")


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's own default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.extensions[SEMAPHORE_KEY] = threading.BoundedSemaphore(app.config["WHAT_IF_CONCURRENCY"])
    app.extensions[SLOT_TURN_KEY] = threading.BoundedSemaphore(app.config["SLOT_SOLVES"])

    @app.before_request
    def _what_if_limits() -> None:
        if not _is_what_if() or request.method != "POST":
            return
        check_scenario_size(g.get("json_body"))
        places: threading.BoundedSemaphore = current_app.extensions[SEMAPHORE_KEY]
        if not places.acquire(blocking=False):
            raise Busy("every what-if place of this process is in use; try again shortly", retry_after=1)
        g.what_if_place = places

    @app.teardown_request
    def _release(_: BaseException | None) -> None:
        places = g.pop("what_if_place", None)
        if places is not None:
            places.release()

    Limiter(
        client_key,
        app=app,
        default_limits=[lambda: current_app.config["WHAT_IF_RATE_LIMIT"]],
        default_limits_exempt_when=lambda: not _is_what_if(),
        storage_uri="memory://",
        headers_enabled=True,
        key_prefix="slot-planner",
    )
