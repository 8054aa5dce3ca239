"""Slot probing: which candidate starts can take one more untaken task, decided exactly.

Two engines answer the same question:
- ``naive``: a fresh CP-SAT model of the whole day per candidate (the reference; slow but simple);
- ``exact`` (production): the same answers, reached by sound shortcuts before any solver call.

Shortcuts of the exact engine, in the order they are tried, with why each is sound. Let N be the
new task [S, S + duration) with its crew's seats, and A a known valid assignment of every open seat
(a *witness*: it fills every seat and keeps every limit). All candidates start in the query's
operational day, so N always counts toward the same (worker, day) limit rows.
1. N's seats cannot get distinct workers who fit them -> not a slot. Any plan needs them.
2. Certificate: some witness leaves distinct eligible workers free during N, each with room under
   its limits for N -> slot. The witness plus N's seats on them is a valid plan (checked by
   `solver.checker` when `verify` is on).
2b. Replay: the moves an earlier query's plan for this start made (`guides`, see `solver.domain.Guides`), put
   on the day's plan where each still fits (else the seat stays where the day's plan has it), then N's seats
   on the workers that plan gave them if they are free with room -> slot. Each put keeps no-overlap and the
   limits, so the result is a valid plan of today's day plus N whatever the guide says.
3. Equivalent candidate already decided             -> same answer. Feasibility depends on N only
   through its seats' eligible workers, the set of seats it conflicts with (overlaps *and* shares an
   eligible worker) and its limit rows (the same for every candidate: same day, same length); two
   candidates with equal such sets give identical models up to N's times. A candidate at least as hard
   as a refuted one is not a slot either (`_ExactProber._dominated`: a plan with it would give one
   with the refuted candidate). Since the verdict depends on the key alone, a candidate whose key is
   already decided is answered before steps 1 and 2 when the keys are known up front (small days,
   `equivalence_keys`), and a key refused by step 1 is remembered as decided.
4. Hall condition: every instant tau inside N sees N's seats and the open seats alive at tau; they
   pairwise overlap, so they need distinct workers. If no matching covers them all, no plan exists
   -> not a slot. The witness already matches every alive seat but N's, so one augmenting-path search
   per seat of N decides it (Berge). Only instants at S or at a task start inside N matter: every
   maximal clique of an interval graph is the set alive at some start. Limits and flexible crews are
   relaxed here (see `solver.bounds`), which keeps the "no slot" sound.
4b. Guide (one that took windows or a model, not a repair's): the plan an earlier query found for this start. First that
   plan with N's seats on the workers it gave them, rebuilt on today's day plus N (`solver.assign.rebuilt`:
   each seat where the plan put it if it still fits, the rest where today's witness has them or where
   `insert` makes room) -> slot if every seat is placed; then the other way round (today's witness with
   the seats the guide moved for N, the rest where the guide's plan has them). Else its moves applied to
   the witness where they fit (`solver.assign.towards`), then N on it as in steps 2 and 5 -> slot. Every
   step of these puts a seat on a free eligible worker with room, so what they build is a valid plan of
   today's day (with N, for the rebuilds) whatever the guide says; a stale or made-up guide only costs time.
5. Repair: move the few seats that block N's seats on some workers to other workers (ejection chains
   of length <= 2, bounded effort; every move keeps no-overlap and limits, seats of flexible tasks
   never move) -> slot.
5c. Chain: where the repair finds nothing, one chain of displacements of any length (N's seat onto a worker
   where it overlaps one seat, that seat onto another worker where it overlaps one, ... until one lands
   on a free worker; `solver.assign.displace`, breadth first, no worker twice) -> slot. Applied from the
   far end, every put is onto a worker just left by the one seat it overlapped, checked free and within
   limits, so the result is a valid plan of the day plus N. A guide that is a repair's plan (`cheap`) is
   mended as in step 4b after steps 5 and 5c find nothing, before the windows.
6. Windows around N (on a day without limits first the chain window, then 1 h, 3 h, 8 h, see
   `solver.neighbourhood.windows`): CP-SAT on the tasks of the window with every other task pinned to
   its worker in a witness (the newest of the pool) -> slot if it finds a plan (a plan of the sub-model
   is a plan of the day: pinned tasks keep valid places, free tasks only go where no pinned task is);
   then CP-SAT on the window's tasks alone, the rest dropped -> not a slot if even that has no plan
   (dropping tasks only removes constraints). Small models, both sound for any set of tasks.
   Failing them, the whole day with N is rebuilt afresh in start order (`solver.construct.rebuild`)
   -> slot if that places every seat: it returns only a plan that passes `is_valid` (no-overlap,
   limits, crews) on the whole day plus N. Counted as a repair; tried after the windows, which decide
   most probes in milliseconds where a rebuild of a big day costs a few tenths of a second.
7. CP-SAT on N's conflict components only (those of the seats it conflicts with and those of the
   limited workers of N's seats on N's day), hinted with the witness: decides both ways. A model of more
   than `max_model_literals` (seat, worker) pairs is not built: the probe stays undecided. The other
   components share no worker-time and no limit row with N and are covered by the witness (see
   `conflict_components`).
A probe that CP-SAT cannot decide in its time limit is reported as undecided, never as a slot.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from solver import construct
from solver.assign import Assignment, displace, insert, pull_back, rebuilt, towards
from solver.bounds import augment
from solver.checker import assert_feasible
from solver.domain import Guides, NamedPlan, ProbeStats, Scenario, Slot, SlotAnswer, SlotQuery, Status
from solver.instance import (
    TICKS_PER_MINUTE,
    Instance,
    TimeIndex,
    compile_scenario,
    conflict_components,
    epoch,
    span_mask,
)
from solver.model import solve
from solver.neighbourhood import settle
from solver.options import DEFAULT_OPTIONS, ENGINES, SolverOptions
from solver.plan import InstancePlan, Witness, named_assignment, plan_instance, uncovered_names, witness_hint

__all__ = ["ENGINES", "NEW_TASK_ID", "find_slots"]

NEW_TASK_ID = "__new__"
Progress = Callable[[int, int], None]
Certificate = dict[int, int]  # item -> worker, N's seats included


@dataclass(frozen=True)
class Probe:
    """One candidate's verdict; FEASIBLE comes with a certificate."""

    status: Status
    certificate: Certificate | None = None


