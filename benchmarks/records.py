"""What a benchmark run is made of and what it records: cases, the run's settings, each engine's result.

Shared by the runner (`benchmarks.run`), which fills them, and the report (`benchmarks.report`), which
renders them and reads them back from a run's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The slot engines compared on every case unless a case names its own, and the v2 queries timed per case
# (issue 8: `next` over 14 days, `explain` per refused start); a case runs one group or the other.
SLOT_ENGINES: tuple[str, ...] = ("exact", "naive", "greedy")
QUERY_ENGINES: tuple[str, ...] = ("next", "explain")
WITNESS = "-witness"  # the suffix of a case's name when its exact engine starts from the stored witness


@dataclass(frozen=True)
class CaseSpec:
    """One instance and how each engine treats it.

    `source`: ("gen", size, util%) or ("ptsp", short name | "largest" | "smallest", tight).
    `use_witness`: exact starts from the instance's stored witness (as the service does after an
    accepted change) instead of planning the base day itself.
    `budget`: seconds per exact query, passed to find_slots(budget=...): once spent, CP-SAT is not called
    again and the candidates the cheap shortcuts cannot decide are reported undecided. None: no budget.
    `naive_sample`: None = naive answers the whole query; k = naive answers the same query on a coarser
    grid of at least k evenly spaced candidates (`benchmarks.run.sample_step`) and its time per query is
    extrapolated from those probes.
    `engines`: which engines run (None: `SLOT_ENGINES`); a query case names one of `QUERY_ENGINES`.
    `samples`: `explain` only: how many refused starts (evenly spread over the refused ones) are explained.
    """

    name: str
    source: tuple[Any, ...]
    use_witness: bool = False
    budget: float | None = None
    naive_sample: int | None = None
    engines: tuple[str, ...] | None = None  # None: SLOT_ENGINES; big days skip naive (minutes and gigabytes)
    repeats: int | None = None  # timed runs of exact (and next); None: the run's setting
    samples: int | None = None

    @property
    def engine_names(self) -> tuple[str, ...]:
        return SLOT_ENGINES if self.engines is None else self.engines


@dataclass(frozen=True)
class RunConfig:
    duration: int = 90
    step: int = 5
    repeats: int = 3
    naive_probe_limit: float = 10.0  # per candidate, as in the measurements
    naive_base_limit: float = 30.0
    exact_probe_limit: float = 10.0
    exact_base_limit: float = 30.0
    step_budget: float = 300.0  # seconds per (instance, engine) step: no more repeats after it
    seed: int = 1


@dataclass
class EngineResult:
    engine: str
    walls: list[float] = field(default_factory=list)  # seconds per query, one per timed run
    cpus: list[float] = field(default_factory=list)  # process CPU seconds (all threads) per query
    verdicts: str = ""  # one of S / N / U / - per candidate
    feasible_base: bool | None = None
    solver_calls: int | None = None  # CP-SAT solves per query
    undecided: int = 0  # per query (the most over the runs)
    undecided_runs: list[int] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # ProbeStats of the last run (exact, naive)
    estimated: bool = False  # walls/cpus extrapolated from a sample of candidates
    sampled: int = 0
    verified: bool | None = None  # every slot's plan re-checked by solver.checker
    unplaced: int | None = None  # greedy: existing untaken tasks it could not place
    peak_rss_mib: float | None = None
    plan_wall: float | None = None  # exact: seconds of one `solver.plan.plan` of the day (same start as the query)
    plan_status: str | None = None
    rss_growth_mib: float | None = None
    timed_out: bool = False
    error: str = ""
    note: str = ""


@dataclass
class CaseResult:
    spec: CaseSpec
    instance: dict[str, Any]  # name, kind, workers, tasks, untaken, meta
    candidates: list[str]  # candidate starts, ISO
    engines: dict[str, EngineResult] = field(default_factory=dict)
    agreement: dict[str, int] = field(default_factory=dict)  # compared / disagreements
