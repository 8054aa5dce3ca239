"""Local CP-SAT models around a time window: small, and each sound in one direction.

- `restricted`: the tasks of the window are free, every other task stays where a known plan put it
  (it is *pinned*), and a free task may only go to a worker no pinned task blocks. Any plan of this
  sub-model, together with the pinned tasks, is a plan of the whole day: a FEASIBLE answer proves
  feasibility; an INFEASIBLE one proves nothing (the pins may be the problem).
- `relaxed`: only the tasks of the window must be covered, the rest are dropped. Dropping tasks
  only removes constraints, so if even this is INFEASIBLE the whole day is; a FEASIBLE answer proves
  nothing.
Crews and limits: a window always holds whole tasks (seats of a task share its interval, so a window
that meets one meets all), the model seats crews exactly, and in `restricted` the pinned seats' load
on each limited worker's day is subtracted from the limit (`pinned`), so its plan keeps the limits with
the pins; `relaxed` drops the other tasks' load too, which only loosens the limits.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from typing import Literal

from solver.assign import Assignment
from solver.bounds import hall_violation
from solver.domain import Status
from solver.instance import Instance, TimeIndex
from solver.model import SolveResult, solve
from solver.options import SolverOptions

# Both window models run CP-SAT with its LP over every exactly-one and clique row (level 2): a window is
# a few dozen tasks, the LP is cheap there, and it refutes an over-full window or steers the search to
# a plan in milliseconds where plain search (levels 0-1) took up to seconds per window on crew days
# (measured with the gen-M-80 and crew M-80/M-90 days: windows 5.2 s -> 0.2 s per query).
# `restricted` skips presolve (its pins already fix the model's shape; presolve only costs there);
# `relaxed` keeps it (with presolve off, proofs on crew windows got slower in the same measurement).
WINDOW_LINEARIZATION = 2
# `restricted`'s first, single-worker attempt: one worker's LP refutes most impossible windows, and finds
# the easy plans, in a few milliseconds, where starting two workers costs 2-90 ms; what it does not decide
# by then goes to two workers (LP + local search, `solver.model.LP_SUBSOLVER`). Replayed on the window
# models recorded on crew M-80 / M-90 / L-90 cold and the load test's L-90 day (two seeds each): 0.9 /
# 3.3 / 3.9 / 0.8 s of window solving, where 0.25 s of one worker and then two "default_lp" workers (the
# previous rule) took 1.0 / 5.2 / 7.2 / 2.0 s, and two workers alone 1.6-2.0 / 3.1-3.6 / 3.5-4.0 / 0.5 s.
QUICK_WINDOW_SECONDS = 0.02
# ... but only on windows of at most this many (seat, worker) pairs. Counted on the restricted windows of
# crew M-65 / M-80 / L-90 / XL-90 cold: below 1,000 pairs the one worker decided 56 of 56; above, 1 of 18,
# each of those costing 20-30 ms for nothing. Skipping it above 1,000 pairs (by hand, 2 cores, per query):
# crew XL-90 3.0 -> ~2.75 s, crew L-90 0.75 -> 0.6 s, crew M-90 0.73 -> 0.52 s, the others unchanged;
# skipping it everywhere lost crew M-80 0.47 -> 0.9 s and crew M-65 0.14 -> 0.38 s.
QUICK_WINDOW_PAIRS = 1_000
# `restricted`'s two-worker search runs without presolve for this long, then presolved for the time left.
# Without presolve the local search finds most window plans within a few moves of the hint in tens of
# milliseconds; the rest were found by CP-SAT's LP-guided LNS after 0.7-1.3 s, which presolve (it fixes the
# many literals the pins leave with one worker) cut to ~0.2 s. Replayed on the nine window models of crew
# XL-90's cold plan: 2.18 s of CP-SAT with presolve never, 1.21 s switching after 0.2 s.
REPAIR_SECONDS = 0.2
# `relaxed` on a day without limits: after its quick presolved worker, this long a two-worker search without
# presolve (a repair of its hint, as in `restricted`), then presolved for the time left. Its plans are
# found within a few moves of the hint in 10-15 ms, where the presolved search took 170-300 ms (the load
# test's L-90 day after 60 bookings: 1.6 -> 1.1 s per query). Days with limits skip it: there the
# repaired relaxed plans made worse hints for the next window (crew L-90 0.8 -> 1.5 s, M-90 0.74 -> 1.09 s).
RELAXED_REPAIR_SECONDS = 0.1


def whole_tasks(inst: Instance, items: list[int]) -> list[int]:
    """`items` plus the other seats of their tasks (the model always decides a task whole)."""
    seen = set(items)
    out = list(items)
    for t in {inst.owner[i] for i in items}:
        out.extend(i for i in inst.tasks[t].seats if i not in seen)
    return out


def window(inst: Instance, index: TimeIndex, a: Assignment, around: list[int], margin: int) -> list[int]:
    """The items meeting [start - margin, end + margin) of `around` (items sharing one interval), plus
    the seats `a` gives on their day to a limited worker of theirs who is full: such a worker makes room
    only by handing one of those on, however far away in time it is. Whole tasks only. (Which items
    a window holds decides only how often it succeeds, never whether its verdict is sound.)"""
    s, e = inst.starts[around[0]], inst.ends[around[0]]
    items = index.overlapping(s - margin, e + margin)
    if inst.limits:
        day = inst.days[around[0]]
        full = {w for i in around for w in inst.eligible[i] if w in inst.limits and not a.room_on(w, day, e - s, inst)}
        items += [u for w in full for u in a.on.get(w, ()) if inst.days[u] == day]
    return whole_tasks(inst, list(dict.fromkeys([*items, *around])))


def chain_window(inst: Instance, a: Assignment, around: list[int], depth: int) -> list[int]:
    """`around` plus what ejection chains of `depth` links could move to make room: the items `a` puts on a
    worker eligible for an item already in, overlapping that item, `depth` times over. Not a time slice:
    only the workers who could take a chosen item, at that item's time. Whole tasks only. (As for every
    window, its items decide only how often it succeeds, never whether a verdict is sound.) Where a
    time slice holds every item near N, this holds the workers that matter (measured per query: see
    `SolverOptions.chain_depth`)."""
    chosen = dict.fromkeys(around)
    frontier = list(around)
    for _ in range(depth):
        reached: list[int] = []
        for t in frontier:
            s, e = inst.starts[t], inst.ends[t]
            for w in inst.eligible[t]:
                reached.extend(u for u in a.clashes(w, s, e) if u not in chosen)
        frontier = list(dict.fromkeys(reached))
        chosen.update(dict.fromkeys(frontier))
    return whole_tasks(inst, list(chosen))


def restricted(inst: Instance, base: Assignment, free: list[int], *, time_limit: float, workers: int = 1,  # noqa: PLR0913 -- keyword-only knobs
               hint: dict[int, int] | None = None, single_first: float = QUICK_WINDOW_SECONDS,
               search: tuple[int, int] = (0, 0),
               deadline: float | None = None) -> dict[int, int] | Literal[False, Status.INFEASIBLE] | None:
    """A plan for `free` that fits around the pinned tasks of `base`; False if the Hall check proves that the
    pins leave none (no model is built); `Status.INFEASIBLE` if CP-SAT proved that they leave none; None if
    CP-SAT found none in its time (`single_first` seconds of one worker,
    `REPAIR_SECONDS` of `workers` without presolve, the time left presolved). `deadline`: the seconds are
    paced (`solver.pace`), and nothing runs past this `time.perf_counter()` instant."""
    free = whole_tasks(inst, free)
    free_set = set(free)
    eligible = list(inst.eligible)
    # Each worker's pinned spans once, and each (interval, eligible tuple) once: seats of a crew share both,
    # and compile memoises eligible tuples (this loop was ~15 % of a crew XL-90 cold plan).
    pinned_spans: dict[int, list[tuple[int, int]]] = {}
    starts, ends = inst.starts, inst.ends
    done: dict[tuple[int, int, int], tuple[int, ...]] = {}
    for t in free:
        s, e = starts[t], ends[t]
        key = (s, e, id(inst.eligible[t]))
        if key not in done:
            keep = []
            for v in inst.eligible[t]:
                spans = pinned_spans.get(v)
                if spans is None:
                    spans = pinned_spans[v] = [(starts[p], ends[p]) for p in base.on.get(v, ()) if p not in free_set]
                for a, b in spans:  # a plain loop: twice as fast as any(<generator>) on this hot path
                    if a < e and s < b:
                        break
                else:
                    keep.append(v)
            done[key] = tuple(keep)
        eligible[t] = done[key]
    pinned: dict[tuple[int, int], tuple[int, int]] = {}
    if inst.limits:
        load = {k: list(v) for k, v in base.load.items()}
        for t in free:
            w = base.of.get(t)
            if w is not None and (w, inst.days[t]) in load:
                load[w, inst.days[t]][0] -= 1
                load[w, inst.days[t]][1] -= inst.ends[t] - inst.starts[t]
        pinned = {k: (v[0], v[1]) for k, v in load.items()}
    narrow = inst.restrict(eligible)
    # Some instant where the window's items cannot all get distinct workers from what the pins leave them:
    # the model has no plan (its plans give distinct workers at every instant), so none is found, without
    # CP-SAT. On the load test's L-90 day after 60 bookings it caught both infeasible restricted windows of
    # a query (~0.1 s of search each) for ~3 ms per window checked.
    if hall_violation(narrow, free) is not None:
        return False
    start = {t: base.of[t] for t in free if t in base.of}
    start.update(hint or {})
    res = solve(narrow, free, time_limit=time_limit, hint=start, workers=workers, presolve=False,
                pinned=pinned, linearization=WINDOW_LINEARIZATION, single_first=single_first,
                presolve_after=REPAIR_SECONDS, search=search, deadline=deadline)
    if res.status is Status.INFEASIBLE:
        return Status.INFEASIBLE
    return res.assignment if res.status is Status.FEASIBLE else None


def relaxed(inst: Instance, tasks: list[int], *, time_limit: float, workers: int = 1,
            hint: dict[int, int] | None = None, search: tuple[int, int] = (0, 0),
            deadline: float | None = None) -> SolveResult:
    """The relaxed model of `tasks`: INFEASIBLE proves the whole day (or the day plus a new task)
    infeasible; a plan proves nothing but is a useful hint for a wider window (see `settle`).
    With several `workers` a one-worker attempt of `QUICK_WINDOW_SECONDS` runs first, as in `restricted`, and
    on a day without limits then `RELAXED_REPAIR_SECONDS` without presolve."""
    return solve(inst, tasks, time_limit=time_limit, workers=workers, presolve=True, hint=hint,
                 linearization=WINDOW_LINEARIZATION, single_first=QUICK_WINDOW_SECONDS,
                 repair_first=0.0 if inst.limits else RELAXED_REPAIR_SECONDS, search=search, deadline=deadline)


def settle(inst: Instance, index: TimeIndex, a: Assignment, around: list[int], options: SolverOptions, *,  # noqa: PLR0913 -- keyword-only knobs
           time_left: Callable[[], float], workers: int = 1, hint: dict[int, int] | None = None,
           on_model: Callable[[], None] | None = None, chain: bool = False,
           tried: set[frozenset[int]] | None = None,
           cap: float | None = None, skip: int = 0, growth: float = 0.0, growth_after: float = 0.0,
           on_window: Callable[[int], None] | None = None) -> dict[int, int] | Literal[False] | None:
    """The growing windows around the items `around` (one interval): a restricted window's plan of its items
    (with the rest of `a` a plan of the whole day), False when a relaxed window proves the day (with `around`)
    infeasible, None when no window decides in `time_left()` seconds (each window at most
    `options.window_time_limit`). `hint`: where to try `around` first. `on_model`: called per model.
    `chain`: the chain window first (`windows`). `tried`: windows (item sets) already tried on this very `a`,
    skipped, and each window tried here is added (the caller clears it when `a` changes): the same models
    would only fail again. `cap`: seconds each restricted window but the widest may take (a window that
    does not decide passes to the next, so a cap costs a chance at a plan, never soundness). `skip`: the
    first windows not to try (a probe resumed where it was cut off, see `solver.slots`); `on_window`: called
    with each window's position before its models run. `growth`: after a restricted window whose pins CP-SAT
    proved to leave no plan, in at least `growth_after` seconds, the next windows but the widest are skipped
    until one has `growth` times its items (see `SolverOptions.window_growth`; skipping a window only loses a
    chance at a plan, never soundness).

    A relaxed window's plan proves nothing, but it is where the window's tasks can go with `around` among
    them: it hints the next, wider restricted window (the pins that blocked the narrower one are free
    there). The relaxed model is hinted with `a`, so its plan stays close to it, and runs like the
    restricted one (a quick worker, then `workers`). Measured on crew M-90 cold (2 cores): 3.2 s -> 1.8 s
    per slot query (its 3 h restricted windows 250 ms -> 30 ms). Without the hint from `a` the relaxed
    plans were far from it and made worse hints (crew L-90 1.4 -> 1.75 s); with one worker the hinted
    relaxed model sometimes took 4x longer (v1 L-90 0.47 -> 0.65 s)."""
    carry: dict[int, int] = {}
    failed = 0  # items of the widest restricted window CP-SAT found no plan for so far
    for k, (items, quick, widest) in itertools.islice(enumerate(windows(inst, index, a, around, options,
                                                                         chain=chain)), skip, None):
        if (not widest and len(items) < growth * failed) or not _fresh(tried, items):
            continue
        if on_window is not None:
            on_window(k)
        limit = min(time_left(), options.window_time_limit, math.inf if cap is None or widest else cap)
        if limit <= 0:
            return None
        began = time.perf_counter()
        found = restricted(inst, a, items, time_limit=limit, workers=workers, hint=(hint or {}) | carry,
                           single_first=quick, search=options.tiny_search, deadline=_deadline(time_left))
        if on_model is not None:
            on_model()
        if isinstance(found, dict):
            return found
        slow_proof = found is Status.INFEASIBLE and time.perf_counter() - began >= growth_after
        failed = max(failed, len(items) * slow_proof)
        searched = found is None or found is Status.INFEASIBLE  # CP-SAT ran and found no plan
        limit = min(time_left(), options.window_time_limit)
        if limit <= 0:
            return None
        # `found` False: the pins alone leave no plan. On a day without limits the relaxed model of such a
        # window was feasible in every case counted (8 of 8 on the load test's day after its bookings, 2 of
        # 2 on v1 M-90 and L-90 cold), so it proved nothing and cost ~60 ms there: skipped (a skipped
        # relaxation only loses a chance of a proof, never soundness). Replayed load-day queries 2.3 -> 1.8 s
        # in all, v1 M-90 cold 0.11 -> 0.125 s (its hint had helped the next window), the other v1 days
        # unchanged; days with limits keep it (crew M-90 0.50 -> 0.72 s without).
        if worth_relaxing(inst, items, options) and (searched or bool(inst.limits)):
            res = relaxed(inst, items, time_limit=limit, workers=workers,
                          hint={t: a.of[t] for t in items if t in a.of}, search=options.tiny_search,
                          deadline=_deadline(time_left))
            if on_model is not None:
                on_model()
            if res.status is Status.INFEASIBLE:
                return False
            if res.status is Status.FEASIBLE:
                carry = res.assignment
    return None


def _deadline(time_left: Callable[[], float]) -> float:
    """The wall-clock instant `time_left()` ends: a window's models are paced (`solver.pace`: their seconds
    leave out the time they wait for a CPU), and only this bounds them by the clock."""
    return time.perf_counter() + time_left()


def _fresh(tried: set[frozenset[int]] | None, items: list[int]) -> bool:
    """Whether this window is new to `tried` (now recorded there); always, without `tried`."""
    if tried is None:
        return True
    key = frozenset(items)
    if key in tried:
        return False
    tried.add(key)
    return True


def place_leftovers(inst: Instance, a: Assignment, leftovers: list[int], *, time_limit: float,
                    options: SolverOptions, workers: int = 1, chain: bool = False) -> bool | None:
    """Place tasks a heuristic left out, each by window models around it (`settle`), mutating `a`.

    True: all placed (`a` is then a plan of every task). False: a relaxed window proved the day
    infeasible. None: undecided here (the caller falls back to CP-SAT on whole components). A leftover
    no window places is passed over, so the others still get their windows and `a` gains what they place.
    `chain`: on a day without limits, each leftover's chain window first (`windows`), as a slot probe does.
    """
    deadline = time.perf_counter() + time_limit
    index = TimeIndex(inst)
    stuck = False
    # Windows that failed since `a` last changed: a later leftover nearby builds the same ones (seen on crew
    # XL-90 cold: the same 2 s window tried for three leftovers in a row).
    tried: set[frozenset[int]] = set()
    for t in leftovers:
        if t in a.of:  # a seat of a task an earlier window placed whole
            continue
        found = settle(inst, index, a, [t], options, time_left=lambda: deadline - time.perf_counter(),
                       workers=workers, tried=tried, chain=chain and not inst.limits)
        if found is False:
            return False
        if found is None:
            if deadline <= time.perf_counter():
                return None
            stuck = True
            continue
        for u in found:
            if u in a.of:
                a.remove(u)
        for u, w in found.items():
            a.put(u, w)
        tried.clear()
    return None if stuck else True


def windows(inst: Instance, index: TimeIndex, a: Assignment, around: list[int],
            options: SolverOptions, *, chain: bool = False) -> Iterator[tuple[list[int], float, bool]]:
    """The windows to try around `around`, growing, each with the seconds of its restricted model's
    one-worker attempt (`_quick`): one per margin of `options.window_margins`, and first the bare window (margin 0)
    when the first margin's is above `options.bare_window_literals` (item, worker) pairs, as on a
    500-worker day, where a 1 h window is 18,000-100,000 of them. (On smaller days the bare window, tried
    first, cost more than it saved: measured on crew M/L-90.) `chain`: first the chain window (`chain_window`)
    of `options.chain_depth` links, or of fewer when that is above `options.chain_literals` pairs; it
    goes straight to `restricted`'s two workers, since its one-worker attempt hardly ever found the plan
    (10 of 11 failed on the load-test day after 60 bookings; without it 1.7 -> 1.44 s per query there,
    v1 L-90 cold 0.28 -> 0.25 s). The flag marks the widest window (the last margin's), computed lazily:
    most probes end at their first window."""
    last = len(options.window_margins) - 1
    if chain and options.window_margins:
        for depth in range(options.chain_depth, 0, -1):
            items = chain_window(inst, a, around, depth)
            if inst.pairs(items) <= options.chain_literals:
                yield items, 0.0, False
                break
    for k, margin in enumerate(options.window_margins):
        items = window(inst, index, a, around, margin)
        if k == 0 and margin > 0 and inst.pairs(items) > options.bare_window_literals:
            bare = window(inst, index, a, around, 0)
            yield bare, _quick(inst, bare), False
        yield items, _quick(inst, items), k == last


def _quick(inst: Instance, items: list[int]) -> float:
    """Seconds of `restricted`'s one-worker attempt on this window: none above `QUICK_WINDOW_PAIRS`."""
    return QUICK_WINDOW_SECONDS if inst.pairs(items) <= QUICK_WINDOW_PAIRS else 0.0


def worth_relaxing(inst: Instance, items: list[int], options: SolverOptions) -> bool:
    """Whether to try the relaxed model of a window: not above `options.big_window_literals` (item, worker)
    pairs, where its LP grows slow and, the window being a wide slice of a big day, it hardly ever refutes
    (skipping it only loses a chance of a proof, never soundness)."""
    return inst.pairs(items) <= options.big_window_literals
