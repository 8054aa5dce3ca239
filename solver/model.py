"""The CP-SAT feasibility model: the one place that talks to OR-Tools.

Decision: x[t, e, w] = worker w takes a seat of crew entry e of task t, for every worker who fits
that entry (fits a shift, has the skill, does not clash with the worker's held tasks — see
`solver.instance`). Seat counts are equalities per (task, entry); a worker takes at most one entry of a
task; a holder who could sit in several entries gets y[h, e] with exactly one of them; the daily limits
are one linear row per (limited worker, operational day) over the tasks starting that day.
Two formulations of "no two overlapping tasks on one worker" are offered:
- "intervals": one optional interval per (task, worker), `add_no_overlap` per worker (the textbook model);
- "cliques": tasks have fixed times, so overlap is a fixed graph — an interval graph per worker — and
  "at most one task per maximal clique" says exactly the same thing with plain Booleans, which
  CP-SAT propagates faster (measured in benchmarks/).
Items (open seats) are the engines' unit; the model groups them back into their tasks, so a caller may
pass any set of items: every task with an item in it is modelled whole.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver import backtrack
from solver.backtrack import Usage
from solver.domain import Status
from solver.instance import Instance, maximal_cliques
from solver.options import FORMULATIONS, Formulation
from solver.pace import Pace

__all__ = ["FORMULATIONS", "SolveResult", "Usage", "solve"]



@dataclass
class SolveResult:
    status: Status
    assignment: dict[int, int]  # item -> worker (every item, when feasible and covering all)
    uncovered: list[int]  # items of the tasks left out (only when maximising coverage)
    optimal: bool
    seconds: float


@dataclass
class _Vars:
    # The x's as proto indices, not `IntVar`s: a window model holds up to ~100,000 of them, and a wrapper
    # object per literal (created, then unwrapped again by every constraint) was most of building one.
    x: dict[tuple[int, int, int], int] = field(default_factory=dict)  # (task, entry, worker) -> x's index
    on: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (task, worker) -> x's indices
    by_worker: dict[int, list[int]] = field(default_factory=dict)  # worker -> its x's
    task: dict[int, int] = field(default_factory=dict)  # x's index -> its task
    start: dict[int, int] = field(default_factory=dict)  # x's index -> its task's start
    end: dict[int, int] = field(default_factory=dict)  # x's index -> its task's end
    y: dict[int, list[dict[int, int]]] = field(default_factory=dict)  # task -> per flexible holder: entry -> y
    cover: dict[int, int] = field(default_factory=dict)  # task -> its `covered` variable's index
    covered: dict[int, cp_model.IntVar] = field(default_factory=dict)


def _bool_vars(model: cp_model.CpModel, count: int) -> None:
    """`count` unnamed 0-1 variables at the end of the model, parsed in one call (twice as fast as one
    `IntVar` each, which also names and builds a domain per variable)."""
    if count:
        model.proto.merge_text_format("variables { domain: [0, 1] }\n" * count)


def _literal(model: cp_model.CpModel, index: int) -> cp_model.IntVar:
    return cp_model.IntVar(model.proto, index)


def _variables(model: cp_model.CpModel, inst: Instance, task_list: list[int], v: _Vars, cover_all: bool) -> None:
    """Every variable of the model, numbered from 0 (the model is empty yet) task by task as they were when
    each was created on its own (a task's holders' y's, its `covered`, then its x's), and created at once:
    the model stays the one built before, row for row (CP-SAT's search follows the order, see
    `_no_overlap`)."""
    x, on, by_worker, x_task, x_start, x_end = v.x, v.on, v.by_worker, v.task, v.start, v.end
    n = 0
    for t in task_list:
        info = inst.tasks[t]
        flex = info.flex_holders
        for usable in flex:
            v.y.setdefault(t, []).append(dict(zip(usable, range(n, n + len(usable)), strict=True)))
            n += len(usable)
        if not cover_all:
            v.cover[t] = n
            n += 1
        seat = info.seats[0]
        start, end = inst.starts[seat], inst.ends[seat]
        for e, need in enumerate(info.need):
            if need == 0 and not any(e in usable for usable in flex):
                continue
            for w in inst.allowed(t, e):
                x[t, e, w] = n
                lits = on.get((t, w))
                if lits is None:
                    on[t, w] = [n]
                else:
                    lits.append(n)
                row = by_worker.get(w)
                if row is None:
                    by_worker[w] = [n]
                else:
                    row.append(n)
                x_task[n] = t
                x_start[n] = start
                x_end[n] = end
                n += 1
    _bool_vars(model, n)
    v.covered = {t: _literal(model, i) for t, i in v.cover.items()}


def _task_rows(model: cp_model.CpModel, inst: Instance, t: int, v: _Vars) -> None:
    """Seat counts of task t (and its undecided holders' entries), over its variables made by `_variables`."""
    info = inst.tasks[t]
    constraints = model.proto.constraints
    y = v.y.get(t, [])
    for ys in y:
        constraints.add().exactly_one.literals.extend(ys.values())
    cov = v.covered.get(t)
    x = v.x
    for e, need in enumerate(info.need):
        if need == 0 and not any(e in ys for ys in y):
            continue
        lits = [x[t, e, w] for w in inst.allowed(t, e)]
        held = [ys[e] for ys in y if e in ys]
        if cov is None and need == 1:
            # Not the linear `sum == 1`: CP-SAT propagates exactly-one natively, and the window models run
            # without presolve, which would otherwise have rewritten it (v1's speed, lost in v2's first cut).
            constraints.add().exactly_one.literals.extend([*lits, *held])
            continue
        terms = [_literal(model, i) for i in (*lits, *held)]
        if cov is None:
            model.add(sum(terms) == need)
        else:
            model.add(sum(terms) == need).only_enforce_if(cov)
            model.add(sum(_literal(model, i) for i in lits) == 0).only_enforce_if(~cov)
    if len(info.need) > 1:
        for w in {w for e in range(len(info.need)) for w in info.entry_eligible[e]}:
            lits = v.on.get((t, w), [])
            if len(lits) > 1:
                constraints.add().at_most_one.literals.extend(lits)


def _presence(model: cp_model.CpModel, lits: list[int]) -> cp_model.IntVar:
    if len(lits) == 1:
        return _literal(model, lits[0])
    z = model.new_bool_var("")
    model.add(sum(_literal(model, i) for i in lits) == z)
    return z


def _no_overlap(model: cp_model.CpModel, v: _Vars, formulation: str) -> None:
    if formulation == "cliques":
        # Swept over each worker's x's: the x's of one task on one worker share its interval, so a clique of
        # x's is a clique of tasks with all their x's. One of a single task's x's is left out (`_task_rows`
        # has that row), and each goes in by index, i.e. by task, as the rows built from tasks did: CP-SAT's
        # search follows the rows' order, and with the x's in start order and those extra rows crew XL-90's
        # cold query took 4.1-5.6 s (eight runs) where the same model in the former order took 2.4-3.0 s.
        constraints = model.proto.constraints
        start, task = v.start, v.task
        for keys in v.by_worker.values():
            keys.sort(key=start.__getitem__)
            for clique in maximal_cliques(keys, start, v.end):
                clique.sort()
                if task[clique[0]] != task[clique[-1]]:
                    constraints.add().at_most_one.literals.extend(clique)
    elif formulation == "intervals":
        per_worker: dict[int, list[tuple[int, list[int]]]] = {}
        for (_, w), lits in v.on.items():
            per_worker.setdefault(w, []).append((lits[0], lits))
        for w, xs in per_worker.items():
            model.add_no_overlap([
                model.new_optional_fixed_size_interval_var(v.start[first], v.end[first] - v.start[first],
                                                           _presence(model, lits), f"i_{first}_{w}")
                for first, lits in xs
            ])
    else:
        raise ValueError(f"unknown formulation {formulation!r}; use one of {FORMULATIONS}")


def _limits(model: cp_model.CpModel, inst: Instance, v: _Vars, pinned: Usage | None) -> None:
    rows: dict[tuple[int, int], list[tuple[int, list[int]]]] = {}
    limited = inst.limits
    span: dict[int, tuple[int, int]] = {}  # task -> (day, length), once per task
    for (t, w), lits in v.on.items():
        if w in limited:
            if t not in span:
                seat = inst.tasks[t].seats[0]
                span[t] = (inst.days[seat], inst.ends[seat] - inst.starts[seat])
            day, length = span[t]
            rows.setdefault((w, day), []).append((length, lits))
    for (w, day), terms in rows.items():
        max_seats, max_ticks = inst.cap(w, day)
        seats_out, ticks_out = (pinned or {}).get((w, day), (0, 0))
        flat = [_literal(model, i) for _, lits in terms for i in lits]
        if max_seats is not None:
            model.add(cp_model.LinearExpr.sum(flat) <= max_seats - seats_out)
        if max_ticks is not None:
            lengths = [length for length, lits in terms for _ in lits]
            model.add(cp_model.LinearExpr.weighted_sum(flat, lengths) <= max_ticks - ticks_out)


def _hinted(inst: Instance, task_list: list[int], hint: Mapping[int, int]) -> set[tuple[int, int, int]]:
    """The (task, entry, worker) literals a hint (item -> worker) sets True; a flexible seat's worker on any
    entry of its task."""
    chosen: set[tuple[int, int, int]] = set()
    for t in task_list:
        entries = range(len(inst.tasks[t].need))
        for i in inst.tasks[t].seats:
            w = hint.get(i)
            if w is None:
                continue
            e = inst.entry[i]
            chosen.update([(t, e, w)] if e >= 0 else ((t, f, w) for f in entries))
    return chosen


def _build(inst: Instance, task_list: list[int], formulation: str, cover_all: bool,
           pinned: Usage | None) -> tuple[cp_model.CpModel, _Vars]:
    model = cp_model.CpModel()
    v = _Vars()
    _variables(model, inst, task_list, v, cover_all)
    for t in task_list:
        _task_rows(model, inst, t, v)
    _no_overlap(model, v, formulation)
    if inst.limits:
        _limits(model, inst, v, pinned)
    if not cover_all:
        # The smallest set of tasks that cannot be covered together: cover as many as possible.
        model.maximize(sum(v.covered.values()))
    return model, v


def _read(inst: Instance, solver: cp_model.CpSolver, v: _Vars,
          task_list: list[int]) -> tuple[dict[int, int], list[int]]:
    """Item -> worker from the x's: the workers of a task fill its seats entry by entry (a flexible task's
    seats take its workers in any order: their eligibility is the entries' union)."""
    chosen: dict[int, list[tuple[int, int]]] = {}
    solution = solver.response_proto.solution  # read once: boolean_value per literal cost ~1 us each
    for (t, e, w), lit in v.x.items():
        if solution[lit]:
            chosen.setdefault(t, []).append((e, w))
    assignment: dict[int, int] = {}
    uncovered: list[int] = []
    for t in task_list:
        seats = inst.tasks[t].seats
        by_entry = chosen.get(t, [])
        if len(by_entry) < len(seats):
            uncovered.extend(seats)
            continue
        free = list(seats)
        for e, w in by_entry:
            seat = next(i for i in free if inst.entry[i] in (e, -1))
            free.remove(seat)
            assignment[seat] = w
    return assignment, uncovered


# Several CP-SAT workers run a portfolio whose full-problem subsolver ("default_lp") sets its own LP level
# (1), so a `linearization_level` of 2 reached none of them: two workers then failed for seconds to refute
# windows one worker refuted in 0.03 s. With level 2 and several workers the full-problem subsolver is
# "max_lp" (level 2) beside the first-solution local search (feasibility jump), which finds most window
# plans in a few hundredths.
LP_SUBSOLVER = "max_lp"


def _run(model: cp_model.CpModel, time_limit: float, workers: int, presolve: bool,  # noqa: PLR0913 -- the stage's knobs
         linearization: int | None, pace: Pace | None = None, *,
         light: bool = False) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    if light:
        # The presolved stage after a repair that found nothing (`presolve_after`): presolve without its
        # probing, and without symmetry detection and the feasibility pump. What this stage needs from
        # presolve is the fixing of the many literals the pins leave with one worker; probing (trying each
        # literal both ways) and symmetry cost hundreds of milliseconds on the load test's 10,000-literal
        # windows. Replayed (2 cores, CP-SAT seeds 1-4) on the 45 window models of 23 late load-test queries
        # that reached a two-worker stage without presolve, 0.2 s of it then presolved: 3.7-8.4 -> 2.5-4.7 s
        # of CP-SAT in all, the slowest model 0.64-3.2 -> 0.35-0.77 s. (The relaxed windows keep the full
        # presolve: their proofs need symmetry and the pump, see `_run`'s other comment.)
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.use_feasibility_pump = False
    if not presolve:
        solver.parameters.cp_model_presolve = False
        # A model solved without presolve is a repair of a hinted plan (a restricted window, a component the
        # heuristic nearly covered): its plan comes from the first-solution local search ("fj") or an LNS
        # within a few moves of the hint. CP-SAT's symmetry detection (~60 ms on a 30,000-literal window)
        # and the feasibility pump (which held fj's thread for ~150 ms) only delay it, and fj's default
        # batch (0.1 deterministic s) kept a tiny infeasible window waiting ~50 ms for fj to notice the
        # proof (S-80 0.026 -> 0.08 s per query; 0.03 s with 0.01). Replayed on the nine window models of
        # crew XL-90's cold plan (2 cores): 2.73 -> 1.23 s of CP-SAT; per query crew M-90 1.06 -> 0.73 s,
        # crew L-90 1.14 -> 0.87 s, the rest unchanged. (Kept for the presolved models: the relaxed
        # windows' proofs got slower without symmetry and the pump, crew M-90 1.06 -> 1.43 s.)
        solver.parameters.symmetry_level = 0
        solver.parameters.use_feasibility_pump = False
        solver.parameters.feasibility_jump_batch_dtime = 0.01
    if linearization is not None:
        solver.parameters.linearization_level = linearization
        if linearization >= 2 and workers > 1:  # noqa: PLR2004 -- CP-SAT's level of the full LP
            solver.parameters.subsolvers.append(LP_SUBSOLVER)
    # Not `repair_hint`: with OR-Tools 9.15 it aborts the whole process on some models ("Check failed:
    # heuristics.fixed_search != nullptr", google/or-tools#5025), seen here in the test suite. The
    # window models of `solver.slots` do the repairing instead. `interleave_search` with several workers
    # aborts the same way (seen on a window model here).
    if pace is not None:
        return pace.solve(solver, model, time_limit), solver
    return solver.solve(model), solver


def _without_cp_sat(inst: Instance, items: list[int], task_list: list[int], *, time_limit: float,  # noqa: PLR0913 -- keyword-only
                    hint: dict[int, int] | None, cover_all: bool, pinned: Usage | None,
                    search: tuple[int, int]) -> tuple[Status, dict[int, int]] | None:
    """The answers that need no CP-SAT model: a seat nobody can take, no task, no time left (undecided, never
    a guess), or a tiny model decided by `solver.backtrack` (its soundness argument is there)."""
    if cover_all and any(not inst.eligible[t] for t in items):
        return Status.INFEASIBLE, {}
    if not task_list:
        return Status.FEASIBLE, {}
    if time_limit <= 0:
        return Status.UNKNOWN, {}
    max_pairs, max_nodes = search
    if cover_all and max_nodes > 0 and inst.pairs([i for t in task_list for i in inst.tasks[t].seats]) <= max_pairs:
        found = backtrack.search(inst, task_list, pinned=pinned, hint=hint, max_nodes=max_nodes)
        if found is False:
            return Status.INFEASIBLE, {}
        if found is not None:
            return Status.FEASIBLE, found
    return None


def solve(  # noqa: PLR0913 -- the knobs after `tasks` are keyword-only
    inst: Instance,
    tasks: Iterable[int] | None = None,
    *,
    time_limit: float = 10.0,
    hint: dict[int, int] | None = None,
    formulation: Formulation = "cliques",
    cover_all: bool = True,
    workers: int = 1,
    presolve: bool = True,
    pinned: Usage | None = None,
    linearization: int | None = None,
    single_first: float = 0.0,
    presolve_after: float = 0.0,
    repair_first: float = 0.0,
    search: tuple[int, int] = (0, 0),
    deadline: float | None = None,
) -> SolveResult:
    """Decide whether the tasks of the items `tasks` (default: all) can all be covered.

    With `cover_all=False` it maximises the number of covered tasks instead and reports the items of the
    rest in `uncovered` (status FEASIBLE then means "a best-known cover was found"). `pinned`: seats and
    ticks that items outside the model already hold per (limited worker, day). `linearization`: CP-SAT's
    `linearization_level`; 2 puts the exactly-one and clique rows into its LP, whose relaxation refutes
    an over-full window at once where search alone takes seconds (measured: benchmarks/); with several
    `workers` it runs on CP-SAT's "max_lp" subsolver (see `LP_SUBSOLVER`). `single_first`: seconds of a
    one-worker attempt on the same model before the `workers` search (see `solver.neighbourhood`).
    `presolve_after` (with `presolve` off): seconds of that search, after which the time left goes to a
    presolved one (see `solver.neighbourhood.REPAIR_SECONDS`). `repair_first` (with `presolve` on): seconds
    of a search without presolve, as a repair of the hint, before the presolved one. `search` = (literals,
    nodes): a model of at most that many (seat, worker) pairs is first searched depth-first
    (`solver.backtrack`), which answers exactly unless it gives up after `nodes` assignments tried; (0, 0),
    the default, never (the naive engine's reference model stays plain CP-SAT).
    `deadline` (a `time.perf_counter()` instant): `time_limit` and the stages' seconds are then paced, counted
    without the time the solve waited for a CPU (`solver.pace`), and the wall clock bounds them only at
    `deadline` and at `solver.pace.SLACK` times their seconds.
    """
    began = time.perf_counter()
    items = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    task_list = sorted({inst.owner[i] for i in items})
    early = _without_cp_sat(inst, items, task_list, time_limit=time_limit, hint=hint, cover_all=cover_all,
                            pinned=pinned, search=search)
    if early is not None:
        status, assignment = early
        return SolveResult(status, assignment, [], status is not Status.UNKNOWN, time.perf_counter() - began)
    # Paced from here, not from `began`: starting a pace reads every thread's delays from /proc (~0.1 ms), a
    # tenth of a tiny window's cost where the depth-first search above decided it (gen-S-80: 5 models a query).
    pace = Pace(deadline, began) if deadline is not None else None

    model, v = _build(inst, task_list, formulation, cover_all, pinned)
    if hint:
        # A complete hint (every x, mostly False): CP-SAT then tries the hinted plan as a whole, where a hint of
        # the True literals alone made crew windows slower (measured: crew L-90 0.95 -> 1.2-1.5 s per query).
        chosen = _hinted(inst, task_list, hint)
        # In one batch: `add_hint` per literal cost ~3 us each, 0.1 s on a 30,000-literal window.
        model.proto.solution_hint.vars.extend(v.x.values())
        model.proto.solution_hint.values.extend(int(key in chosen) for key in v.x)
    code, solver = cp_model.UNKNOWN, None

    def spent() -> float:
        return time.perf_counter() - began if pace is None else pace.spent()

    if single_first > 0 and workers > 1:
        code, solver = _run(model, min(single_first, time_limit), 1, presolve, linearization, pace)
    left = time_limit - spent()
    if code == cp_model.UNKNOWN and left > 0 and presolve and repair_first > 0:
        code, solver = _run(model, min(left, repair_first), workers, False, linearization, pace)
        left = time_limit - spent()
    if code == cp_model.UNKNOWN and left > 0:
        staged = not presolve and presolve_after > 0
        code, solver = _run(model, min(left, presolve_after) if staged else left, workers, presolve, linearization,
                            pace)
        left = time_limit - spent()
        if staged and code == cp_model.UNKNOWN and left > 0:
            code, solver = _run(model, left, workers, True, linearization, pace, light=True)
    seconds = time.perf_counter() - began

    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assert solver is not None
        assignment, uncovered = _read(inst, solver, v, task_list)
        return SolveResult(Status.FEASIBLE, assignment, sorted(uncovered), code == cp_model.OPTIMAL, seconds)
    if code == cp_model.INFEASIBLE:
        return SolveResult(Status.INFEASIBLE, {}, [], True, seconds)
    return SolveResult(Status.UNKNOWN, {}, [], False, seconds)