UNKNOWN = Probe(Status.UNKNOWN)
NO_SLOT = Probe(Status.INFEASIBLE)


def seat_matching(seat_workers: list[tuple[int, ...]], ok: Callable[[int], bool] | None = None) -> list[int] | None:
    """Distinct workers for seats 0..k-1 among their workers that pass `ok`: the worker of each, or None."""
    holder: dict[int, int] = {}  # worker -> seat
    options = [tuple(w for w in ws if ok is None or ok(w)) for ws in seat_workers]
    for k in range(len(options)):
        if not augment(k, options.__getitem__, holder):
            return None
    out = [0] * len(options)
    for w, k in holder.items():
        out[k] = w
    return out


def find_slots(
    scenario: Scenario,
    query: SlotQuery,
    options: SolverOptions = DEFAULT_OPTIONS,
    *,
    witness: Witness | None = None,
    progress: Progress | None = None,
    guides: Guides | None = None,
) -> SlotAnswer:
    """The contract's slot answer for a validated scenario.

    `witness` (task id -> worker or workers) is a known plan, e.g. the one the service stored with its
    last accepted change; it is checked before it is trusted. `options.budget` caps the seconds of the
    whole query: once spent, the candidates still open go to `undecided` (never to `slots`).
    `options.max_slots` stops after that many slots (later candidates are not listed at all).
    `guides`: an earlier answer's `guides` for this day, tried first for their starts (step 4b); stale or
    wrong ones cost a little time, never a verdict.
    If the day without the new task cannot be decided in `options.base_time_limit`, `feasible_base` is
    None and every candidate is undecided; False comes only with a proof and names the tasks.
    """
    began = time.perf_counter()
    stats = ProbeStats()
    inst = compile_scenario(scenario)
    starts = query.candidates(scenario)
    stats.candidates = len(starts)
    base = _base(inst, options, witness, stats)
    if base.status is not Status.FEASIBLE:
        stats.seconds = time.perf_counter() - began
        if base.status is Status.INFEASIBLE:
            return SlotAnswer(query, False, uncovered_names(inst, base.uncovered), [], [], stats)
        every = [Slot(s, s + _duration(query)) for s in starts]
        stats.undecided = len(every)
        return SlotAnswer(query, None, [], [], every, stats)

    day = query.date.toordinal() if inst.limits else 0
    prober: _Prober
    if options.engine == "naive":
        prober = _NaiveProber(inst, query, day, options)
    else:
        prober = _ExactProber(inst, query, day, options, base.assignment, guides)
    slots: list[Slot] = []
    undecided: list[Slot] = []
    prober.deadline = None if options.budget is None else began + options.budget
    # Candidates are UTC instants a whole step apart (SlotQuery.candidates), so integer arithmetic gives
    # the same spans as converting each one (which was a tenth of a small day's query).
    first, step = (epoch(starts[0]) if starts else 0), query.step_minutes * TICKS_PER_MINUTE
    length = query.duration_minutes * TICKS_PER_MINUTE
    spans = [(first + k * step, first + k * step + length) for k in range(len(starts))]
    prober.prepare(spans)
    verdicts = _probe_all(prober, spans, options, stats, progress)
    for k, verdict in verdicts.items():
        s = starts[k]
        if verdict.status is Status.FEASIBLE:
            if options.verify:
                _verify(scenario, inst, query, day=day, cert=verdict.certificate, s=s)
            slots.append(Slot(s, s + _duration(query)))
        elif verdict.status is Status.UNKNOWN:
            stats.undecided += 1
            undecided.append(Slot(s, s + _duration(query)))
    stats.seconds = time.perf_counter() - began
    learned = prober.learned if isinstance(prober, _ExactProber) else {}
    plans = {s: _named_moves(inst, learned[k][0], base.assignment) for k, s in zip(spans, starts, strict=False)
             if k in learned}
    seats = {s: learned[k][1] for k, s in zip(spans, starts, strict=False) if k in learned}
    cheap = frozenset(s for k, s in zip(spans, starts, strict=False) if k in learned and learned[k][2])
    return SlotAnswer(query, True, [], slots, undecided, stats,
                      Guides(_named(inst, base.assignment), plans, seats, cheap) if plans else None)


def _probe_all(prober: _Prober, spans: list[tuple[int, int]], options: SolverOptions, stats: ProbeStats,
               progress: Progress | None) -> dict[int, Probe]:
    """Each candidate's verdict, by its index, in two passes (`SolverOptions.first_pass_limit`): a start that
    takes longer than the first pass allows is left for the second, so one hard start cannot spend the
    budget the later ones needed. Only the order of the work changes, never a verdict. One pass with
    `max_slots` (which slots come first must not depend on time) and for the naive engine (the reference)."""
    first = None if options.max_slots is not None or options.engine == "naive" else options.first_pass_limit
    verdicts: dict[int, Probe] = {}
    found = 0
    for k, span in enumerate(spans):
        prober.probe_deadline = None if first is None else time.perf_counter() + first
        verdicts[k] = prober.probe(*span, stats)
        prober.probe_deadline = None
        found += verdicts[k].status is Status.FEASIBLE
        if progress is not None:
            progress(k + 1, len(spans))
        if options.max_slots is not None and found >= options.max_slots:
            break
    if first is not None:
        for k, verdict in verdicts.items():
            if verdict.status is Status.UNKNOWN and prober.time_limit > 0:
                verdicts[k] = prober.probe(*spans[k], stats)
    return verdicts


