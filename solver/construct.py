"""A whole-day plan built the way the day is shaped: tasks in start order, each to the worker it fits tightest.

Why this order and this choice. Tasks are placed in order of start. When task t = [s, e) is placed,
every task still to come starts at s or later, so the free time a worker has before s is dead: only
the free gap that *contains* s matters, and what is left of it after t is [e, b), where b is the end
of that gap (the worker's next busy instant or the end of the shift). Best fit chooses, among the
eligible workers whose current gap holds t, the one with the smallest remainder b - e — so long gaps
stay for long tasks — and among equal remainders the worker fewest tasks can use (skills rarest
first: a rare-skill holder is kept free for the work only such holders can do; "fewest" counts all
tasks, the tasks still to come, or those of the next 3 h — `cover` tries the three in turn, since
where every worker is free all day, as in PTSP, this tie-break is the whole choice). Among tasks that start
together, those with the fewest eligible workers go first. This is the program that built the
benchmark days in reverse, so on such days it rarely leaves anything out; what it does leave out is
mended by ejection chains (`solver.assign.insert`) and, by the caller, by CP-SAT on small windows
with the rest pinned (`solver.neighbourhood`).

Soundness. Nothing here decides feasibility by omission: the result is a *partial* assignment that
is valid for the tasks it holds (each on an eligible worker, no two overlapping on one worker — the
gap bookkeeping below is exact, and `solver.plan` checks every full plan with `solver.checker`
before it is handed out). A task left out only means "not placed by this heuristic"; the caller
proves infeasibility separately (Hall sweep, CP-SAT on the smallest conflicting component).

Items are open seats (`solver.instance`); seats of one task share its interval, so the gap
bookkeeping already puts them on distinct workers. Per-(worker, day) limits (`inst.limits`): a worker
whose seats or time on the item's day would pass its limit is simply not chosen, and the
ejection-chain mending (`solver.assign`) keeps the limits on every move. Seats of flexible crews
(`inst.entry[i] == -1`: the holders' seat choice needs an exact crew check) are never placed here;
the caller's exact models place them.

Cost: linear in the day. Each worker's free gaps are a list with a cursor that only moves forward
(starts only grow), and the test "does t fit w's current gap" is vectorised over t's eligible workers
with numpy, so a 2,000-worker day of 13,000 tasks is placed in about a second.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from solver.assign import Assignment, insert, is_valid
from solver.bounds import hall_violation
from solver.instance import Instance, TimeIndex
from solver.spans import merged

MEND_EFFORT = 2000  # ejection-chain steps per left-out task before the caller's window models take over
MEND_DEPTH = 3
MEND_MAX_FAILURES = 8  # left-out tasks chains could not place before mending gives up (bounded cost)
QUICK_EFFORT = 100  # per left-out task for a first, cheap mending (a miss only means "try harder later")
REBUILD_EFFORT = QUICK_EFFORT  # per left-out task when a slot probe rebuilds the day
REBUILD_RESTARTS = 4  # perturbed constructions a slot probe's rebuild may try (within its deadline)
_FAR = np.int64(1) << np.int64(62)
STATIC, FUTURE, LOOKAHEAD = "static", "future", "lookahead"
DEMANDS = (STATIC, FUTURE, LOOKAHEAD)  # the constructions `cover` tries, in this order, then restarts
RESTARTS = 12  # seeded perturbed constructions after those three (future and look-ahead demand in turn)
RESTART_EFFORT = 500  # mending per left-out task after a restart
LOOKAHEAD_TICKS = 3 * 3600 * 1_000_000  # 3 h: about two task lengths of look-ahead


def _free_gaps(inst: Instance, w: int, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Worker w's free time: its shifts (overlapping ones merged) minus taken and seeded tasks, sorted."""
    cal = inst.calendars[w]
    merged: list[list[int]] = []
    for a, b in sorted(zip(cal.shift_starts, cal.shift_ends, strict=True)):
        if merged and a < merged[-1][1]:  # overlapping shifts: a task inside either fits the union
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    busy = sorted([*zip(cal.busy_starts, cal.busy_ends, strict=True), *taken])
    out: list[tuple[int, int]] = []
    k = 0
    for a, b in merged:
        cur = a
        while k < len(busy) and busy[k][1] <= cur:
            k += 1
        j = k
        while j < len(busy) and busy[j][0] < b:
            if busy[j][0] > cur:
                out.append((cur, busy[j][0]))
            cur = max(cur, busy[j][1])
            j += 1
        if cur < b:
            out.append((cur, b))
    return out


