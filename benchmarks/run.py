"""Benchmark runner: exact, naive and greedy slot answers on the same instances, in one run.

    python -m benchmarks.run [--quick] [--sizes S M ...] [--cases NAME ...] [--repeats N]
                             [--out benchmarks/results/latest.md] [--in-process]

Question answered: how long does one slot query take (90-min task, 5-min step: 271 candidates on a
24 h day) with the production engine (`exact`), with a fresh CP-SAT model per candidate (`naive`),
and with the classic gap-based `greedy` answer — and how wrong is greedy?

Each (instance, engine) step runs in a fresh spawned process, so the memory figure (peak RSS growth)
belongs to that engine alone and a step that overruns its time budget can be stopped. Where naive
and exact both decide a candidate they must agree; if they do not, the run stops with exit status 3,
naming the instance and the candidate. Every slot of exact and every naive plan is checked by the
independent `solver.checker` as well.

Issue 8's v2 queries run as engines of their own cases: `next` (limit 10, 14 days, the day repeated
from its stored witness) and `explain` (one timed call per refused start; a start it finds a plan for
stops the run like a disagreement). `benchmarks.targets` checks every figure against the issue's targets.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import resource
import signal
import statistics
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmarks.common import BenchInstance, instance_path, load_instance
from benchmarks.crews import crew_day
from benchmarks.generate import generated
from benchmarks.ptsp import dat_files, ptsp_instance, read_dat, short_name
from benchmarks.queries import explain_starts, next_query, next_roster, refused_starts, spread
from benchmarks.records import WITNESS, CaseResult, CaseSpec, EngineResult, RunConfig
from benchmarks.report import machine, write_report
from solver.calendar import MAX_STEP_MINUTES
from solver.domain import Scenario, SlotAnswer, SlotQuery
from solver.greedy import greedy_slots
from solver.instance import epoch
from solver.next_slots import next_slots
from solver.options import SolverOptions
from solver.plan import plan as plan_day
from solver.slots import find_slots

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EXIT_DISAGREEMENT = 3
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C
PROGRESS_INTERVAL = 0.2  # seconds between progress messages from a step's process

# Verdict per candidate, one character each, so results stay small and easy to compare.
SLOT, NOT_SLOT, UNDECIDED, NOT_PROBED = "S", "N", "U", "-"


class Disagreement(RuntimeError):
    """Two engines decided one candidate differently: one of them is wrong, and the run must stop."""


# -- what to run ---------------------------------------------------------------------------------


# Seconds per exact query on the issue-8 cases (find_slots' budget): a query that would run longer ends
# with its open candidates undecided (the target is then missed) instead of holding up the run.
BUDGET = 30.0


def _gen(size: str, util: int, *, witness: bool = False, **kw: Any) -> CaseSpec:
    return _day("gen", f"gen-{size}-{util}", size, util, witness, **kw)


def _crew(size: str, util: int, *, witness: bool = False, **kw: Any) -> CaseSpec:
    return _day("crew", f"gen-crew-{size}-{util}", size, util, witness, **kw)


def _day(kind: str, name: str, size: str, util: int, witness: bool, **kw: Any) -> CaseSpec:
    """A slot case; from the stored witness, only exact runs (naive and greedy take no witness: the
    cold case of the same instance measures them) and the name says so."""
    if witness:
        return CaseSpec(name + WITNESS, (kind, size, util), use_witness=True, engines=("exact",), **kw)
    return CaseSpec(name, (kind, size, util), **kw)


def _ptsp(source: str, tight: bool, name: str, **kw: Any) -> CaseSpec:
    return CaseSpec(name, ("ptsp", source, tight), **kw)


def _next(size: str, util: int, **kw: Any) -> CaseSpec:
    """`next` (limit 10, 14 days) on the day of this size repeated over 14 days, from its stored witness."""
    return CaseSpec(f"next-{size}-{util}{WITNESS}", ("gen", size, util), use_witness=True, engines=("next",), **kw)


def _explain(size: str, util: int, samples: int, **kw: Any) -> CaseSpec:
    """`explain` on `samples` refused starts of the day (the stored witness as the service has it)."""
    return CaseSpec(f"explain-{size}-{util}{WITNESS}", ("gen", size, util), use_witness=True, engines=("explain",),
                    samples=samples, **kw)


# Issue 8's targets (benchmarks.targets): every v1 and crew day at M and L cold at 65/80/90 %, XL-90 cold,
# L-90 and XL-90 from the stored witness (each name says its start), each with naive and greedy on its
# cold case; S days as naive's full-answer check; `next` on an L roster and `explain` on M-90. The largest
# PTSP file as published (cold) and tight (from its witness), as before.
LARGEST_PTSP = "data_125_157_1448_33"  # most jobs of the PTSP data set (1448), see benchmarks.ptsp.largest
EXPLAIN_SAMPLES = 8
# On L and XL a naive probe of the whole day mostly runs into its 10 s limit, so a few sampled probes
# already pin its cost per query; larger samples would only lengthen the run.
NAIVE_SAMPLE = {"M": 24, "L": 6, "XL": 4}
CREW_NAIVE_SAMPLE = {"M": 12, "L": 6, "XL": 4}


def _issue8_days(make: Callable[..., CaseSpec], samples: dict[str, int]) -> tuple[CaseSpec, ...]:
    cold = [make(size, util, naive_sample=samples[size], budget=BUDGET)
            for size in ("M", "L") for util in (65, 80, 90)]
    return (*cold, make("XL", 90, naive_sample=samples["XL"], budget=BUDGET),
            make("L", 90, witness=True, budget=BUDGET), make("XL", 90, witness=True, budget=BUDGET))


FULL_PLAN: tuple[CaseSpec, ...] = (
    _gen("S", 65, budget=BUDGET), _gen("S", 80, budget=BUDGET), _gen("S", 90, budget=BUDGET),
    *_issue8_days(_gen, NAIVE_SAMPLE),
    _crew("S", 80, budget=BUDGET), *_issue8_days(_crew, CREW_NAIVE_SAMPLE),
    _next("L", 90), _explain("M", 90, EXPLAIN_SAMPLES),
    _ptsp(LARGEST_PTSP, False, f"ptsp-{LARGEST_PTSP}", naive_sample=8),
    _ptsp(LARGEST_PTSP, True, f"ptsp-{LARGEST_PTSP}-tight{WITNESS}", use_witness=True, budget=BUDGET,
          naive_sample=8),
)
# Issue 9: big days with no stored witness (cold) and from one, exact and greedy only (naive cannot even
# decide the base day of these in its 30 s and needs gigabytes trying); one timed run each.
BIG_SIZES = ("XXL", "XXXL")
BIG_BUDGET = 60.0  # find_slots budget per query: a runaway query ends in `undecided`, never hangs the run
BIG_PLAN: tuple[CaseSpec, ...] = tuple(
    CaseSpec(f"gen-{size}-{util}" + (WITNESS if witness else ""), ("gen", size, util), use_witness=witness,
             budget=BIG_BUDGET, engines=("exact", "greedy"), repeats=1)
    for size in BIG_SIZES for util in (65, 80, 90) for witness in (False, True)
)
# Every published PTSP instance, as published and tight, cold (exact only; the target: plan decided and
# slots with 0 undecided within 30 s).
PTSP_BUDGET = 30.0


def ptsp_plan() -> tuple[CaseSpec, ...]:
    """One case per PTSP file in the shared data set and per variant (published, tight), smallest first."""
    files = sorted(dat_files(), key=lambda p: (len(read_dat(p).jobs), p.name))
    return tuple(_ptsp(short_name(p), tight, f"ptsp-all-{short_name(p)}" + ("-tight" if tight else ""),
                       budget=PTSP_BUDGET, engines=("exact",), repeats=1)
                 for p in files for tight in (False, True))


def full_plan() -> tuple[CaseSpec, ...]:
    """Everything `make bench` runs: the original cases, the big days, every PTSP instance."""
    return (*FULL_PLAN, *BIG_PLAN, *ptsp_plan())


# The quick run passes every code path of the full one on small days: cold and witness starts, a crew
# day, `next` and `explain`, and a tight PTSP day.
QUICK_PLAN: tuple[CaseSpec, ...] = (
    _gen("S", 65),
    _gen("M", 65, naive_sample=12),
    _gen("S", 90, witness=True, budget=BUDGET),
    _crew("S", 80, budget=BUDGET),
    _next("S", 90),
    _explain("S", 90, 3),
    _ptsp("data_2_24_40_33", True, "ptsp-data_2_24_40_33-tight", naive_sample=6),
)
QUICK_CONFIG = RunConfig(repeats=1, step_budget=60.0)


def prepare(spec: CaseSpec, seed: int = 1) -> BenchInstance:
    """The cached instance of a case, generated first if it is missing (instance generation is not timed)."""
    kind = spec.source[0]
    if kind == "gen":
        return generated(spec.source[1], spec.source[2], seed)
    if kind == "ptsp":
        return ptsp_instance(spec.source[1], tight=spec.source[2], seed=seed)
    if kind == "crew":
        return crew_day(spec.source[1], spec.source[2], seed)
    raise ValueError(f"unknown instance source {spec.source!r}")


Progress = Callable[[int, int], None]
EngineFn = Callable[[BenchInstance, Scenario, CaseSpec, RunConfig, Progress], EngineResult]


def query_for(inst: BenchInstance, cfg: RunConfig) -> SlotQuery:
    return SlotQuery(date.fromisoformat(inst.date), cfg.duration, cfg.step, inst.skill)


def encode(answer: SlotAnswer, starts: list[datetime]) -> str:
    """The answer as one verdict per candidate (by start instant)."""
    slot = {epoch(s.start) for s in answer.slots}
    undecided = {epoch(s.start) for s in answer.undecided}
    return "".join(SLOT if epoch(s) in slot else UNDECIDED if epoch(s) in undecided else NOT_SLOT for s in starts)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _merge(a: str, b: str) -> str:
    """Two agreeing verdict strings combined: decided wherever either is."""
    return "".join(y if x in (UNDECIDED, NOT_PROBED) else x for x, y in zip(a, b, strict=True))


def _same_decisions(a: str, b: str) -> int | None:
    """Index of the first candidate both strings decide differently, None if they agree."""
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x in (SLOT, NOT_SLOT) and y in (SLOT, NOT_SLOT) and x != y:
            return i
    return None


# -- the engines -----------------------------------------------------------------------------------


def run_exact(inst: BenchInstance, scenario: Scenario, spec: CaseSpec, cfg: RunConfig,
              progress: Progress) -> EngineResult:
    query = query_for(inst, cfg)
    starts = query.candidates(scenario)
    probe_limit, base_limit = cfg.exact_probe_limit, cfg.exact_base_limit
    if spec.budget is not None:
        # find_slots' own whole-query budget: once spent, candidates still open go to `undecided`.
        base_limit = min(base_limit, spec.budget)
    witness = inst.witness if spec.use_witness else None
    res = EngineResult("exact")
    # The whole-day plan first, as a planner's what-if asks for it (cold, or from the stored witness).
    planned, res.plan_wall, _ = _timed(lambda: plan_day(scenario, SolverOptions(base_time_limit=base_limit),
                                                        witness=witness))
    res.plan_status = planned.status.value
    repeats = cfg.repeats if spec.repeats is None else spec.repeats
    began = time.perf_counter()

    def call(verify: bool) -> SlotAnswer:
        options = SolverOptions(engine="exact", probe_time_limit=probe_limit, base_time_limit=base_limit,
                                verify=verify, budget=spec.budget)
        return find_slots(scenario, query, options, witness=witness, progress=progress)

    zone = scenario.zone
    for _ in range(repeats):
        answer, wall, cpu = _timed(lambda: call(False))
        verdicts = encode(answer, starts)
        if res.verdicts and (i := _same_decisions(res.verdicts, verdicts)) is not None:
            raise Disagreement(f"{inst.name}: exact decided candidate {starts[i].astimezone(zone).isoformat()}"
                               f" differently in two runs ({res.verdicts[i]} then {verdicts[i]})")
        res.walls.append(wall)
        res.cpus.append(cpu)
        res.undecided_runs.append(verdicts.count(UNDECIDED))
        # Time limits may leave a candidate undecided in one run and not in another: keep every decision.
        res.verdicts = _merge(res.verdicts, verdicts) if res.verdicts else verdicts
        if not res.stats:  # the breakdown of the first run (runs differ only where a time limit struck)
            res.feasible_base = answer.feasible_base
            res.stats = asdict(answer.stats)
        if time.perf_counter() - began + wall > cfg.step_budget:
            res.note = f"stopped after {len(res.walls)} run(s): step budget {cfg.step_budget:.0f} s"
            break
    res.solver_calls = res.stats["solver_calls"]
    res.undecided = max(res.undecided_runs)
    # One more, untimed run that re-checks every slot's plan with solver.checker (it raises on a bad one).
    if time.perf_counter() - began + res.walls[-1] <= cfg.step_budget:
        answer = call(True)
        if (i := _same_decisions(res.verdicts, encode(answer, starts))) is not None:
            raise Disagreement(f"{inst.name}: exact's verifying run decided candidate "
                               f"{starts[i].astimezone(zone).isoformat()} differently")
        res.verified = True
    else:
        res.verified = False
    if spec.budget is not None:
        res.note = (res.note + "; " if res.note else "") + (
            f"budget {spec.budget:.0f} s/query (find_slots budget), probe limit {probe_limit:.0f} s")
    return res


def sample_step(query: SlotQuery, candidates: int, sample: int) -> int:
    """The coarsest step (a multiple of the query's, at most the contract's maximum) whose candidates still
    number at least `sample` (and at least 2). Every start on that grid is a candidate of the real query."""
    step = query.step_minutes
    multiple = max(1, (candidates - 1) // max(sample - 1, 1))
    while multiple > 1 and (multiple * step > MAX_STEP_MINUTES or (candidates - 1) // multiple + 1 < max(sample, 2)):
        multiple -= 1
    return multiple * step


def run_naive(inst: BenchInstance, scenario: Scenario, spec: CaseSpec, cfg: RunConfig,
              progress: Progress) -> EngineResult:
    query = query_for(inst, cfg)
    starts = query.candidates(scenario)
    res = EngineResult("naive")

    def naive(q: SlotQuery, on_probe: Progress) -> SlotAnswer:
        # verify=True: every slot's plan is re-checked by solver.checker (it raises on a bad one).
        options = SolverOptions(engine="naive", probe_time_limit=cfg.naive_probe_limit,
                                base_time_limit=cfg.naive_base_limit, verify=True)
        return find_slots(scenario, q, options, progress=on_probe)

    if spec.naive_sample is None or spec.naive_sample >= len(starts):
        # The whole query through the public engine, as a user would run it (plus the checker on each slot).
        answer, wall, cpu = _timed(lambda: naive(query, progress))
        res.walls, res.cpus = [wall], [cpu]
        res.verdicts = encode(answer, starts)
        res.feasible_base = answer.feasible_base
        res.stats = asdict(answer.stats)
        res.solver_calls = answer.stats.solver_calls
        res.undecided = res.verdicts.count(UNDECIDED)
        res.sampled = len(starts)
        return res

    # Sampled: the same engine on an evenly spaced subset of the candidates (a query with a coarser step).
    # The time of each probe is read off the
    # engine's progress calls; the query's time is the sampled run's plus the mean probe per unprobed candidate.
    sampled = replace(query, step_minutes=sample_step(query, len(starts), spec.naive_sample))
    ticks: list[tuple[float, float]] = []

    def tick(done: int, total: int) -> None:
        ticks.append((time.perf_counter(), time.process_time()))
        progress(done, total)

    began = (time.perf_counter(), time.process_time())
    answer, wall, cpu = _timed(lambda: naive(sampled, tick))
    res.estimated = True
    res.feasible_base = answer.feasible_base
    res.solver_calls = answer.stats.solver_calls
    if not answer.feasible_base:
        # As find_slots(engine="naive") answers: an infeasible base has no slots, an undecided one only undecided.
        res.verdicts = (UNDECIDED if answer.undecided else NOT_SLOT) * len(starts)
        res.walls, res.cpus = [wall], [cpu]
        res.undecided = res.verdicts.count(UNDECIDED)
        res.note = f"base day {'undecided' if answer.undecided else 'infeasible'} within {cfg.naive_base_limit:.0f} s"
        return res
    probed = {epoch(s) for s in sampled.candidates(scenario)}
    verdicts = encode(answer, starts)
    res.verdicts = "".join(v if epoch(s) in probed else NOT_PROBED for s, v in zip(starts, verdicts, strict=True))
    marks = [began, *ticks]
    probe_walls = [b[0] - a[0] for a, b in zip(marks[1:], marks[2:], strict=False)]  # probes 2..k alone
    probe_cpus = [b[1] - a[1] for a, b in zip(marks[1:], marks[2:], strict=False)]
    per_probe_wall, per_probe_cpu = statistics.fmean(probe_walls), statistics.fmean(probe_cpus)
    unprobed = len(starts) - len(probed)
    res.walls = [wall + per_probe_wall * unprobed]
    res.cpus = [cpu + per_probe_cpu * unprobed]
    res.sampled = len(probed)
    res.solver_calls = 1 + len(starts)  # per query: the base plus one model per candidate
    res.undecided = res.verdicts.count(UNDECIDED)
    # Compile + base solve: the time to the first probe's end, less one mean probe.
    res.stats = {"sample_probe_wall_mean": per_probe_wall, "sample_probe_wall_max": max(probe_walls),
                 "base_wall": max(0.0, ticks[0][0] - began[0] - per_probe_wall)}
    return res


def run_greedy(inst: BenchInstance, scenario: Scenario, spec: CaseSpec, cfg: RunConfig,
               progress: Progress) -> EngineResult:
    query = query_for(inst, cfg)
    starts = query.candidates(scenario)
    res = EngineResult("greedy")
    for _ in range(max(cfg.repeats, 3)):  # cheap: a few more runs steady the median
        answer, wall, cpu = _timed(lambda: greedy_slots(scenario, query))
        res.walls.append(wall)
        res.cpus.append(cpu)
    # Greedy reports the tasks it could not place under `uncovered`; its slots ignore them (its blind spot).
    res.verdicts = encode(answer, starts)
    res.unplaced = len(answer.uncovered)
    res.feasible_base = answer.feasible_base
    res.solver_calls = 0
    progress(1, 1)
    return res


def run_next(inst: BenchInstance, scenario: Scenario, spec: CaseSpec, cfg: RunConfig,
             progress: Progress) -> EngineResult:
    """`next` (limit 10, 14 days) on the instance's day repeated over 14 days, from the repeated witness
    (`spec.use_witness`) or cold; one timed run per repeat, `undecided` the most any run left open."""
    roster, witness = next_roster(inst)
    query = next_query(inst, cfg.duration, cfg.step)
    res = EngineResult("next")
    options = SolverOptions(budget=spec.budget)
    began = time.perf_counter()
    repeats = cfg.repeats if spec.repeats is None else spec.repeats
    for i in range(repeats):
        answer, wall, cpu = _timed(lambda: next_slots(roster, query, options,
                                                      witness=witness if spec.use_witness else None))
        res.walls.append(wall)
        res.cpus.append(cpu)
        res.undecided_runs.append(len(answer.undecided))
        progress(i + 1, repeats)
        if time.perf_counter() - began + wall > cfg.step_budget:
            break
    res.undecided = max(res.undecided_runs)
    res.feasible_base = answer.feasible_base
    res.stats = {"days": query.days, "limit": query.limit, "tasks": len(roster.tasks),
                 "slots": len(answer.slots), "first": answer.slots[0].start.isoformat() if answer.slots else None}
    return res


def run_explain(inst: BenchInstance, scenario: Scenario, spec: CaseSpec, cfg: RunConfig,
                progress: Progress) -> EngineResult:
    """`explain` on a few refused starts of the slot query, one timed call each (`walls`: one per start).
    A start `explain` calls a slot is a disagreement with the slot query; `unknown` counts as undecided."""
    query = query_for(inst, cfg)
    witness = inst.witness if spec.use_witness else None
    refused = refused_starts(scenario, query, witness, SolverOptions(budget=spec.budget))  # untimed
    picked = spread(refused, spec.samples or EXPLAIN_SAMPLES)
    res = EngineResult("explain", sampled=len(picked))
    reasons: Counter[str] = Counter()
    for i, start in enumerate(picked):
        ((wall, answer),) = explain_starts(scenario, [start], cfg.duration, inst.skill, witness)
        if answer.slot:
            raise Disagreement(f"{inst.name}: explain finds a plan for {start.astimezone(scenario.zone).isoformat()},"
                               " which the slot query refused")
        res.walls.append(wall)
        reasons[answer.reason or "none"] += 1
        progress(i + 1, len(picked))
    res.undecided = reasons["unknown"]
    res.feasible_base = reasons["infeasible_base"] == 0 if picked else None
    res.stats = {"refused": len(refused), "reasons": dict(reasons)}
    return res


ENGINES: dict[str, EngineFn] = {"exact": run_exact, "naive": run_naive, "greedy": run_greedy,
                                "next": run_next, "explain": run_explain}


# -- running a step in its own process -------------------------------------------------------------


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(engine: str, path: str, spec: CaseSpec, cfg: RunConfig, out: Any) -> None:
    """Entry point of a step's process: load the instance, run one engine, send the result back."""
    try:
        inst = load_instance(Path(path))
        scenario = inst.scenario()
        before = _maxrss_mib()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] > PROGRESS_INTERVAL:  # throttled: the queue is not free
                last[0] = now
                out.put(("progress", done, total))

        res = ENGINES[engine](inst, scenario, spec, cfg, progress)
        res.peak_rss_mib = _maxrss_mib()
        res.rss_growth_mib = res.peak_rss_mib - before
        out.put(("result", res))
    except Disagreement as exc:
        out.put(("disagreement", str(exc)))
    except BaseException:  # noqa: BLE001 - anything else goes back to the parent, which reports it
        out.put(("error", traceback.format_exc()))


