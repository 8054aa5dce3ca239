"""Slot probing: which candidate starts can take one more untaken task, decided exactly.

Two engines answer the same question:
- ``naive``: a fresh CP-SAT model of the whole day per candidate (the reference; slow but simple);
- ``exact`` (production): the same answers, reached by sound shortcuts before any solver call.

Shortcuts of the exact engine, in the order they are tried, with why each is sound. Let N be the
new task [S, S + duration) and A a known valid assignment of every untaken task (a *witness*).
1. Nobody can take N (no eligible worker)          -> not a slot. Any plan needs a worker for N.
2. Certificate: some witness leaves an eligible worker free during N -> slot. The witness plus
   N on that worker is a valid plan (checked by `solver.checker` when `verify=True`).
3. Equivalent candidate already decided             -> same answer. Feasibility depends on N only
   through its eligible workers and the set of tasks it conflicts with (overlaps *and* shares an
   eligible worker); two candidates with equal such sets give identical models up to N's times.
4. Hall condition: every instant tau inside N sees N and the untaken tasks alive at tau; they pairwise
   overlap, so they need distinct workers. If no matching covers them all, no plan exists -> not
   a slot. The witness already matches every alive task but N, so one augmenting-path search from
   N decides it (Berge). Only instants at S or at a task start inside N matter: every maximal clique
   of an interval graph is the set alive at some start.
5. Repair: move the few tasks that block N on one worker to other workers (ejection chains of
   length <= 2, bounded effort) -> slot. The result is again checked to be a valid plan. Then the
   whole day with N is rebuilt afresh in start order (`solver.construct.rebuild`) -> slot if that
   places every task; it returns only a plan that passes `is_valid` (counted as a repair).
6. Windows around N (1 h, 3 h, 8 h, see `solver.neighbourhood`): CP-SAT on the tasks overlapping
   the window with every other task pinned to its witness worker -> slot if it finds a plan (a plan
   of the sub-model is a plan of the day: pinned tasks keep valid places, free tasks only go where
   no pinned task is); then CP-SAT on the window's tasks alone, the rest dropped -> not a slot if
   even that has no plan (dropping tasks only removes constraints). Small models, both sound.
7. CP-SAT on N's conflict component only, hinted with the witness: decides both ways. The other
   components are untouched by N and already covered by the witness (see `conflict_components`).
A probe that CP-SAT cannot decide in its time limit is reported as undecided, never as a slot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from solver import construct, neighbourhood
from solver.assign import Assignment, insert
from solver.bounds import augment
from solver.checker import assert_feasible
from solver.domain import ProbeStats, Scenario, Slot, SlotAnswer, SlotQuery, Status
from solver.instance import Instance, TimeIndex, compile_scenario, conflict_components, epoch
from solver.model import solve
from solver.neighbourhood import relaxed_infeasible, restricted
from solver.plan import plan_instance

ENGINES = ("exact", "naive")
NEW_TASK_ID = "__new__"
POOL_SIZE = 8
WINDOW_MARGINS = neighbourhood.WINDOW_MARGINS  # windows around N for the local models of step 6
WINDOW_TIME_LIMIT = neighbourhood.WINDOW_TIME_LIMIT
REPAIR_WORKERS = 40  # eligible workers tried for a repair, fewest blockers first
REPAIR_MAX_BLOCKERS = 3
REPAIR_EFFORT = 400  # ejection-chain steps per repair before CP-SAT takes over

Progress = Callable[[int, int], None]


def find_slots(
    scenario: Scenario,
    query: SlotQuery,
    *,
    engine: str = "exact",
    probe_time_limit: float = 10.0,
    base_time_limit: float = 30.0,
    witness: dict[str, str] | None = None,
    verify: bool = False,
    progress: Progress | None = None,
    solver_workers: int = 1,
    budget: float | None = None,
) -> SlotAnswer:
    """The contract's slot answer for a validated scenario.

    `witness` (task id -> worker id) is a known assignment of the untaken tasks, e.g. the one the
    service stored with its last accepted change; it is checked before it is trusted.
    `verify=True` re-checks every slot's plan with the independent checker (tests, benchmarks).
    `budget` caps the seconds of the whole query: once spent, the candidates still open go to
    `undecided` (never to `slots`), so a caller with a deadline gets an honest partial answer.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {ENGINES}")
    began = time.perf_counter()
    stats = ProbeStats()
    inst = compile_scenario(scenario)
    starts = query.candidates(scenario)
    stats.candidates = len(starts)
    duration = timedelta(minutes=query.duration_minutes)

    # The day without the new task: if it is infeasible already, no candidate can be a slot.
    base_uncovered: list[int] | None = None
    if engine == "naive":
        base = solve(inst, time_limit=base_time_limit, formulation="intervals", workers=solver_workers)
        base_status, base_assign = base.status, base.assignment
        stats.solver_calls += 1
    else:
        hint = _witness_hint(inst, witness)
        base_status, base_assign, base_uncovered, _ = plan_instance(
            inst, hint=hint, time_limit=base_time_limit, workers=max(solver_workers, 2)
        )
    if base_status is not Status.FEASIBLE:
        uncovered: list[str] = []
        if base_status is Status.INFEASIBLE:
            if base_uncovered is None:  # naive only decided feasibility; name the tasks the same way
                _, _, base_uncovered, _ = plan_instance(inst, time_limit=base_time_limit)
            uncovered = [inst.task_ids[t] for t in base_uncovered]
        stats.seconds = time.perf_counter() - began
        undecided = [] if base_status is Status.INFEASIBLE else [Slot(s, s + duration) for s in starts]
        return SlotAnswer(query, False, uncovered, [], undecided, stats)

    if engine == "naive":
        prober: _Prober = _NaiveProber(inst, probe_time_limit, solver_workers)
    else:
        prober = _ExactProber(inst, base_assign, probe_time_limit, solver_workers)

    slots: list[Slot] = []
    undecided: list[Slot] = []
    deadline = None if budget is None else began + budget
    for k, s in enumerate(starts):
        e = s + duration
        if deadline is not None:
            prober.time_limit = min(probe_time_limit, deadline - time.perf_counter())
        status, cert = prober.probe(epoch(s), epoch(e), query.skill, stats)
        if status is Status.FEASIBLE:
            if verify:
                _verify(scenario, inst, cert, s, e, query.skill)
            slots.append(Slot(s, e))
        elif status is Status.UNKNOWN:
            stats.undecided += 1
            undecided.append(Slot(s, e))
        if progress is not None:
            progress(k + 1, len(starts))
    stats.seconds = time.perf_counter() - began
    return SlotAnswer(query, True, [], slots, undecided, stats)