class _Limits:
    """Seats and ticks each limited worker still has per day (only when the instance has limits)."""

    def __init__(self, inst: Instance, seed: dict[int, int]) -> None:
        self.inst = inst
        self.left: dict[tuple[int, int], list[int | None]] = {}
        for t, w in seed.items():
            self.take(t, w)

    def _entry(self, w: int, day: int) -> list[int | None]:
        key = (w, day)
        if key not in self.left:
            self.left[key] = list(self.inst.cap(w, day))
        return self.left[key]

    def allows(self, t: int, w: int) -> bool:
        if w not in self.inst.limits:
            return True
        seats, ticks = self._entry(w, self.inst.days[t])
        return (seats is None or seats >= 1) and (ticks is None or ticks >= self.inst.ends[t] - self.inst.starts[t])

    def take(self, t: int, w: int) -> None:
        if w not in self.inst.limits:
            return
        entry = self._entry(w, self.inst.days[t])
        if entry[0] is not None:
            entry[0] -= 1
        if entry[1] is not None:
            entry[1] -= self.inst.ends[t] - self.inst.starts[t]


def _placeable(inst: Instance, t: int) -> bool:
    """Has an eligible worker and is not a seat of a flexible crew (only the exact models seat those)."""
    return bool(inst.eligible[t]) and inst.entry[t] >= 0


class _Builder:
    """The gap bookkeeping of the start-order construction (see the module docstring)."""

    def __init__(self, inst: Instance, todo: list[int], seed: dict[int, int], mode: str = STATIC,
                 restart: int = 0) -> None:
        self.inst = inst
        # A restart perturbs the demand tie-break by a seeded factor per worker (reproducible).
        self.jitter = None if restart == 0 else np.random.default_rng(restart).uniform(0.6, 1.4, len(inst.worker_ids))
        n_workers = len(inst.worker_ids)
        seeded: dict[int, list[tuple[int, int]]] = {}
        for t, w in seed.items():
            seeded.setdefault(w, []).append((inst.starts[t], inst.ends[t]))
        self.gaps = [_free_gaps(inst, w, seeded.get(w, ())) for w in range(n_workers)]
        self.cursor = [0] * n_workers
        self.gap_a = np.array([g[0][0] if g else _FAR for g in self.gaps], dtype=np.int64)
        self.gap_b = np.array([g[0][1] if g else -_FAR for g in self.gaps], dtype=np.int64)
        # Demand on each worker: how many of the tasks to place could use it (rare skills: low demand).
        self.arrays: dict[int, np.ndarray] = {}
        self.demand = np.zeros(n_workers, dtype=np.int64)
        self.todo = todo
        self.mode = mode
        self.ahead = 0  # with a look-ahead: todo[:ahead] are counted in `demand`
        if mode != LOOKAHEAD:
            for t in todo:
                self.demand[self._array(t)] += 1
        self.limits = _Limits(inst, seed) if inst.limits else None

    def reached(self, t: int) -> None:
        """Task t is next: with a dynamic demand, count only the tasks still to come (and in the look-ahead)."""
        if self.mode == STATIC:
            return
        if self.mode == LOOKAHEAD:
            horizon = self.inst.starts[t] + LOOKAHEAD_TICKS
            while self.ahead < len(self.todo) and self.inst.starts[self.todo[self.ahead]] < horizon:
                self.demand[self._array(self.todo[self.ahead])] += 1
                self.ahead += 1
        self.demand[self._array(t)] -= 1

    def _array(self, t: int) -> np.ndarray:
        """Task t's eligible workers as an array, shared by tasks with the same tuple (compile memoises them)."""
        el = self.inst.eligible[t]
        key = id(el)
        arr = self.arrays.get(key)
        if arr is None:
            arr = np.fromiter(el, dtype=np.int64, count=len(el))
            self.arrays[key] = arr
        return arr

    def _advance(self, workers: np.ndarray, s: int) -> None:
        """Move the cursors of these workers past gaps that end at or before s (dead from now on)."""
        for w in workers.tolist():
            gaps, k = self.gaps[w], self.cursor[w]
            while k < len(gaps) and gaps[k][1] <= s:
                k += 1
            self.cursor[w] = k
            if k < len(gaps):
                self.gap_a[w], self.gap_b[w] = gaps[k]
            else:
                self.gap_a[w], self.gap_b[w] = _FAR, -_FAR

    def choose(self, t: int) -> int | None:
        """The eligible worker whose current gap holds t most tightly, or None."""
        s, e = self.inst.starts[t], self.inst.ends[t]
        el = self._array(t)
        b = self.gap_b[el]
        stale = el[b <= s]
        if stale.size:
            self._advance(stale, s)
            b = self.gap_b[el]
        ok = (self.gap_a[el] <= s) & (b >= e)
        cand = el[ok]
        if not cand.size:
            return None
        # Smallest remainder first, then lowest demand (lexsort: the last key is the primary one).
        tie = self.demand[cand] if self.jitter is None else self.demand[cand] * self.jitter[cand]
        order = np.lexsort((tie, b[ok] - e))
        if self.limits is None:
            return int(cand[order[0]])
        for i in order.tolist():
            w = int(cand[i])
            if self.limits.allows(t, w):
                return w
        return None

    def place(self, t: int, w: int) -> None:
        k = self.cursor[w]
        b = self.gaps[w][k][1]
        self.gaps[w][k] = (self.inst.ends[t], b)  # [gap start, s) is dead; what is left is [e, b)
        self.gap_a[w] = self.inst.ends[t]
        if self.limits is not None:
            self.limits.take(t, w)


