"""What each process's slot queries about the database learn for the next query of the same day: the plans
of the starts that took windows or a model to decide (`solver.domain.Guides`), kept per (day, length, crew).

Only hints, never answers: the solver checks every plan it builds from them against the day as read now,
so a guide from before any change (a booking, a take, a roster edit, another process's write) costs a
little time, never a wrong verdict. That is why nothing invalidates them and each gunicorn worker keeps
its own. Bounded: the `SLOT_GUIDES` most recently used queries (0: off); one entry is a day's plan and a
few plans' differences from it (3-10 plans, 17-30 KB pickled, on the load test's 200-worker day).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Flask, current_app

from solver.domain import Guides, SlotQuery

EXTENSION = "slot_planner_guides"


class GuideStore:
    """A thread-safe LRU of the latest `Guides` per key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, Guides] = OrderedDict()

    def get(self, key: Hashable) -> Guides | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, guides: Guides | None) -> None:
        """Keep `guides` for `key` (a query that learned nothing keeps the older ones: still hints)."""
        if guides is None or self.size <= 0:
            return
        with self._lock:
            self._items[key] = guides
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def key(query: SlotQuery) -> Hashable:
    """Queries whose plans serve each other: same day, same length, same seats (any step)."""
    return query.date, query.duration_minutes, query.seats


def store() -> GuideStore:
    found: GuideStore = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = GuideStore(app.config["SLOT_GUIDES"])