def _witness_hint(inst: Instance, witness: dict[str, str] | None) -> dict[int, int] | None:
    if not witness:
        return None
    widx = {w: i for i, w in enumerate(inst.worker_ids)}
    return {inst.index[t]: widx[w] for t, w in witness.items() if t in inst.index and w in widx}


def _verify(scenario: Scenario, inst: Instance, cert: dict[int, int] | None, s: datetime, e: datetime,
            skill: str | None) -> None:
    """Check a slot's plan with the independent checker, on the scenario plus the new task."""
    from solver.domain import Task

    assert cert is not None, "a slot must come with a plan"
    new = Task(NEW_TASK_ID, s.astimezone(UTC), e.astimezone(UTC), skill, None)
    named = {(inst.task_ids[t] if t < inst.n_tasks else NEW_TASK_ID): inst.worker_ids[w] for t, w in cert.items()}
    assert_feasible(scenario.with_tasks((*scenario.tasks, new)), named)


class _Prober:
    time_limit: float

    def probe(self, s: int, e: int, skill: str | None, stats: ProbeStats) -> tuple[Status, dict[int, int] | None]:
        raise NotImplementedError


class _NaiveProber(_Prober):
    """Fresh CP-SAT per candidate, textbook interval model, no hint, no shortcut."""

    def __init__(self, inst: Instance, time_limit: float, workers: int) -> None:
        self.inst, self.time_limit, self.workers = inst, time_limit, workers

    def probe(self, s: int, e: int, skill: str | None, stats: ProbeStats) -> tuple[Status, dict[int, int] | None]:
        if self.time_limit <= 0:
            return Status.UNKNOWN, None
        inst_n = self.inst.with_task(NEW_TASK_ID, s, e, skill)
        res = solve(inst_n, time_limit=self.time_limit, formulation="intervals", workers=self.workers)
        stats.solver_calls += 1
        stats.by_solver += res.status is not Status.UNKNOWN
        return res.status, res.assignment or None