def construct(inst: Instance, tasks: list[int] | None = None, seed: dict[int, int] | None = None, *,
              demand: str = STATIC, restart: int = 0) -> dict[int, int]:
    """Start-order tightest-fit assignment of `tasks` (default all) around the seeded ones.

    `seed` (task -> worker) must be valid on its own; its tasks keep their workers. `demand` is the
    tie-break among equally tight workers: the fewest tasks that could use the worker — all of them
    (`STATIC`), those still to come (`FUTURE`), or those starting within `LOOKAHEAD_TICKS` (`LOOKAHEAD`);
    `restart` > 0 perturbs it by a seeded factor per worker (another, reproducible, construction).
    Returns a valid partial assignment including the seed (see the module docstring); tasks it could
    not place are simply absent.
    """
    seed = dict(seed or {})
    todo = [t for t in (range(inst.n_tasks) if tasks is None else tasks) if t not in seed and _placeable(inst, t)]
    todo.sort(key=lambda t: (inst.starts[t], len(inst.eligible[t]), inst.ends[t]))
    builder = _Builder(inst, todo, seed, demand, restart)
    out = dict(seed)
    for t in todo:
        builder.reached(t)
        w = builder.choose(t)
        if w is not None:
            builder.place(t, w)
            out[t] = w
    return out


def cover(inst: Instance, seed: dict[int, int] | None = None, *, effort: int = MEND_EFFORT, restarts: int = RESTARTS,
          deadline: float | None = None, start: dict[int, int] | None = None) -> dict[int, int]:
    """`construct` of every task, then each task it left out placed by ejection chains where they find room.

    The three demand tie-breaks (`DEMANDS`) are tried in turn, each lightly mended, until one places
    every task (`start`, an earlier result of this function, stands for them); the best is then mended
    with the full `effort`; then up to `restarts` perturbed constructions, each mended, until one
    places every task or `deadline` (a `time.perf_counter()` instant) passes. `effort` bounds the chain
    steps per task, and mending stops after `MEND_MAX_FAILURES` tasks it could not place (on an
    infeasible day every one would spend its whole effort). May still leave tasks out; every
    assignment returned is valid for the tasks it holds.
    """
    todo = list(range(inst.n_tasks))

    def complete(placed: dict[int, int]) -> bool:
        return all(t in placed or not _placeable(inst, t) for t in todo)

    best = start
    for demand in DEMANDS if start is None else ():  # each a linear pass, mended lightly before the next
        placed = _mend(inst, construct(inst, None, seed, demand=demand), todo, min(effort, QUICK_EFFORT))
        if best is None or len(placed) > len(best):
            best = placed
        if complete(best):
            return best
    assert best is not None
    if effort > QUICK_EFFORT:
        best = _mend(inst, best, todo, effort)
    for k in range(1, restarts + 1):
        if complete(best) or (deadline is not None and time.perf_counter() > deadline):
            break
        placed = _mend(inst, construct(inst, None, seed, demand=DEMANDS[1 + k % 2], restart=k), todo,
                       min(effort, RESTART_EFFORT))
        if len(placed) > len(best):
            best = placed
    return best