def _named(inst: Instance, plan: Mapping[int, int]) -> NamedPlan:
    """An item plan of the day's open seats as task id -> the workers of its open seats."""
    n = inst.n_tasks
    owners = sorted({inst.owner[t] for t in plan if t < n})
    return {inst.tasks[k].id: tuple(inst.worker_ids[plan[i]] for i in inst.tasks[k].seats if i in plan)
            for k in owners}


def _named_moves(inst: Instance, moved: Mapping[int, int], base: Mapping[int, int]) -> NamedPlan:
    """The tasks a plan puts elsewhere than `base` does, each with the workers of all its open seats, from
    `moved` (the items where the plan differs from `base`)."""
    owners = sorted({inst.owner[t] for t in moved})
    return {inst.tasks[k].id: tuple(inst.worker_ids[moved.get(i, base.get(i, -1))] for i in inst.tasks[k].seats
                                    if i in moved or i in base)
            for k in owners}


def _duration(query: SlotQuery) -> timedelta:
    return timedelta(minutes=query.duration_minutes)


def _base(inst: Instance, options: SolverOptions, witness: Witness | None, stats: ProbeStats) -> InstancePlan:
    """The day without the new task: a plan, a proof that there is none (naming tasks), or unknown."""
    if options.engine == "naive":
        res = solve(inst, time_limit=options.base_time_limit, formulation="intervals",
                    workers=options.solver_workers)
        stats.solver_calls += 1
        if res.status is Status.INFEASIBLE:  # naive only decided feasibility; name the tasks the same way
            named = plan_instance(inst, time_limit=options.base_time_limit, options=options)
            return InstancePlan(Status.INFEASIBLE, {}, named.uncovered, named.optimal)
        return InstancePlan(res.status, res.assignment)
    return plan_instance(inst, hint=witness_hint(inst, witness), time_limit=options.base_time_limit,
                         workers=options.model_workers, options=options)


def _verify(scenario: Scenario, inst: Instance, query: SlotQuery, *, day: int, cert: Certificate | None,
            s: datetime) -> None:
    """Check a slot's plan with the independent checker, on the scenario plus the new task."""
    assert cert is not None, "a slot must come with a plan"
    new = query.new_task(NEW_TASK_ID, s)
    inst_n = inst.with_task(NEW_TASK_ID, epoch(new.start), epoch(new.end), None, crew=query.seats, day=day)
    with_new = scenario.with_tasks((*scenario.tasks, new))
    assert_feasible(with_new, named_assignment(with_new, inst_n, cert))


# The steps whose plans are kept as guides for the next query (`SlotAnswer.guides`): every plan beyond the
# day's witness (a repair's, replayed by step 2b; a window's or a model's, also rebuilt by step 4b), besides the
# plans of the query's own pool (see `_cheap`).
LEARNED_STEPS = frozenset({"by_guide", "by_repair", "by_neighbourhood", "by_solver"})

Key = tuple[tuple[tuple[int, ...], ...], frozenset[int]]  # each entry's workers, the seats N conflicts with
KEY_CELLS = 100_000  # (candidate, item) pairs up to which `equivalence_keys` runs: 10- and 50-worker days


def equivalence_keys(inst: Instance, spans: list[tuple[int, int]],
                     entry_workers: list[list[tuple[int, ...]]]) -> dict[tuple[int, int], Key]:
    """Step 3's key of every candidate: its entries' workers and the seats it conflicts with (overlaps, and
    shares an eligible worker with N), as `_ExactProber.probe` computes it one by one, here as matrices of
    (candidate x item): the overlaps, and one column selection per distinct set of N's workers for the sharing."""
    if not spans:
        return {}
    n_workers = len(inst.worker_ids)
    cand = np.fromiter(itertools.chain.from_iterable(spans), dtype=np.int64, count=2 * len(spans)).reshape(-1, 2)
    overlaps = (np.asarray(inst.starts, dtype=np.int64) < cand[:, 1:2]) & (np.asarray(inst.ends, dtype=np.int64)
                                                                            > cand[:, 0:1])  # half-open
    fits = np.zeros((inst.n_tasks, n_workers), dtype=np.bool_)  # item x worker: eligible
    fits[[t for t, ws in enumerate(inst.eligible) for _ in ws], [w for ws in inst.eligible for w in ws]] = True
    groups: dict[tuple[tuple[int, ...], ...], int] = {}
    group_of = [groups.setdefault(tuple(entries), len(groups)) for entries in entry_workers]
    # Distinct entries' workers x item: shares a worker. Column selections, not a float product: BLAS ran
    # that product on threads that kept spinning after it, ~60 ms of a second core per query for nothing.
    shares = np.stack([fits[:, sorted({w for ws in entries for w in ws})].any(axis=1) for entries in groups])
    conflicts = overlaps & shares[group_of]
    # Equal rows share one set, found by their packed bytes (np.unique by rows took 20 times longer).
    packed = np.packbits(conflicts, axis=1)
    width, buffer = packed.shape[1], packed.tobytes()
    distinct: dict[bytes, int] = {}
    row_of = [distinct.setdefault(buffer[k * width:(k + 1) * width], k) for k in range(len(spans))]
    firsts = list(dict.fromkeys(row_of))
    at, cols = np.nonzero(conflicts[firsts])  # row-major: each distinct row's items, rows one after another
    bounds = np.searchsorted(at, np.arange(len(firsts) + 1)).tolist()
    items = cols.tolist()
    sets = {k: frozenset(items[a:b]) for k, (a, b) in zip(firsts, itertools.pairwise(bounds), strict=True)}
    entries_of = list(groups)
    return {span: (entries_of[g], sets[r]) for span, g, r in zip(spans, group_of, row_of, strict=True)}


