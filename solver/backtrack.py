"""Exact depth-first search for tiny models: the answer of `solver.model`'s CP-SAT model without its fixed cost.

On a small day a window model holds 10-25 seats and 30-80 (seat, worker) pairs; CP-SAT takes 1-10 ms
to build, start and answer each, most of a 10-worker day's slot query (gen-S-80: 25 of 38 ms). This
search decides the same model in tens of microseconds when it is that small, and gives up (None) past
`max_nodes` assignments tried, where the caller asks CP-SAT as before.

The model searched is `solver.model`'s, constraint by constraint, for tasks without flexible holders:
- every seat (item) of every task of the model gets one worker among those its crew entry allows
  (`Instance.allowed`); a task's seats of one entry are its open seats of that entry (`need`);
- no worker holds two overlapping (half-open) intervals among the model's seats: the clique rows per
  worker say exactly this, and two seats of one task overlap, so a worker also takes at most one seat
  of a task (the model's "at most one entry per worker");
- per limited worker and operational day, the model's seats on it keep within `Instance.cap` less what
  pinned items outside the model already hold there (`pinned`), in seats and in ticks.

Soundness: the search tries, for the unassigned seat with the fewest workers left, every worker left
(the hint's first), pruning only assignments that break a constraint above, so "no plan" (False) is an
exhausted enumeration and a plan is checked constraint by constraint as it is built. One symmetry is
cut: seats of one task and entry are interchangeable (same interval, same workers, same day), so any
plan stays a plan with their workers sorted; only sorted orders are tried (worker indices increasing
with the seat's position).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from solver.instance import Instance

Usage = Mapping[tuple[int, int], tuple[int, int]]  # (worker, day) -> (seats, ticks) held outside the model


def search(inst: Instance, task_list: list[int], *, pinned: Usage | None = None,  # noqa: C901, PLR0912, PLR0915 -- one search, its closures share state
           hint: Mapping[int, int] | None = None, max_nodes: int) -> dict[int, int] | Literal[False] | None:
    """A plan (item -> worker, every seat of `task_list`), False if there is none, None if the search gave
    up (more than `max_nodes` assignments tried, or a flexible task: the caller then asks CP-SAT)."""
    items: list[int] = []
    group_of: dict[int, list[int]] = {}  # item -> the seats of its task and entry, in seat order
    options: dict[int, tuple[int, ...]] = {}
    for t in task_list:
        info = inst.tasks[t]
        if info.flexible:
            return None
        by_entry: dict[int, list[int]] = {}
        for i in info.seats:
            by_entry.setdefault(inst.entry[i], []).append(i)
        if any(len(by_entry.get(e, ())) != need for e, need in enumerate(info.need)):
            return None  # not the one-item-per-open-seat shape the model assumes: let CP-SAT decide
        for e, group in by_entry.items():
            workers = inst.allowed(t, e)
            for i in group:
                if inst.ends[i] <= inst.starts[i]:
                    return None
                items.append(i)
                group_of[i] = group
                options[i] = workers
    starts, ends, days = inst.starts, inst.ends, inst.days
    on: dict[int, list[int]] = {}  # worker -> items placed on it
    load: dict[tuple[int, int], list[int]] = {}  # (limited worker, day) -> [seats, ticks] placed
    caps: dict[tuple[int, int], tuple[int | None, int | None]] = {}
    limits = inst.limits
    of: dict[int, int] = {}
    hint = hint or {}
    nodes = 0

    def cap(w: int, day: int) -> tuple[int | None, int | None]:
        key = (w, day)
        found = caps.get(key)
        if found is None:
            seats, ticks = inst.cap(w, day)
            out_seats, out_ticks = (pinned or {}).get(key, (0, 0))
            found = caps[key] = (None if seats is None else seats - out_seats,
                                 None if ticks is None else ticks - out_ticks)
        return found

    def fits(i: int, w: int) -> bool:
        s, e = starts[i], ends[i]
        for u in on.get(w, ()):
            if starts[u] < e and s < ends[u]:
                return False
        group = group_of[i]
        if len(group) > 1:
            k = group.index(i)
            for j, u in enumerate(group):
                v = of.get(u)
                if v is not None and ((j < k and v >= w) or (j > k and v <= w)):
                    return False
        if w in limits:
            day = days[i]
            max_seats, max_ticks = cap(w, day)
            seats, ticks = load.get((w, day), (0, 0))
            if max_seats is not None and seats + 1 > max_seats:
                return False
            if max_ticks is not None and ticks + e - s > max_ticks:
                return False
        return True

    def place(i: int, w: int, sign: int) -> None:
        if sign > 0:
            of[i] = w
            on.setdefault(w, []).append(i)
        else:
            del of[i]
            on[w].remove(i)
        if w in limits:
            row = load.setdefault((w, days[i]), [0, 0])
            row[0] += sign
            row[1] += sign * (ends[i] - starts[i])

    left = set(items)

    def dfs() -> bool | None:
        nonlocal nodes
        if not left:
            return True
        best = -1
        best_ws: tuple[int, ...] = ()
        for i in left:  # the seat with the fewest workers left (ties: the lowest item, for a fixed order)
            ws = tuple(w for w in options[i] if fits(i, w))
            if not ws:
                return False
            if best < 0 or len(ws) < len(best_ws) or (len(ws) == len(best_ws) and i < best):
                best, best_ws = i, ws
        h = hint.get(best)
        if h in best_ws:
            best_ws = (h, *(w for w in best_ws if w != h))
        left.discard(best)
        for w in best_ws:
            nodes += 1
            if nodes > max_nodes:
                left.add(best)
                return None
            place(best, w, 1)
            found = dfs()
            if found is not False:
                if found is None:
                    place(best, w, -1)
                    left.add(best)
                return found
            place(best, w, -1)
        left.add(best)
        return False

    found = dfs()
    if found is None:
        return None
    return dict(of) if found else False