def mend(inst: Instance, placed: dict[int, int], effort: int) -> dict[int, int]:
    """Every item `placed` lacks, placed by ejection chains where they find room (`effort` steps each)."""
    return _mend(inst, placed, list(range(inst.n_tasks)), effort)


def _mend(inst: Instance, placed: dict[int, int], todo: list[int], effort: int) -> dict[int, int]:
    """Place the tasks of `todo` that `placed` lacks by ejection chains where they find room (bounded)."""
    left = [t for t in todo if t not in placed and _placeable(inst, t)]
    if not left:
        return placed
    a = Assignment(inst, placed)
    failures = 0
    for t in left:
        w = insert(a, t, inst.starts[t], inst.ends[t], inst.eligible[t], depth=MEND_DEPTH, effort=effort)
        if w is not None:
            a.put(t, w)
            continue
        failures += 1
        if failures >= MEND_MAX_FAILURES:  # a day this crowded is the Hall sweep's or the window models' case
            break
    return a.of


def rebuild(inst: Instance, *, effort: int = REBUILD_EFFORT, restarts: int = REBUILD_RESTARTS,
            deadline: float | None = None) -> dict[int, int] | None:
    """A plan of every task of `inst` (e.g. the day plus a slot probe's new task) built afresh, or None.

    The whole day is constructed again in start order and mended with a small ejection-chain
    `effort` (`cover`, up to `restarts` perturbed constructions until `deadline`): on tight days this
    often succeeds where local moves around the old plan are stuck, and each try is one linear pass.
    Sound by the final check alone: a mapping is returned only if it places every task and passes
    `is_valid` on the whole instance. None proves nothing.
    """
    fresh = cover(inst, effort=effort, restarts=restarts, deadline=deadline)
    if len(fresh) == inst.n_tasks and is_valid(inst, fresh):
        return fresh
    return None


def leftovers(inst: Instance, placed: dict[int, int]) -> list[int]:
    """Items a partial plan leaves out. Leaving exactly these out, the rest fit: `placed` is their plan."""
    return [t for t in range(inst.n_tasks) if t not in placed]


def hall_proof(inst: Instance, placed: dict[int, int]) -> list[int] | None:
    """On a day the construction could not finish: the items to name as uncovered if the Hall sweep
    (`solver.bounds.hall_violation`, one pass over the day) proves the day infeasible, else None.

    Sound both ways: a Hall violation is a proof of infeasibility, and the construction's leftovers
    are a set whose removal leaves a day `placed` covers — a true "uncovered" set, just not
    necessarily the fewest (so the caller reports it as not optimal). This spares a big day the
    minutes a CP-SAT model of its one giant component takes to build.
    """
    left = leftovers(inst, placed)
    if hall_violation(inst, _around(inst, left)) is None:
        return None
    return left


def _around(inst: Instance, items: list[int]) -> list[int]:
    """The items overlapping one of `items`: the sweep's cliques that can fail. A clique (the items alive
    at an instant) without a leftover is matched by the partial plan, so only the instants inside a
    leftover's interval need checking, and the items alive there all overlap that leftover. (A sweep over
    a subset of the items is sound anyway: its cliques are parts of real ones.) On a booking's check of
    the load test's L-90 day the sweep went from 84 ms over the whole day to a few."""
    index = TimeIndex(inst)
    out: set[int] = set()
    for lo, hi in merged((inst.starts[t], inst.ends[t]) for t in items):
        out.update(index.overlapping(lo, hi))
    return sorted(out)