def _run_step_in_process(engine: str, inst: BenchInstance, spec: CaseSpec, cfg: RunConfig,
                         engines: dict[str, EngineFn], bar: tqdm | None) -> EngineResult:
    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        return engines[engine](inst, inst.scenario(), spec, cfg, progress)
    except Disagreement:
        raise
    except Exception:  # noqa: BLE001 - recorded and reported at the end, the run goes on
        return EngineResult(engine, error=traceback.format_exc())


def hard_limit(engine: str, spec: CaseSpec, cfg: RunConfig) -> float:
    """Seconds after which a step's process is stopped (and the step recorded as timed out)."""
    if engine == "naive" and spec.naive_sample is not None:
        # Bounded by construction: the base solve plus k probes, each with its CP-SAT limit; building a
        # model of a large day costs seconds on top of the limit, hence the slack.
        # `sample_step`'s grid has at most one candidate more than asked, or 7 on a 240-minute grid.
        probes = max(spec.naive_sample + 1, 7)
        return 1.5 * cfg.naive_base_limit + probes * (1.5 * cfg.naive_probe_limit + 10) + 120
    # The step budget, plus the last query it let start, plus process start-up.
    return 2 * cfg.step_budget + 120


def _run_step_spawned(engine: str, inst: BenchInstance, spec: CaseSpec, cfg: RunConfig,
                      bar: tqdm | None) -> EngineResult:
    ctx = mp.get_context("spawn")  # a clean process: no inherited memory, no forked OR-Tools threads
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(engine, str(instance_path(inst.name)), spec, cfg, out), daemon=True)
    limit = hard_limit(engine, spec, cfg)
    began = time.monotonic()
    proc.start()
    try:
        while True:
            try:
                msg = out.get(timeout=0.5)
            except queue.Empty:
                if not proc.is_alive():
                    return EngineResult(engine, error=f"process died with exit code {proc.exitcode}")
                if time.monotonic() - began > limit:
                    return EngineResult(engine, timed_out=True, note=f"stopped after {limit:.0f} s")
                continue
            if msg[0] == "progress":
                if bar is not None:
                    bar.total = msg[2]
                    bar.n = msg[1]
                    bar.refresh()
            elif msg[0] == "result":
                result: EngineResult = msg[1]
                return result
            elif msg[0] == "disagreement":
                raise Disagreement(msg[1])
            else:
                return EngineResult(engine, error=msg[1])
    finally:
        if proc.is_alive():
            proc.terminate()  # only the step's own process, started just above
        proc.join(timeout=10)


