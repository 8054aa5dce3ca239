"""Issue 8's targets checked against a run's figures: one verdict per case, computed, never written by hand.

The issue (2-core machine, 90-min task, step 5, 0 undecided): v1 and crew days **cold** (no stored
witness) M <= 1 s and L <= 2 s median at 65/80/90 %, XL-90 cold <= 3 s; from a stored witness L-90 and
XL-90 <= 1 s; exact >= 100x faster than naive wherever naive was measured; `next` (limit 10, 14 days,
L roster) <= 2 s; `explain` on a refused start of M-90 <= 1 s (checked on the worst measured start).

`verdicts` gives every case those targets name (one missing from the run is not met: "not run") and every
other v1 / crew / `next` / `explain` case of the run (0 undecided and the speed-up, no time bound).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from benchmarks.records import QUERY_ENGINES, WITNESS, CaseResult, EngineResult

SPEEDUP = 100.0
MEDIAN, WORST = "median", "worst"
SIZES = ("S", "M", "L", "XL")  # the issue's generated days (XXL and XXXL are issue 9's)


@dataclass(frozen=True)
class Bound:
    """A case's time target: `seconds` at most for the `of` (median or worst) of `engine`'s timed runs."""

    case: str
    seconds: float | None  # None: no time bound (0 undecided and the speed-up still apply)
    engine: str = "exact"
    of: str = MEDIAN

    @property
    def witness(self) -> bool:
        """The start the target is about, read off the case's name (cold unless it ends in `-witness`)."""
        return self.case.endswith(WITNESS)


def required() -> tuple[Bound, ...]:
    """Every case the issue's targets name, with its bound."""
    out: list[Bound] = []
    for prefix in ("gen", "gen-crew"):
        out += [Bound(f"{prefix}-{size}-{util}", limit) for size, limit in (("M", 1.0), ("L", 2.0))
                for util in (65, 80, 90)]
        out.append(Bound(f"{prefix}-XL-90", 3.0))
        out += [Bound(f"{prefix}-{size}-90{WITNESS}", 1.0) for size in ("L", "XL")]
    out.append(Bound(f"next-L-90{WITNESS}", 2.0, engine="next"))
    out.append(Bound(f"explain-M-90{WITNESS}", 1.0, engine="explain", of=WORST))
    return tuple(out)


@dataclass(frozen=True)
class Verdict:
    """One case against its bound. `missing` says why there are no figures ("not run", "ERROR", ...);
    each `*_ok` is None where that target does not apply (no bound; naive not measured)."""

    bound: Bound
    start: str = "—"
    seconds: float | None = None  # the median (or worst) the bound is checked on
    median: float | None = None
    worst: float | None = None
    undecided: int | None = None
    speedup: float | None = None
    speedup_floor: bool = False  # naive left some probes undecided: its time, and the ratio, are floors
    missing: str = ""
    time_ok: bool | None = None
    undecided_ok: bool | None = None
    speedup_ok: bool | None = None

    @property
    def met(self) -> bool:
        checks = (self.time_ok, self.undecided_ok, self.speedup_ok)
        return not self.missing and all(ok is not False for ok in checks)


def _in_scope(case: CaseResult) -> bool:
    src = case.spec.source
    return (src[0] in ("gen", "crew") and src[1] in SIZES) or any(e in QUERY_ENGINES for e in case.spec.engine_names)


def _measured_naive(r: EngineResult | None) -> bool:
    """Naive answered the query (not an error, a timeout, or a base day it could not decide)."""
    return r is not None and bool(r.walls) and not r.error and not r.timed_out and r.feasible_base is not None


def _naive_for(case: CaseResult, results: list[CaseResult]) -> EngineResult | None:
    """Naive's result for this case's instance: its own, else another case's on the same instance and
    query (naive takes no witness, so a witness case's naive is its cold case's)."""
    own = case.engines.get("naive")
    if _measured_naive(own):
        return own
    name = case.instance.get("name")
    return next((c.engines["naive"] for c in results
                 if c.instance.get("name") == name and _measured_naive(c.engines.get("naive"))), None)


def check(bound: Bound, case: CaseResult | None, results: list[CaseResult]) -> Verdict:
    """The verdict of one case (None: not in the run) against its bound."""
    if case is None:
        return Verdict(bound, missing="not run")
    start = "stored witness" if case.spec.use_witness else "cold"
    if case.spec.use_witness != bound.witness:  # e.g. an older run's gen-L-90 that started from the witness
        needed, ran = ("from the stored witness", "cold") if bound.witness else ("cold", "from the stored witness")
        return Verdict(bound, start, missing=f"not run {needed} (it ran {ran})")
    r = case.engines.get(bound.engine)
    if r is None or r.error or r.timed_out or not r.walls:
        missing = "not run" if r is None else "ERROR" if r.error else "timed out" if r.timed_out else "no timed run"
        return Verdict(bound, start, missing=missing)
    median, worst = statistics.median(r.walls), max(r.walls)
    seconds = worst if bound.of == WORST else median
    speedup, floor, speedup_ok = None, False, None
    naive = _naive_for(case, results) if bound.engine == "exact" else None
    if naive is not None and median > 0:
        speedup = statistics.median(naive.walls) / median
        floor = naive.undecided > 0
        speedup_ok = speedup >= SPEEDUP
    return Verdict(bound, start, seconds, median, worst, r.undecided, speedup, floor,
                   time_ok=None if bound.seconds is None else seconds <= bound.seconds,
                   undecided_ok=r.undecided == 0, speedup_ok=speedup_ok)


def verdicts(results: list[CaseResult]) -> list[Verdict]:
    """Every required case (in the issue's order), then the run's other in-scope cases (in run order)."""
    by_name = {c.spec.name: c for c in results}
    bounds = list(required())
    named = {b.case for b in bounds}
    bounds += [Bound(c.spec.name, None, engine=next((e for e in c.spec.engine_names if e in QUERY_ENGINES), "exact"))
               for c in results if _in_scope(c) and c.spec.name not in named]
    return [check(b, by_name.get(b.case), results) for b in bounds]