class _Prober:
    def __init__(self, inst: Instance, query: SlotQuery, day: int, options: SolverOptions) -> None:
        self.inst = inst
        self.crew = query.seats
        self.day = day
        self.options = options
        self.deadline: float | None = None  # the query's budget (`options.budget`) ends then (perf_counter)
        self.probe_deadline: float | None = None  # this probe's first pass ends then (`first_pass_limit`)
        self.entry_eligible: dict[tuple[int, int], list[tuple[int, ...]]] = {}  # (s, e) -> `eligible_at`

    @property
    def time_limit(self) -> float:
        """Seconds the next step of a probe may spend: the per-candidate limit, cut to what the query's budget
        has left at that moment (so one probe's many steps cannot overrun the budget between them)."""
        limit = self.options.probe_time_limit
        for end in (self.deadline, self.probe_deadline):
            if end is not None:
                limit = min(limit, end - time.perf_counter())
        return limit

    def prepare(self, spans: list[tuple[int, int]]) -> None:
        """The candidates about to be probed, in order, for work done once for all of them (none here: the
        naive engine builds each candidate's model from scratch)."""

    def eligible_at(self, s: int, e: int) -> list[tuple[int, ...]]:
        """The workers who fit each crew entry of N at [s, e)."""
        found = self.entry_eligible.get((s, e))
        return found if found is not None else [self.inst.eligible_for(s, e, c.skill) for c in self.crew]

    def extended(self, s: int, e: int) -> Instance:
        eligible = self.entry_eligible.get((s, e))
        return self.inst.with_task(NEW_TASK_ID, s, e, None, crew=self.crew, day=self.day, eligible=eligible)

    def probe(self, s: int, e: int, stats: ProbeStats) -> Probe:
        raise NotImplementedError


class _NaiveProber(_Prober):
    """Fresh CP-SAT per candidate, textbook interval model, no hint, no shortcut."""

    def probe(self, s: int, e: int, stats: ProbeStats) -> Probe:
        limit = self.time_limit
        if limit <= 0:
            return UNKNOWN
        res = solve(self.extended(s, e), time_limit=limit, formulation="intervals",
                    workers=self.options.solver_workers)
        stats.solver_calls += 1
        stats.by_solver += res.status is not Status.UNKNOWN
        return Probe(res.status, res.assignment if res.status is Status.FEASIBLE else None)