# -- the suite -------------------------------------------------------------------------------------


def check_agreement(case: CaseResult) -> None:
    """Naive and exact must agree wherever both decided; raise `Disagreement` naming the candidate."""
    exact, naive = case.engines.get("exact"), case.engines.get("naive")
    if exact is None or naive is None or not exact.verdicts or not naive.verdicts:
        return
    name = case.instance["name"]
    if exact.feasible_base is not None and naive.feasible_base is not None \
            and exact.feasible_base != naive.feasible_base:
        raise Disagreement(f"{name}: exact says the base day is {'' if exact.feasible_base else 'in'}feasible, "
                           f"naive says {'' if naive.feasible_base else 'in'}feasible")
    compared = 0
    for i, (x, y) in enumerate(zip(exact.verdicts, naive.verdicts, strict=True)):
        if x in (SLOT, NOT_SLOT) and y in (SLOT, NOT_SLOT):
            compared += 1
            if x != y:
                what = {SLOT: "a slot", NOT_SLOT: "not a slot"}
                raise Disagreement(f"{name}: candidate {case.candidates[i]} (#{i}) is {what[x]} for exact "
                                   f"but {what[y]} for naive")
    case.agreement = {"compared": compared, "disagreements": 0}


def run_suite(specs: list[CaseSpec], cfg: RunConfig, *, engines: dict[str, EngineFn] | None = None,
              in_process: bool = False, show_progress: bool = True,
              instances: dict[str, BenchInstance] | None = None,
              sink: list[CaseResult] | None = None) -> list[CaseResult]:
    """Run every engine on every case; raises `Disagreement` as soon as naive and exact disagree.

    Results are appended to `sink` (if given) as they come, so a caller still has them after a raise.
    `engines` replaces the real ones (tests); fake engines only work with `in_process=True`.
    `instances` supplies ready instances by case name instead of the cached files (tests).
    """
    engines = ENGINES if engines is None else engines
    results: list[CaseResult] = [] if sink is None else sink
    steps = tqdm(total=sum(len([e for e in engines if e in spec.engine_names]) for spec in specs), desc="benchmark",
                 unit="step", disable=not show_progress)
    inner = tqdm(total=1, desc="candidates", leave=False, position=1, disable=not show_progress)
    try:
        for spec in specs:
            inst = (instances or {}).get(spec.name) or prepare(spec, cfg.seed)
            scenario = inst.scenario()
            starts = query_for(inst, cfg).candidates(scenario)
            untaken = sum(1 for t in inst.scenario_doc["tasks"] if t["worker_id"] is None)
            case = CaseResult(spec, {"name": inst.name, "kind": inst.kind, "workers": inst.n_workers,
                                     "tasks": inst.n_tasks, "untaken": untaken, "skill": inst.skill,
                                     "date": inst.date, "meta": inst.meta},
                              [s.astimezone(scenario.zone).isoformat() for s in starts])
            results.append(case)
            for engine in [e for e in engines if e in spec.engine_names]:
                steps.set_postfix_str(f"{inst.name} / {engine}")
                inner.reset(total=len(starts))
                inner.set_description(f"{engine} candidates")
                if in_process:
                    res = _run_step_in_process(engine, inst, spec, cfg, engines, inner)
                else:
                    res = _run_step_spawned(engine, inst, spec, cfg, inner)
                case.engines[engine] = res
                if res.error:
                    tqdm.write(f"ERROR {inst.name} / {engine}:\n{res.error}", file=sys.stderr)
                check_agreement(case)  # as soon as both answers are in: fail before spending more time
                steps.update(1)
    finally:
        inner.close()
        steps.close()
    return results


