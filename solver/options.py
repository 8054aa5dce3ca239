"""The solver's knobs, in one frozen dataclass passed down explicitly (no module globals to patch).

Every public entry point (`solver.slots.find_slots`, `solver.plan.plan`, and the commands built on
them) takes a `SolverOptions`; the defaults are the production settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

TICKS_PER_SECOND = 1_000_000  # the compiled instance's time unit (microseconds; see solver.instance)
HOUR_TICKS = 3600 * TICKS_PER_SECOND

Engine = Literal["exact", "naive"]
Formulation = Literal["cliques", "intervals"]
ENGINES: tuple[Engine, ...] = ("exact", "naive")
FORMULATIONS: tuple[Formulation, ...] = ("cliques", "intervals")


@dataclass(frozen=True)
class SolverOptions:
    """How hard and how to search.

    - `engine`: "exact" (sound shortcuts, then small CP-SAT models) or "naive" (a fresh CP-SAT model of the
      whole day per candidate: the reference).
    - `formulation`: the no-overlap form of the exact engine's whole-component CP-SAT solves (the last
      stage of a probe and of `plan`; window models use "cliques"); the naive engine always uses "intervals".
    - `probe_time_limit`: seconds CP-SAT may spend on one candidate before it is undecided.
    - `first_pass_limit`: seconds one candidate may take in the first pass over the candidates; one that
      takes longer is left for a second pass, after the others, with the time the query has left (see
      `solver.slots.find_slots`). None: one pass. Why: on the load test's day one start that no window
      decided took a query's whole 10 s budget and left the 59 later starts undecided (replayed alone).
      Replayed, three such queries left 177 starts undecided in one pass, 6 with 2 s, 61 with 3 s (two
      hard starts then took the budget between them); 58 lighter ones took 14.8 s in one pass, 15.8 s
      with 2 s (a 1.7 s start done twice), 15.4 s with 3 s. 2.5 s since the windows' light presolved stage
      (`solver.model._run`): a first pass of 2 s can be used up by a start's narrower windows (up to
      `probe_window_cap` each) before its widest window, which would decide it in ~0.4 s, has had that
      long. One load-test query (alone, five runs) where four starts in a row went that way took
      8.3-10.0 s with 2 s, 2.5-2.7 s with 2.5 s, 2.4-2.6 s with 3 s.
    - `base_time_limit`: seconds to decide the day without the new task (and `plan`'s whole limit).
    - `budget`: seconds for the whole slot query; once spent, open candidates go to `undecided`.
    - `solver_workers`: CP-SAT search workers per solve of the naive engine.
    - `model_workers`: CP-SAT workers for the exact engine's window, component and whole-day models. Two,
      not one: the second subsolver finds the plan of a crew window in ~0.2 s where the default search
      alone ran out of its 2 s (measured on gen-crew-L-90: 47 s -> see benchmarks/results).
    - `window_margins` (ticks) / `window_time_limit`: the growing local models around a task (none when
      empty, the chain window included).
    - `probe_window_cap`: seconds a slot probe's restricted window may take unless it is the widest: a
      window that has not found its plan by then passes to the next, wider one (hinted by the relaxed
      plan). Replayed on 283 load-test queries (2 cores): the slowest 2.9 -> 1.9 s, all of them 73 s
      either way, the same answers (one 1 h window had spent its whole 2 s finding nothing, where the 3 h
      window after it found the plan in 0.3 s); a cap of 0.5 s lost more plans than it saved time (the
      16 heaviest queries 35 -> 60 s). Whole-day planning keeps `window_time_limit`.
    - `window_growth` / `window_growth_after`: after a slot probe's restricted window whose pins CP-SAT *proved*
      to leave no plan, taking at least `window_growth_after` seconds for it, the next windows but the widest
      are skipped until one has `window_growth` times its items (growth 0: none skipped). Why: on the load
      test's tight day one start is hard in every late query: its chain window (134 items) takes 0.45-0.7 s to
      prove the pins leave no plan, the 1 h window (158 items) 0.6-0.85 s more, and the 3 h window (303-307
      items) finds the plan in 0.13-0.66 s. A slow proof is the sign: the pins around the start are tight, and
      a slightly wider window holds the same ones. Replayed (one capture of three rounds, 140 queries, two runs
      each way, alone): the slowest query 2.1-2.2 -> 1.6-1.8 s, all of them 32-36 s either way, the same
      answers. The rule once applied after any window without a plan (a timeout too) and with no time floor:
      then it hurt the benchmark's days, whose skipped windows were the ones that found the plans (crew M-80
      cold 0.99 -> 2.19 s per query, the tight PTSP 67_371 18.5 -> 26.4 s; 2026-12-06, 639eafb); their slow
      failures are timeouts (PTSP 67_371 tight: one of six restricted windows, unknown at the 1 s cap) or
      quick proofs (crew M-80: 17 infeasible windows, none slower than 0.3 s), which the rule now leaves alone.
    - `chain_depth` / `chain_literals`: links of a slot probe's first, chain window on a day without
      limits (0: none; see `solver.neighbourhood.chain_window`), one link fewer while it is above
      `chain_literals` (item, worker) pairs. Two: measured cold on 2 cores, v1 L-90 0.45 -> 0.29 s and M-90
      0.33 -> 0.17 s per query, the load test's L-90 day after its bookings 1.4 -> 0.7 s; on crew days
      with limits it lost (crew L-90 0.53 -> 0.70 s from the witness), so those skip it. 12,000 pairs: on
      the load-test day after 50 bookings two-link windows of 20,000-24,000 pairs cost ~0.5 s each, and
      the query went 1.75 -> 0.9 s with the cap (16,000 did as well, 8,000 worse: 1.3 s).
    - `big_window_literals`: a window above this many (item, worker) pairs is big: its relaxed model is not
      tried (see `solver.neighbourhood.worth_relaxing`).
    - `bare_window_literals`: when the first margin's window is above this many pairs, the bare window
      (margin 0) goes first (see `solver.neighbourhood.windows`). 10,000, not 30,000: on crew XL-90's cold
      plan its 1 h windows (18,000-30,000 pairs, the full limited workers' day included) each cost
      0.3-0.5 s, and one of them stalled for 2 s, the 3 h and 8 h windows after it too (~23 s per plan,
      three runs); bare first 2.9-4.0 s. Slot queries on crew M/L and v1 L/XL days unchanged.
    - `repair_*`: ejection-chain repair bounds (0 effort switches repair off). 1,500 steps, not 400: a
      repair that succeeds saves a window model (~0.1-0.2 s on an L day); one that fails costs a few
      milliseconds more (measured: the load test's L-90 day after 37 bookings 1.2 -> 0.8 s per query,
      crew M-90 cold 4.1 -> 3.3 s, the other issue-8 days unchanged).
    - `repair_inner_blockers`: tasks one link of a slot probe's ejection chain may push on from the worker it
      takes (`solver.assign.move_out`; the first link, from the new task's worker, may push
      `repair_max_blockers`). Two, not one: a start whose one plan nearby moves three tasks (the new task's
      worker's task onto a worker with two tasks in its way, one of those into the gap the first left beside
      the new task) was out of reach of one-task links and took CP-SAT windows of 220-260 tasks. With the new
      task's worker open to the chains on days without limits (`solver.assign.insert`), three load-test
      rounds' 194 slot queries (2026-12-07, Intel Xeon 2 cores), replayed in two processes side by side, each
      query twice, alternating: starts that took windows 82 -> 32, per-query p95 0.72-0.75 -> 0.49-0.50 s, p99
      1.9-2.2 -> 1.3 s, the slowest 2.3-4.6 -> 1.5-1.6 s, the same answers (three against two: no difference).
      The benchmark's days, the same way (three runs each): gen-L-90 0.19-0.27 -> 0.13-0.21 s, gen-XL-90
      0.41-0.48 -> 0.24-0.34 s, crew M-90 0.59-0.63 -> 0.48-0.51 s, the others within the machine's noise.
    - `chain_nodes`: items a slot probe's chain of displacements may expand (`solver.assign.displace`: step 5c,
      and the guides' rebuilds when `insert` finds no room; 0: off). Measured (2026-12-06, AMD EPYC 2 cores) on
      two captured load-test rounds' slot queries, each replayed alone with the guides it had read: 138 queries
      38.0-40.5 -> 25.3-28.4 s in all, p95 0.98-1.05 -> 0.43-0.61 s, starts that took windows 117 -> 41-56;
      131 queries of a later capture 23.0 -> 20.2-21.7 s, windows 51 -> 38. The search dies out long before the
      bound there (300 or 10,000 nodes decided the same starts as 2,000).
    - `tiny_search`: (pairs, nodes): a window or component model of at most `pairs` (seat, worker) pairs is
      first searched depth-first (`solver.backtrack`, exact), and goes to CP-SAT only if that search gives up
      after `nodes` assignments tried; (0, 0) switches it off. See the measurement in `solver.backtrack`.
    - `tiny_day`: (pairs, nodes): the same search on a whole day of at most `pairs` pairs, before the
      construction (see `solver.plan`); a plan is the day's plan, anything else goes the usual way.
      Measured on the 10-worker days (140-150 pairs): their cold plan 1.8-2.7 -> 0.5-0.6 ms.
    - `heuristic_effort`: ejection-chain steps per left-out task when planning a day.
    - `pool_size`: witnesses kept while probing.
    - `max_slots`: stop after this many slots (the rest of the day is not probed; `next` needs it).
    - `verify`: re-check every slot's plan with the independent checker (tests, benchmarks).
    - `big_day_items` / `max_model_literals`: the big-day guards (see the comment on them below).
    """

    engine: Engine = "exact"
    formulation: Formulation = "cliques"
    probe_time_limit: float = 10.0
    first_pass_limit: float | None = 2.5
    base_time_limit: float = 30.0
    budget: float | None = None
    solver_workers: int = 1
    model_workers: int = 2
    window_margins: tuple[int, ...] = (1 * HOUR_TICKS, 3 * HOUR_TICKS, 8 * HOUR_TICKS)
    window_time_limit: float = 2.0
    probe_window_cap: float = 1.0
    window_growth: float = 2.0
    window_growth_after: float = 0.3
    chain_depth: int = 2
    chain_literals: int = 12_000
    big_window_literals: int = 30_000
    bare_window_literals: int = 10_000
    repair_workers: int = 40
    repair_max_blockers: int = 3
    repair_inner_blockers: int = 2
    repair_effort: int = 1500
    chain_nodes: int = 2000
    heuristic_effort: int = 2000
    tiny_search: tuple[int, int] = (120, 200)
    tiny_day: tuple[int, int] = (600, 200)
    pool_size: int = 8
    max_slots: int | None = None
    verify: bool = False
    # Big days (issue 9, see solver.construct): from `big_day_items` open seats a day whose construction
    # leaves seats out is first swept for a Hall violation; no CP-SAT model with more than
    # `max_model_literals` (task, worker) pairs is built (such a component stays undecided, or names the
    # construction's leftovers as uncovered, not the fewest).
    big_day_items: int = 2000
    max_model_literals: int = 400_000

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; use one of {ENGINES}")
        if self.formulation not in FORMULATIONS:
            raise ValueError(f"unknown formulation {self.formulation!r}; use one of {FORMULATIONS}")

    def but(self, **changes: object) -> SolverOptions:
        """A copy with some knobs changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_OPTIONS = SolverOptions()
