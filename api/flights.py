"""Identical questions about the database asked at once share one answer (a "single flight" per key).

A slot query waits for the process's solve turn (`api.limits.slot_turn`). An identical query arriving while
it waits joins it instead of queueing a solve of its own. The leader, once it has its turn, closes its
flight to newcomers (`seal`) and only then reads the day (`api.day_slots`): its answer comes from a
snapshot taken after every member arrived and before any of them is answered, so it is exactly the answer
each would have computed at that instant (nothing stale, nothing guessed). A query
arriving after the seal starts a flight of its own. Why: dispatchers asking about the same day queue up
behind one slow solve; with the flight, those that arrive together cost one solve, and the queue behind
them is shorter. (On the load test, 5 pooled rounds each: `GET /slots` p95 1.57-3.29 s over four runs with
it, 2.17-2.20 s over two without; no clear effect there, where single slow solves set the p95.)

A member gets the leader's answer or its error. A member that waits longer than `wait` seconds gets 503
with Retry-After (the leader is bounded by its own turn's wait and budget, so this is a safety net).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import Flask, current_app

from api.errors import Busy

T = TypeVar("T")


class _Flight(Generic[T]):
    def __init__(self) -> None:
        self.members = 0  # queries that joined the leader
        self.done = threading.Event()
        self.answer: T | None = None
        self.error: BaseException | None = None


class Flights:
    """The open flights of one process, by key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Hashable, _Flight[object]] = {}

    def share(self, key: Hashable, lead: Callable[[Callable[[], bool]], T], *, wait: float) -> T:
        """`lead(seal)`'s answer, computed here or by the open flight of `key` this call joins. `seal()` closes
        the flight to newcomers and says whether anyone joined (the leader reads the day after it)."""
        with self._lock:
            joined = self._open.get(key)
            if joined is not None:
                joined.members += 1
            else:
                flight = self._open[key] = _Flight()
        if joined is not None:
            return self._follow(joined, wait)  # type: ignore[return-value]  # the same key's answer: a T

        def seal() -> bool:
            with self._lock:
                if self._open.get(key) is flight:
                    del self._open[key]
                return flight.members > 0

        try:
            flight.answer = lead(seal)
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            seal()
            flight.done.set()
        return flight.answer

    @staticmethod
    def _follow(flight: _Flight[object], wait: float) -> object:
        if not flight.done.wait(wait):
            raise Busy(f"an identical query has been answering for more than {wait:g} s; try again shortly",
                       retry_after=1)
        if flight.error is not None:
            raise flight.error
        return flight.answer


FLIGHTS_KEY = "slot_planner_flights"


def init_app(app: Flask) -> None:
    app.extensions[FLIGHTS_KEY] = Flights()


def share(key: Hashable, lead: Callable[[Callable[[], bool]], T], *, wait: float) -> T:
    """`Flights.share` on this process's flights (the current app's)."""
    flights: Flights = current_app.extensions[FLIGHTS_KEY]
    return flights.share(key, lead, wait=wait)