class _ExactProber(_Prober):
    def __init__(self, inst: Instance, base: dict[int, int], time_limit: float, workers: int) -> None:
        self.inst = inst
        self.time_limit = time_limit
        self.workers = workers
        self.pool: list[Assignment] = [Assignment(inst, base)]
        self.cache: dict[tuple, tuple[Status, dict[int, int] | None]] = {}
        self.index = TimeIndex(inst)
        self._components: list[list[int]] | None = None  # built on the first step 7 only (costly on big days)
        self.component_of: dict[int, int] = {}

    @property
    def components(self) -> list[list[int]]:
        if self._components is None:
            self._components = conflict_components(self.inst)
            self.component_of = {t: i for i, comp in enumerate(self._components) for t in comp}
        return self._components

    # -- helpers -------------------------------------------------------------------------------
    def _certificate(self, a: Assignment, n: int, w: int) -> dict[int, int]:
        cert = dict(a.of)
        cert[n] = w
        return cert

    # -- the probe ---------------------------------------------------------------------------
    def probe(self, s: int, e: int, skill: str | None, stats: ProbeStats) -> tuple[Status, dict[int, int] | None]:
        inst = self.inst
        n = inst.n_tasks  # index of the new task in inst + N
        elig = inst.eligible_for(s, e, skill)
        if not elig:  # 1. nobody can take it
            stats.by_necessary_condition += 1
            return Status.INFEASIBLE, None
        # 2. a witness with a free eligible worker
        for a in self.pool:
            for w in elig:
                if a.is_free(w, s, e):
                    stats.by_certificate += 1
                    return Status.FEASIBLE, self._certificate(a, n, w)

        eligset = set(elig)
        overl = self.index.overlapping(s, e)
        conflicts = frozenset(t for t in overl if eligset.intersection(inst.eligible[t]))
        key = (elig, conflicts)
        if key in self.cache:  # 3. equivalent to a decided candidate; a plan for it is a plan here too,
            stats.by_equivalence += 1  # since N clashes with the very same tasks on the same workers
            return self.cache[key]

        inst_n = inst.with_task(NEW_TASK_ID, s, e, skill)

        # 4. Hall condition at the instants inside N (cheap; before repair, which it would only waste)
        if not self._matchable(inst_n, n, s, e, overl):
            stats.by_necessary_condition += 1
            self.cache[key] = (Status.INFEASIBLE, None)
            return Status.INFEASIBLE, None

        # 5. repair: clear one eligible worker by moving its blockers elsewhere (bounded effort)
        for a in self.pool[:2]:
            a.inst = inst_n
            w = insert(a, n, s, e, elig, depth=2, max_workers=REPAIR_WORKERS, max_blockers=REPAIR_MAX_BLOCKERS,
                       effort=REPAIR_EFFORT)
            a.inst = inst
            if w is not None:
                cert = self._certificate(a, n, w)
                self.cache[key] = (Status.FEASIBLE, cert)
                self._remember(a)
                stats.by_repair += 1
                return Status.FEASIBLE, cert

        # 5b. the whole day with N rebuilt afresh in start order (solver.construct.rebuild; checked by is_valid)
        cert = construct.rebuild(inst_n)
        if cert is not None:
            self.cache[key] = (Status.FEASIBLE, cert)
            self._remember(Assignment(inst, cert))
            stats.by_repair += 1
            return Status.FEASIBLE, cert

        # 6. windows around N, growing: a restricted model (others pinned) that finds a plan proves a
        # slot; a relaxed model (others dropped) without one proves there is none. Both are small.
        for margin in WINDOW_MARGINS:
            if self.time_limit <= 0:
                return Status.UNKNOWN, None
            window = self.index.overlapping(s - margin, e + margin) + [n]
            limit = min(self.time_limit, WINDOW_TIME_LIMIT)
            base = self.pool[0]
            base.inst = inst_n
            hint = {n: min(elig, key=lambda w: len(base.clashes(w, s, e)))}
            found = restricted(inst_n, base, window, time_limit=limit, workers=self.workers, hint=hint)
            base.inst = inst
            stats.solver_calls += 1
            if found is not None:
                cert = dict(base.of)
                cert.update(found)
                self._remember(Assignment(inst, cert))
                self.cache[key] = (Status.FEASIBLE, cert)
                stats.by_neighbourhood += 1
                return Status.FEASIBLE, cert
            stats.solver_calls += 1
            if relaxed_infeasible(inst_n, window, time_limit=limit, workers=self.workers):
                self.cache[key] = (Status.INFEASIBLE, None)
                stats.by_neighbourhood += 1
                return Status.INFEASIBLE, None

        # 7. CP-SAT on N's conflict component, hinted with the witness (if the query's budget allows)
        if self.time_limit <= 0:
            return Status.UNKNOWN, None
        components = self.components
        comp_ids = {self.component_of[t] for t in conflicts}
        tasks = [t for c in comp_ids for t in components[c]] + [n]
        base = self.pool[0]
        hint = {t: base.of[t] for t in tasks if t in base.of}
        hint[n] = min(elig, key=lambda w: len(base.clashes(w, s, e)))
        res = solve(inst_n, tasks, time_limit=self.time_limit, hint=hint, workers=max(2, self.workers))
        stats.solver_calls += 1
        if res.status is Status.FEASIBLE:
            stats.by_solver += 1
            cert = dict(base.of)
            cert.update(res.assignment)
            self._remember(Assignment(inst, cert))
            self.cache[key] = (Status.FEASIBLE, cert)
            return Status.FEASIBLE, cert
        if res.status is Status.INFEASIBLE:
            stats.by_solver += 1
            self.cache[key] = (Status.INFEASIBLE, None)
        return res.status, None

    def _remember(self, a: Assignment) -> None:
        """Keep a new witness (without N) in the pool, so later candidates can reuse it."""
        clean = Assignment(self.inst, {t: w for t, w in a.of.items() if t < self.inst.n_tasks})
        self.pool.insert(1, clean)
        del self.pool[POOL_SIZE:]

    def _matchable(self, inst_n: Instance, n: int, s: int, e: int, overl: list[int]) -> bool:
        holder_of = self.pool[0].of
        instants = {s} | {inst_n.starts[t] for t in overl if s < inst_n.starts[t] < e}
        for tau in instants:
            # The witness already gives the alive tasks distinct workers; only N needs a path.
            holder = {holder_of[t]: t for t in overl if inst_n.starts[t] <= tau < inst_n.ends[t]}
            if not augment(n, inst_n.eligible.__getitem__, holder):
                return False
        return True
