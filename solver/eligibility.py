"""Who can take a task [start, end) with a skill: one vectorised pass over every shift and taken task.

`WorkerCalendar.can_take` answers for one worker; asking it for every worker of a 2,000-worker day
and every distinct task shape is millions of Python calls (most of a big day's compile time). This
index asks the same question of all workers at once, with numpy, on flat arrays of every shift and
every taken task:

    eligible(w) = has the skill  and  some shift of w holds [start, end)  and  no taken task of w meets it.

Soundness: that is `WorkerCalendar.can_take` word for word. It checks only the last shift starting
at or before `start`; shifts of one worker never overlap (`solver.validate` refuses it), so an
earlier shift ends before that one starts and cannot hold the task: "some shift" is the same test.
Taken tasks never overlap either, and "the first taken task ending after `start` starts before `end`"
is "some taken task meets [start, end)". The result is the same sorted tuple of worker indices.

Memory: arrays of one entry per shift and per taken task (linear in the day), built once per list of
calendars and kept for the last few lists (`_CACHE_SIZE`), keyed by identity. A list of calendars is
never changed after an instance is built from it (instances share it and copy only task lists); the
key also holds the list's length, so appending to one by hand only rebuilds the index.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

_CACHE_SIZE = 4


class _Calendar(Protocol):
    skills: frozenset[str]
    shift_starts: list[int]
    shift_ends: list[int]
    busy_starts: list[int]
    busy_ends: list[int]


class EligibilityIndex:
    """Every worker's shifts and taken tasks as flat arrays, for whole-day eligibility questions."""

    def __init__(self, calendars: Sequence[_Calendar]) -> None:
        self.n = len(calendars)
        self.calendars = calendars
        self.shift_w = np.array([w for w, c in enumerate(calendars) for _ in c.shift_starts], dtype=np.int64)
        self.shift_s = np.array([s for c in calendars for s in c.shift_starts], dtype=np.int64)
        self.shift_e = np.array([e for c in calendars for e in c.shift_ends], dtype=np.int64)
        self.busy_w = np.array([w for w, c in enumerate(calendars) for _ in c.busy_starts], dtype=np.int64)
        self.busy_s = np.array([s for c in calendars for s in c.busy_starts], dtype=np.int64)
        self.busy_e = np.array([e for c in calendars for e in c.busy_ends], dtype=np.int64)
        self._skill: dict[str, np.ndarray] = {}

    def _has(self, skill: str) -> np.ndarray:
        mask = self._skill.get(skill)
        if mask is None:
            mask = np.fromiter((skill in c.skills for c in self.calendars), dtype=bool, count=self.n)
            self._skill[skill] = mask
        return mask

    def eligible(self, start: int, end: int, skill: str | None) -> tuple[int, ...]:
        ok = np.zeros(self.n, dtype=bool)
        ok[self.shift_w[(self.shift_s <= start) & (self.shift_e >= end)]] = True
        ok[self.busy_w[(self.busy_s < end) & (self.busy_e > start)]] = False
        if skill is not None:
            ok &= self._has(skill)
        return tuple(np.flatnonzero(ok).tolist())

    def eligible_many(self, starts: Sequence[int], ends: Sequence[int], skill: str | None) -> list[tuple[int, ...]]:
        """`eligible` of every (start, end) pair, in one pass over arrays of (pairs x shifts) and (pairs x taken
        tasks): the same test row by row. A slot query asks this of its 271 candidates, where one call each
        was a fifth of a 10-worker day's query."""
        s = np.asarray(starts, dtype=np.int64)[:, None]
        e = np.asarray(ends, dtype=np.int64)[:, None]
        ok = np.zeros((len(starts), self.n), dtype=bool)
        rows, cols = np.nonzero((self.shift_s <= s) & (self.shift_e >= e))
        ok[rows, self.shift_w[cols]] = True
        rows, cols = np.nonzero((self.busy_s < e) & (self.busy_e > s))
        ok[rows, self.busy_w[cols]] = False
        if skill is not None:
            ok &= self._has(skill)
        rows, cols = np.nonzero(ok)  # row-major: each row's workers in order, rows one after another
        bounds = np.searchsorted(rows, np.arange(len(starts) + 1)).tolist()
        workers = cols.tolist()
        return [tuple(workers[a:b]) for a, b in itertools.pairwise(bounds)]


_cache: OrderedDict[tuple[int, int], EligibilityIndex] = OrderedDict()
_lock = threading.Lock()  # the service answers from several threads


def index_of(calendars: Sequence[_Calendar]) -> EligibilityIndex:
    """The index of this list of calendars (cached by identity and length; see the module docstring)."""
    key = (id(calendars), len(calendars))
    with _lock:
        found = _cache.get(key)
        if found is not None and found.calendars is calendars:
            _cache.move_to_end(key)
            return found
    index = EligibilityIndex(calendars)
    with _lock:
        _cache[key] = index
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index