# -- command line ----------------------------------------------------------------------------------


def select(plan: tuple[CaseSpec, ...], sizes: list[str] | None, names: list[str] | None) -> list[CaseSpec]:
    out = list(plan)
    if sizes:
        out = [c for c in out if c.source[0] not in ("gen", "crew") or c.source[1] in sizes]
    if names:
        known = {c.name: c for c in (*QUICK_PLAN, *full_plan())}  # a name in both: the full run's case
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown case(s) {unknown}; known: {sorted(known)}")
        out = [known[n] for n in names]
    return out


def main(argv: list[str] | None = None, *, engines: dict[str, EngineFn] | None = None,
         instances: dict[str, BenchInstance] | None = None) -> int:
    """The command line; returns the exit status (3 on a naive/exact disagreement, 1 on engine errors).

    `engines` and `instances` replace the real engines and the cached instances (tests only).
    """
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small cases through every path, in about a minute")
    ap.add_argument("--sizes", nargs="+", help="only generated cases (v1, crew, next, explain) of these sizes")
    ap.add_argument("--cases", nargs="+", help="only these case names (see full_plan() / QUICK_PLAN)")
    ap.add_argument("--repeats", type=int, help="timed runs per query (exact, next; greedy at least 3)")
    ap.add_argument("--step-budget", type=float, help="seconds per (instance, engine) step")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.md")
    ap.add_argument("--in-process", action="store_true", help="no process per step (no memory figures)")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)

    cfg = QUICK_CONFIG if args.quick else RunConfig()
    if args.repeats is not None:
        cfg = replace(cfg, repeats=args.repeats)
    if args.step_budget is not None:
        cfg = replace(cfg, step_budget=args.step_budget)
    specs = select(QUICK_PLAN if args.quick else full_plan(), args.sizes, args.cases)
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])

    info = machine()
    signal.signal(signal.SIGTERM, _interrupt)
    began = time.perf_counter()
    results: list[CaseResult] = []
    failure = ""
    code = 0
    try:
        run_suite(specs, cfg, engines=engines, in_process=args.in_process, show_progress=not args.no_progress,
                  instances=instances, sink=results)
    except Disagreement as exc:
        failure = f"DISAGREEMENT: {exc}"
        code = EXIT_DISAGREEMENT
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: keep what was measured (the rest reads "not run")
        failure = f"INTERRUPTED after {len(results)} of {len(specs)} cases"
        code = EXIT_INTERRUPTED
    info["run_seconds"] = round(time.perf_counter() - began, 1)
    info["command"] = command
    paths = write_report(results, cfg, info, args.out, failure=failure)
    errors = [f"{c.instance['name']} / {e}" for c in results for e, r in c.engines.items() if r.error]
    print(f"wrote {', '.join(str(p) for p in paths)} in {info['run_seconds']} s", file=sys.stderr)
    if failure:
        print(f"\n*** {failure} ***\n", file=sys.stderr)
        return code
    if errors:
        print(f"\n*** engine errors: {', '.join(errors)} ***\n", file=sys.stderr)
        return 1
    return 0


def _interrupt(signum: int, frame: object) -> None:  # noqa: ARG001 -- the signal handler's signature
    raise KeyboardInterrupt


if __name__ == "__main__":
    # Run through the importable module, so the step processes (spawned) and the results they send back
    # refer to `benchmarks.run.*`, not to this `__main__` copy.
    from benchmarks.run import main as _main

    sys.exit(_main())
