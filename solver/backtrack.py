"""Exact depth-first search for tiny models: the answer of `solver.model`'s CP-SAT model without its fixed cost.

On a small day a window model holds 10-25 seats and 30-80 (seat, worker) pairs; CP-SAT takes 1-10 ms
to build, start and answer each, most of a 10-worker day's slot query (gen-S-80: 25 of 38 ms). This
search decides the same model in a few tenths of a millisecond when it is that small, and gives up (None)
past `max_nodes` assignments tried, where the caller asks CP-SAT as before (`SolverOptions.tiny_search`:
at most 120 pairs and 200 assignments; larger models, e.g. crew M-65's 150-200-pair windows that limits
make infeasible, mostly ran out of nodes there, a few milliseconds lost each). Measured by hand per query
(2 cores): S-65 25 -> 7 ms, S-80 34 -> 9 ms, S-90 9.4 -> 5.4 ms (with the batched eligibility of
`solver.slots`), crew S-80 17 -> 9 ms; M and L days unchanged.

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


def search(inst: Instance, task_list: list[int], *, pinned: Usage | None = None,
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
    return _Search(inst, items, group_of, options, pinned or {}, hint or {}, max_nodes).run()


class _Search:
    """The depth-first search, with forward checking: `domain[i]` is always exactly the workers w of
    `options[i]` with `fits(i, w)` under the seats placed so far. Placing i on w can change `fits(j, v)`
    only for v = w (w's seats and w's load changed) and, through the order of interchangeable seats, for
    the seats of i's group, so only those are re-tested, and undone on backtracking."""

    def __init__(self, inst: Instance, items: list[int], group_of: dict[int, list[int]],  # noqa: PLR0913 -- one search's state
                 options: dict[int, tuple[int, ...]], pinned: Usage, hint: Mapping[int, int], max_nodes: int) -> None:
        self.inst = inst
        self.group_of = group_of
        self.pinned = pinned
        self.hint = hint
        self.max_nodes = max_nodes
        self.nodes = 0
        self.on: dict[int, list[int]] = {}  # worker -> items placed on it
        self.load: dict[tuple[int, int], list[int]] = {}  # (limited worker, day) -> [seats, ticks] placed
        self.caps: dict[tuple[int, int], tuple[int | None, int | None]] = {}
        self.of: dict[int, int] = {}
        self.left = set(items)
        self.starts, self.ends, self.limits, self.days = inst.starts, inst.ends, inst.limits, inst.days
        self.users: dict[int, list[int]] = {}  # worker -> the items it may take
        for i in items:
            for w in options[i]:
                self.users.setdefault(w, []).append(i)
        self.domain = {i: {w for w in options[i] if self.fits(i, w)} for i in items}

    def cap(self, w: int, day: int) -> tuple[int | None, int | None]:
        key = (w, day)
        found = self.caps.get(key)
        if found is None:
            seats, ticks = self.inst.cap(w, day)
            out_seats, out_ticks = self.pinned.get(key, (0, 0))
            found = self.caps[key] = (None if seats is None else seats - out_seats,
                                      None if ticks is None else ticks - out_ticks)
        return found

    def fits(self, i: int, w: int) -> bool:
        """Seat i on worker w keeps no-overlap, the order of interchangeable seats and w's limits."""
        starts, ends = self.starts, self.ends
        s, e = starts[i], ends[i]
        for u in self.on.get(w, ()):
            if starts[u] < e and s < ends[u]:
                return False
        group = self.group_of[i]
        if len(group) > 1:
            k = group.index(i)
            for j, u in enumerate(group):
                v = self.of.get(u)
                if v is not None and ((j < k and v >= w) or (j > k and v <= w)):
                    return False
        if w in self.limits:
            day = self.days[i]
            max_seats, max_ticks = self.cap(w, day)
            seats, ticks = self.load.get((w, day), (0, 0))
            if max_seats is not None and seats + 1 > max_seats:
                return False
            if max_ticks is not None and ticks + e - s > max_ticks:
                return False
        return True

    def _move(self, i: int, w: int, sign: int) -> None:
        inst = self.inst
        if sign > 0:
            self.of[i] = w
            self.on.setdefault(w, []).append(i)
        else:
            del self.of[i]
            self.on[w].remove(i)
        if w in inst.limits:
            row = self.load.setdefault((w, inst.days[i]), [0, 0])
            row[0] += sign
            row[1] += sign * (inst.ends[i] - inst.starts[i])

    def assign(self, i: int, w: int) -> tuple[list[tuple[int, int]], bool]:
        """Place i on w; the (seat, worker) pairs struck from the domains, and whether none is left empty."""
        self._move(i, w, 1)
        self.left.discard(i)
        struck: list[tuple[int, int]] = []
        alive = True
        domain, left = self.domain, self.left
        for j in self.users.get(w, ()):
            if j in left and w in domain[j] and not self.fits(j, w):
                domain[j].discard(w)
                struck.append((j, w))
                alive = alive and bool(domain[j])
        for j in self.group_of[i]:
            if j in left:
                for v in [v for v in domain[j] if not self.fits(j, v)]:
                    domain[j].discard(v)
                    struck.append((j, v))
                alive = alive and bool(domain[j])
        return struck, alive

    def unassign(self, i: int, w: int, struck: list[tuple[int, int]]) -> None:
        for j, v in struck:
            self.domain[j].add(v)
        self.left.add(i)
        self._move(i, w, -1)

    def run(self) -> dict[int, int] | Literal[False] | None:
        if any(not self.domain[i] for i in self.left):
            return False
        found = self._dfs()
        if found is None:
            return None
        return dict(self.of) if found else False

    def _dfs(self) -> bool | None:
        if not self.left:
            return True
        domain = self.domain
        # The seat with the fewest workers left (ties: the lowest item, so the order is fixed).
        best, fewest = -1, 1 << 30
        for i in self.left:
            n = len(domain[i])
            if n < fewest or (n == fewest and i < best):
                best, fewest = i, n
        workers = sorted(domain[best])
        h = self.hint.get(best)
        if h in domain[best]:
            workers.remove(h)
            workers.insert(0, h)
        for w in workers:
            self.nodes += 1
            if self.nodes > self.max_nodes:
                return None
            struck, alive = self.assign(best, w)
            found = self._dfs() if alive else False
            if found is not False:
                return found  # a plan (kept in place) or given up
            self.unassign(best, w, struck)
        return False