class _ExactProber(_Prober):
    def __init__(self, inst: Instance, query: SlotQuery, day: int, options: SolverOptions,  # noqa: PLR0913
                 base: dict[int, int], guides: Guides | None = None) -> None:
        super().__init__(inst, query, day, options)
        # Step 4b's guides: start tick -> an earlier query's plan for it, and that query's day plan.
        self.guides = {epoch(s): g for s, g in guides.plans.items()} if guides is not None else {}
        self.guide_seats = {epoch(s): ws for s, ws in guides.new.items()} if guides is not None else {}
        self.guide_base = guides.base if guides is not None else {}
        self.guide_cheap = {epoch(s) for s in guides.cheap} if guides is not None else set()
        self._guide_then: dict[int, int] | None = None  # `guide_base` as items, once
        self._guide_moves: dict[int, dict[int, int]] = {}  # start -> its guide as items (`_moves`), once
        # (s, e) -> a plan found beyond the pool's certificates (the day's items), the workers of N's seats in
        # it, and whether a repair found it (`Guides.cheap`)
        self.learned: dict[tuple[int, int], tuple[dict[int, int], tuple[str, ...], bool]] = {}
        self.seat_entries = [k for k, c in enumerate(self.crew) for _ in range(c.count)]
        self.base = base  # the day's plan (`pool[0]` starts as it, and repairs move seats in it)
        self.pool: list[Assignment] = [Assignment(inst, base)]
        self.cache: dict[Key, Probe] = {}
        self.deferred: set[Key] = set()  # keys a first pass left undecided (`first_pass_limit`)
        # (s, e) -> the window (its position in `solver.neighbourhood.windows`) a probe's first pass was in
        # when its time ran out: the second pass resumes there (see `_windows`).
        self.reached: dict[tuple[int, int], int] = {}
        # Refuted candidates (each entry's workers, conflicts), for `_dominated`.
        self.refuted: list[tuple[list[frozenset[int]], frozenset[int]]] = []
        self.index = TimeIndex(inst)
        self.worker_index = {w: i for i, w in enumerate(inst.worker_ids)}
        # Conflict components are built on the first step 7 only: on a big day they cost seconds, and most
        # queries never get that far.
        self._components: list[list[int]] | None = None
        self.component_of: dict[int, int] = {}
        self.limit_component: dict[tuple[int, int], int] = {}
        self.keys: dict[tuple[int, int], Key] = {}  # (s, e) -> the candidate's equivalence key, see `prepare`

    def prepare(self, spans: list[tuple[int, int]]) -> None:
        """Every candidate's eligible workers per crew entry in one vectorised pass and, on a small day, its
        equivalence key (step 3) too, so that a candidate equivalent to a decided one costs a lookup: on a
        10-worker day ~200 of the 271 candidates are, and their keys one by one were most of the query."""
        self.entry_eligible, self.keys = {}, {}
        if not spans:
            return
        per_entry = [self.inst.eligible_many(spans, c.skill) for c in self.crew]
        self.entry_eligible = {span: [ws[k] for ws in per_entry] for k, span in enumerate(spans)}
        if len(spans) * self.inst.n_tasks <= KEY_CELLS:
            self.keys = equivalence_keys(self.inst, spans, [self.entry_eligible[span] for span in spans])

    @property
    def components(self) -> list[list[int]]:
        if self._components is None:
            inst = self.inst
            self._components = conflict_components(inst)
            self.component_of = {t: i for i, comp in enumerate(self._components) for t in comp}
            # A limited worker's day is one component (see conflict_components): N joins it through that row.
            self.limit_component = {(w, inst.days[t]): self.component_of[t] for t in range(inst.n_tasks)
                                    for w in inst.eligible[t] if w in inst.limits} if inst.limits else {}
        return self._components

    # -- helpers -------------------------------------------------------------------------------
    def _known(self, key: Key, entry_workers: list[tuple[int, ...]], conflicts: frozenset[int],
               anyone: set[int]) -> Probe | None:
        """The verdict of an equivalent decided candidate (a plan for it is a plan here too, since N clashes
        with the very same seats on the same workers), else NO_SLOT if N is dominated (`_dominated`)."""
        if key in self.cache:
            return self.cache[key]
        if self._dominated(entry_workers, conflicts, anyone):
            self.cache[key] = NO_SLOT  # later candidates with this key skip the scan
            return NO_SLOT
        return None

    def _dominated(self, entry_workers: list[tuple[int, ...]], conflicts: frozenset[int], anyone: set[int]) -> bool:
        """N is at least as hard as a refuted candidate D (so it is no slot either): each of N's entries
        has a subset of D's workers, and every task D conflicts with that a worker of N could hold
        overlaps N too. Soundness: from a plan with N, seat D on N's workers (eligible for D's entries by
        the first condition). A task on such a worker w overlapping D is eligible for w, so it is one of
        D's conflicts a worker of N could hold; by the second condition it overlaps N and could not be on w
        beside N. So D's seats clash with nothing; D and N are both in the query's day with the query's
        length, so the limits count them alike: a plan with D, which the refutation says does not exist.
        On crew M-80 cold (2 cores): 55 -> 32 refuting window models, 1.03 -> 0.78 s per query."""
        eligible = self.inst.eligible
        if len(entry_workers) == 1:  # the common query, without a generator per refuted candidate
            ws = entry_workers[0]
            wider = [d_conflicts for d_entries, d_conflicts in self.refuted if d_entries[0].issuperset(ws)]
        else:
            wider = [d_conflicts for d_entries, d_conflicts in self.refuted
                     if all(d.issuperset(ws) for d, ws in zip(d_entries, entry_workers, strict=True))]
        # The second condition, on the few of D's conflicts that N lacks (a set difference in C first: this
        # scan was a quarter of a small day's query).
        return any(all(anyone.isdisjoint(eligible[t]) for t in d_conflicts - conflicts) for d_conflicts in wider)

    def _certificate(self, a: Assignment, s: int, e: int, seat_workers: list[tuple[int, ...]]) -> Certificate | None:
        """The witness plus N's seats on distinct free workers with room, if it has them."""
        m = span_mask(self.inst.time_breaks, s, e)  # N's time slots: "free" is one AND (`Assignment.free_for`)
        if len(seat_workers) == 1:
            w = next((w for w in seat_workers[0] if a.free_for(w, m) and a.room_on(w, self.day, e - s)), None)
            chosen = None if w is None else [w]
        else:
            chosen = seat_matching(seat_workers, lambda w: a.free_for(w, m) and a.room_on(w, self.day, e - s))
        if chosen is None:
            return None
        cert = dict(a.of)
        n = self.inst.n_tasks
        cert.update((n + k, w) for k, w in enumerate(chosen))
        return cert

    # -- the probe ---------------------------------------------------------------------------
    def _cheap(self, s: int, e: int, entry_workers: list[tuple[int, ...]]) -> tuple[Probe, str] | None:
        """Steps 1 and 2, which need no conflict set: the verdict and the stats counter of the step, or None."""
        seat_workers = [entry_workers[k] for k in self.seat_entries]
        # 1. N's seats cannot get distinct workers who fit (one seat: nobody fits it)
        if not seat_workers[0] if len(seat_workers) == 1 else seat_matching(seat_workers) is None:
            return NO_SLOT, "by_necessary_condition"
        for k, a in enumerate(self.pool):  # 2. a witness with free eligible workers
            cert = self._certificate(a, s, e, seat_workers)
            if cert is not None:
                if k > 0:  # a plan this query found: this start's guide for the next (step 2b), as a repair's
                    self._keep(s, e, cert, cheap=True)
                return Probe(Status.FEASIBLE, cert), "by_certificate"
        cert = self._replayed(s, e, seat_workers)  # 2b. an earlier query's moves for this start, as they were
        if cert is not None:
            return Probe(Status.FEASIBLE, cert), "by_guide"
        return None

    def _replayed(self, s: int, e: int, seat_workers: list[tuple[int, ...]]) -> Certificate | None:
        """Step 2b: the guide's moves for start `s` put on today's plan as they are, then N's seats on the workers
        the guide gave them: a certificate if every one fits where it is put (eligible, free, room), else None
        and today's plan untouched. Each put keeps no-overlap and the limits, so what it builds is a valid plan of
        today's day plus N whatever the guide says. Why: most starts a repair frees need the same few moves query
        after query (a booking or a take apart), and checking those moves costs microseconds where the repair's
        ejection-chain search costs milliseconds."""
        named, seats = self.guides.get(s), self.guide_seats.get(s)
        if named is None or not seats or len(seats) != len(seat_workers):
            return None
        moves = self._moves(s) or {}
        widx = self.worker_index
        chosen = [widx.get(name, -1) for name in seats]
        if len(set(chosen)) != len(chosen) or any(w not in ws for w, ws in zip(chosen, seat_workers, strict=True)):
            return None
        a, inst = self.pool[0], self.inst
        moving = [t for t, w in moves.items() if t in a.of and a.of[t] != w and inst.entry[t] >= 0]
        today = {t: a.of[t] for t in moving}
        mark = a.begin()
        try:
            for t in moving:
                a.remove(t)
            for t in moving:  # where the guide has it if it fits there, else back where today's plan has it
                for w in (moves[t], today[t]):
                    if w in inst.eligible[t] and a.can_take(w, t):
                        a.put(t, w)
                        break
                else:
                    return None
            if not all(a.is_free(w, s, e) and a.room_on(w, self.day, e - s) for w in chosen):
                return None
            cert = dict(a.of)
        finally:
            a.rollback(mark)
        n = inst.n_tasks
        cert.update((n + k, w) for k, w in enumerate(chosen))
        return cert

    def probe(self, s: int, e: int, stats: ProbeStats) -> Probe:
        key = self.keys.get((s, e))
        # 3. as a decided candidate, first when the key is known (`prepare`): the same verdict, certificate or not
        if key is not None and (known := self.cache.get(key)) is not None:
            stats.by_equivalence += 1
            return known
        inst = self.inst
        entry_workers = self.eligible_at(s, e)
        cheap = self._cheap(s, e, entry_workers)
        if cheap is not None:
            verdict, counter = cheap
            setattr(stats, counter, getattr(stats, counter) + 1)
            if key is not None and verdict is NO_SLOT:
                self.cache[key] = verdict  # step 1 holds for every candidate with the same workers per entry
            if counter == "by_guide":  # step 2b: kept for the next query, and in the pool like a repair's plan
                self._learn(s, e, verdict, cheap=s in self.guide_cheap)
            return verdict
        anyone = {w for ws in entry_workers for w in ws}
        overl = self.index.overlapping(s, e)
        if key is None:
            key = (tuple(entry_workers), frozenset(t for t in overl if not anyone.isdisjoint(inst.eligible[t])))
        conflicts = key[1]
        known = self._known(key, entry_workers, conflicts, anyone)  # 3. as a decided candidate
        if known is not None:
            stats.by_equivalence += 1
            return known
        if self.time_limit <= 0 or (self.probe_deadline is not None and key in self.deferred):
            # The budget is spent (steps 4-7, Hall, repair, models, cost real time), or a first pass already
            # left a candidate of this very structure for the second (it would take as long again).
            return UNKNOWN
        verdict, counter = self._search(s, e, stats, overl=overl, conflicts=conflicts, anyone=anyone)
        if verdict.status is Status.UNKNOWN:
            if self.probe_deadline is not None:
                self.deferred.add(key)
            return verdict
        self.cache[key] = verdict
        if verdict.status is Status.INFEASIBLE:
            self.refuted.append(([frozenset(ws) for ws in entry_workers], conflicts))
        setattr(stats, counter, getattr(stats, counter) + 1)
        if verdict.certificate is not None and counter in LEARNED_STEPS:
            self._learn(s, e, verdict, cheap=counter == "by_repair")
        return verdict

    def _learn(self, s: int, e: int, verdict: Probe, *, cheap: bool) -> None:
        """A plan found beyond the pool's certificates: kept as this start's guide for the next query (`cheap`:
        a repair's, see `Guides.cheap`), and in the pool for the next candidates."""
        cert = verdict.certificate
        assert cert is not None
        self._keep(s, e, cert, cheap=cheap)
        self._remember(cert)

    def _keep(self, s: int, e: int, cert: Certificate, *, cheap: bool) -> None:
        n, names, base = self.inst.n_tasks, self.inst.worker_ids, self.base
        # Only what the plan moves from the day's plan: a full copy per start, and naming it at the end, cost
        # ~20 ms a query on the load test's day once repairs were kept.
        self.learned[s, e] = ({t: w for t, w in cert.items() if t < n and base.get(t) != w},
                              tuple(names[cert[i]] for i in range(n, n + len(self.seat_entries))), cheap)

    def _search(self, s: int, e: int, stats: ProbeStats, *, overl: list[int], conflicts: frozenset[int],
                anyone: set[int]) -> tuple[Probe, str]:
        """Steps 4-7 on the day plus N: the verdict and the stats counter of the step that decided it."""
        if not self._matchable(s, e, overl):  # 4. Hall condition at the instants inside N
            return NO_SLOT, "by_necessary_condition"
        inst_n = self.extended(s, e)  # after the Hall check, which refutes most candidates that get this far
        new = list(range(self.inst.n_tasks, inst_n.n_tasks))
        guide = self._moves(s)
        mended = self._mended(inst_n, new, s, e, guide)  # 4b, 5 and 5c
        if mended is not None:
            return Probe(Status.FEASIBLE, mended[0]), mended[1]
        # 6. growing windows around N, hinted with the guide's moves if there is one
        verdict = self._windows(inst_n, new, s, e, stats, guide)
        if verdict is not None:
            return verdict, "by_neighbourhood"
        if self.options.repair_effort > 0:  # 5b. rebuild the day with N (solver.construct), after the
            # windows: they decide most probes in milliseconds, a rebuild of a big day costs ~0.3 s
            cert = construct.rebuild(inst_n, deadline=time.perf_counter() + max(0.0, self.time_limit) / 4)
            if cert is not None:
                return Probe(Status.FEASIBLE, cert), "by_repair"
        return self._component(inst_n, new, conflicts, anyone, stats), "by_solver"  # 7. N's components

    def _mended(self, inst_n: Instance, new: list[int], s: int, e: int,
                guide: dict[int, int] | None) -> tuple[Certificate, str] | None:
        """Steps 4b, 5 and 5c: a plan of today's day with N mended from the guide for start `s` or from the
        pool's plans, and the stats counter of the step that found it.
        4b: the plan an earlier query found for this start, rebuilt on today's day (`_rebuilt`), else its moves
        applied to today's plan (`_guided`). 5: clear workers by moving their blockers elsewhere (`_repair`,
        with 5c's chains of displacements when its ejection trees find nothing). A repair's guide (`cheap`) is
        mended only after the repair: rebuilding the day for it first cost more than the repair it would save;
        when the repair fails, mending it is still far cheaper than step 6's windows (one captured load-test
        round's 138 queries replayed alone, with step 5c: 117 -> 97 starts took windows, 38-40 -> 28-29 s)."""
        cheap = s in self.guide_cheap
        if guide is not None and not cheap and (cert := self._from_guide(inst_n, new, s, e, guide)) is not None:
            return cert, "by_guide"
        if (cert := self._repair(inst_n, new, s, e)) is not None:
            return cert, "by_repair"
        if guide is not None and cheap and (cert := self._from_guide(inst_n, new, s, e, guide)) is not None:
            return cert, "by_guide"
        return None

    def _from_guide(self, inst_n: Instance, new: list[int], s: int, e: int,
                    moves: dict[int, int]) -> Certificate | None:
        """Step 4b: the guide's plan rebuilt on today's day (`_rebuilt`), else its moves applied (`_guided`)."""
        cert = self._rebuilt(inst_n, s)
        return cert if cert is not None else self._guided(inst_n, new, s, e, moves)

    def _moves(self, s: int) -> dict[int, int] | None:
        """The guide for start `s` as items: what its plan moved from the earlier day plan."""
        named = self.guides.get(s)
        if named is None:
            return None
        moves = self._guide_moves.get(s)
        if moves is None:  # once per start: steps 2b, 4b and 6 all read it
            moves = self._guide_moves[s] = witness_hint(self.inst, named) or {}
        return moves

    def _then(self) -> dict[int, int]:
        """The day plan the guides were learned on, as items (once per query)."""
        if self._guide_then is None:
            self._guide_then = witness_hint(self.inst, self.guide_base) or {}
        return self._guide_then

    def _rebuilt(self, inst_n: Instance, s: int) -> Certificate | None:
        """Step 4b's first try: the guide's whole plan for start `s`, N's seats on the workers it gave them,
        rebuilt on today's day plus N (`solver.assign.rebuilt`); a certificate if every seat found a place.
        If one did not, the other way round: today's plan with what the guide moved for N, the guide's plan
        as the fallback.
        Why the whole plan: after a write the guard may re-plan the day's witness in many places (60-200
        seats between two load-test queries), and `towards` then moves the guide's few differences onto a
        plan they no longer fit (in one such query it gave up on 9 of 9 guides and 14 starts took windows).
        Replayed in order with the guides each answer learned, that load-test round's 71 queries took
        16.8-19.0 s with this, 20.5-22.7 s without (CP-SAT models 120-123 -> 99-104); four other rounds were
        unchanged.
        Why the other way round: in the late queries of a load-test round, what the first rebuild could not
        place was nearly always the one booking made since the guide was learned, which the guide's plan
        has no worker for and ejection chains of two found no room for; today's plan has room for it, and
        often for the guide's moves too. Four load-test rounds' 233 queries, replayed in order with the
        guides each answer learned, alternating (2 cores): 52.6-53.4 s in all, p95 0.75-0.84 s per query,
        with it; 53.3-64.6 s, p95 0.94-1.24 s, without. (Placing what the first rebuild left by window
        models instead cost as much as step 6's windows around N: no gain.)"""
        seats = self.guide_seats.get(s)
        if not seats:
            return None
        today, effort = self.pool[0].of, self.options.repair_effort
        wanted = witness_hint(inst_n, self.guides[s] | {NEW_TASK_ID: seats}) or {}  # what N needed moved
        guided = self._then() | wanted
        # `rebuilt` keeps the fallback's seats of flexible tasks as they are: today's, never the guide's.
        flexible = {t: w for t, w in today.items() if inst_n.entry[t] < 0}
        for plan, fallback in ((guided, today), (today | wanted, guided | flexible)):
            b = rebuilt(inst_n, plan, fallback, effort=effort, chain_nodes=self.options.chain_nodes)
            if b is not None:
                return dict(b.of)
        return None

    def _guided(self, inst_n: Instance, new: list[int], s: int, e: int, moves: dict[int, int]) -> Certificate | None:
        """Step 4b: N on the day's plan moved towards an earlier query's plan for this start
        (`solver.assign.towards`, a valid plan of today's day whenever it is built), as in steps 2 and 5.
        On the load test's day most starts that took windows in one query took them in the next too (the
        same starts, a booking or a take apart), and this found the same plans: its 52 captured queries,
        replayed in order, took 20.3 s without guides, 9.3 s with them (with the windows' hint). Building
        the earlier plan itself with today's changes, as a second try, decided no more."""
        b = towards(self.pool[0], moves, effort=self.options.repair_effort, chain_nodes=self.options.chain_nodes)
        if b is None:
            return None
        cert = self._certificate(b, s, e, [self.eligible_at(s, e)[k] for k in self.seat_entries])
        return cert if cert is not None else self._repair(inst_n, new, s, e, [b])

    def _repair(self, inst_n: Instance, new: list[int], s: int, e: int,
                plans: list[Assignment] | None = None) -> Certificate | None:
        opts = self.options
        if opts.repair_effort <= 0:
            return None
        for a in self.pool[:2] if plans is None else plans:
            with a.extended(inst_n):
                mark = a.begin()
                for seat in new:
                    w = insert(a, seat, s, e, inst_n.eligible[seat], depth=2, max_workers=opts.repair_workers,
                               max_blockers=opts.repair_max_blockers, effort=opts.repair_effort,
                               inner_blockers=opts.repair_inner_blockers)
                    if w is None and opts.chain_nodes > 0:  # 5c. one chain of displacements, any length
                        w = displace(a, seat, s, e, inst_n.eligible[seat], max_nodes=opts.chain_nodes)
                    if w is None:
                        break
                    a.put(seat, w)
                else:
                    cert = dict(a.of)
                    for seat in new:
                        a.remove(seat)
                    a.commit(mark)
                    return cert
                a.rollback(mark)
        return None

    def _hint_for_new(self, base: Assignment, inst_n: Instance, new: list[int], s: int, e: int) -> dict[int, int]:
        hint: dict[int, int] = {}
        for seat in new:
            left = [w for w in inst_n.eligible[seat] if w not in hint.values()]
            if left:
                hint[seat] = min(left, key=lambda w: len(base.clashes(w, s, e)))
        return hint

    def _windows(self, inst_n: Instance, new: list[int], s: int, e: int, stats: ProbeStats,  # noqa: PLR0913
                 guide: dict[int, int] | None = None) -> Probe | None:
        """A restricted model (others pinned) that finds a plan proves a slot; a relaxed model (others
        dropped) without one proves there is none (`solver.neighbourhood.settle`). None: no window decided.
        `guide`: what an earlier query's plan for this start moved (step 4b), the models' hint for the window's
        tasks it holds (the others start where the pins' plan has them): on the load test's day a 1 h chain
        window took 0.94 s without it, 0.1 s with it. Only the moves, not that query's whole plan: the rest of
        it is the day's plan of then, which the guard has since re-planned in places (60-200 seats between
        two load-test queries), and as a hint it started CP-SAT away from the valid plan the pins come from.
        Replayed on 248 load-test queries with the guides each had read (2 cores, alone, two runs each way):
        65.7 and 79.5 s in all, p95 1.18 and 1.33 s, against 83.6 and 79.1 s, p95 1.34 and 1.53 s with the
        whole plan (one query there took 10 s in both runs, with one start undecided; in the runs with the
        moves it took 2.7-9.7 s, then 1.4 s in three runs alone: CP-SAT's two workers make such a query's
        time vary that much).

        The pins come from the newest plan of the pool (the last slot's certificate without its N), not the
        day's first witness: any valid plan serves (see `solver.neighbourhood`), and the candidates probed
        next are later the same day, where that plan has already made room. Measured cold on 2 cores: the
        load-test day after 60 bookings 1.44 -> 0.9 s per query, crew M-80 0.63 -> 0.48 s, crew M-90 0.87 ->
        0.80 s, the others unchanged."""
        base = self.pool[1] if len(self.pool) > 1 else self.pool[0]

        def counted() -> None:
            stats.solver_calls += 1

        def reached(k: int) -> None:
            self.reached[s, e] = k

        hint = (guide or {}) | self._hint_for_new(base, inst_n, new, s, e)
        # A probe that a first pass cut off (`_probe_all`) resumes at the window it was in: the narrower
        # ones found no plan then. On the load test's day a hard start's 3 h window spent ~1.1 s without a
        # plan and its 8 h window was cut off by the first pass; the second pass tried the chain, 1 h and
        # 3 h windows again, as long again, before the 8 h window found the plan. (Skipping a window only
        # loses a chance at a plan, never soundness: the windows are tried in this order for speed alone.)
        found = settle(inst_n, self.index, base, new, self.options, time_left=lambda: self.time_limit,
                       workers=self.options.model_workers, hint=hint, on_model=counted, chain=not inst_n.limits,
                       cap=self.options.probe_window_cap, skip=self.reached.get((s, e), 0),
                       growth=self.options.window_growth, growth_after=self.options.window_growth_after,
                       on_window=reached)
        if found is False:
            return NO_SLOT
        if found is None:
            return UNKNOWN if self.time_limit <= 0 else None
        return Probe(Status.FEASIBLE, self._settled(base, inst_n, found))

    def _settled(self, base: Assignment, inst_n: Instance, found: dict[int, int]) -> Certificate:
        """`base` with a model's plan `found` for some of its items and N's seats, pulled back towards the day's
        plan (`solver.assign.pull_back`: the plan is kept as this start's guide, as moves from that plan),
        as a certificate."""
        a = base.copy()
        with a.extended(inst_n):
            for t in found:
                if t in a.of:
                    a.remove(t)
            for t, w in found.items():
                a.put(t, w)
            pull_back(a, self.base)
        return a.of

    def _component(self, inst_n: Instance, new: list[int], conflicts: frozenset[int], anyone: set[int],
                   stats: ProbeStats) -> Probe:
        if self.time_limit <= 0:
            return UNKNOWN
        components = self.components
        comp_ids = {self.component_of[t] for t in conflicts}
        comp_ids.update(c for w in anyone if (c := self.limit_component.get((w, self.day))) is not None)
        tasks = [t for c in comp_ids for t in components[c]] + new
        if inst_n.pairs(tasks) > self.options.max_model_literals:
            return UNKNOWN  # too big to build in bounded time and memory (SolverOptions.max_model_literals)
        base = self.pool[0]
        hint = {t: base.of[t] for t in tasks if t in base.of}
        s, e = inst_n.starts[new[0]], inst_n.ends[new[0]]
        hint.update(self._hint_for_new(base, inst_n, new, s, e))
        limit = self.time_limit  # after the components and the hint, which take time on a big day
        if limit <= 0:
            return UNKNOWN
        res = solve(inst_n, tasks, time_limit=limit, hint=hint, workers=self.options.model_workers,
                    formulation=self.options.formulation, search=self.options.tiny_search)
        stats.solver_calls += 1
        if res.status is Status.FEASIBLE:
            return Probe(Status.FEASIBLE, self._settled(base, inst_n, res.assignment))
        return Probe(res.status)

    def _remember(self, cert: Certificate) -> None:
        """Keep a new witness (without N) in the pool, so later candidates can reuse it."""
        n = self.inst.n_tasks
        # The base plus the few seats the certificate moved: a copy, not a rebuild of every seat (on a
        # 2,000-worker day that rebuild was a sixth of a query's time).
        clean = self.pool[0].copy()
        for t, w in cert.items():
            if t < n and clean.of.get(t) != w:
                if t in clean.of:
                    clean.remove(t)
                clean.put(t, w)
        for t in [t for t in clean.of if t not in cert]:
            clean.remove(t)
        self.pool.insert(1, clean)
        del self.pool[self.options.pool_size:]

    def _matchable(self, s: int, e: int, overl: list[int]) -> bool:
        """Step 4 on the day's items and N's seats (numbered after them, as `extended` numbers them)."""
        inst = self.inst
        n, starts, ends, eligible = inst.n_tasks, inst.starts, inst.ends, inst.eligible
        entry_workers = self.eligible_at(s, e)
        seat_workers = [entry_workers[k] for k in self.seat_entries]

        def options(t: int) -> tuple[int, ...]:
            return seat_workers[t - n] if t >= n else eligible[t]

        holder_of = self.pool[0].of
        instants = {s} | {starts[t] for t in overl if s < starts[t] < e}
        for tau in instants:
            # The witness already gives the alive seats distinct workers; only N's seats need paths.
            holder = {holder_of[t]: t for t in overl if starts[t] <= tau < ends[t]}
            if not all(augment(n + k, options, holder) for k in range(len(seat_workers))):
                return False
        return True
