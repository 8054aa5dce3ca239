"""Turn a benchmark run into `results/<name>.md` (tables), `<name>.json` (raw figures) and a PNG chart."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.generate import SIZES
from benchmarks.records import QUERY_ENGINES, SLOT_ENGINES, CaseResult, CaseSpec, EngineResult, RunConfig
from benchmarks.targets import MEDIAN, SPEEDUP, Verdict, verdicts

ENGINE_ORDER = SLOT_ENGINES
COLOURS = {"exact": "tab:blue", "naive": "tab:red", "greedy": "tab:green"}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 3 runs, p95 is the slowest run)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def machine() -> dict[str, Any]:
    """What the figures were measured on (and which engine version: commit, uncommitted changes)."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import ortools  # noqa: PLC0415 - the machine record works without OR-Tools installed

        ortools_version = str(getattr(ortools, "__version__", "unknown"))
    except (ImportError, AttributeError):
        ortools_version = "unknown"
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10,
                                  check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "solver")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "ortools": ortools_version,
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "solver_dirty": bool(dirty),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# -- figures derived from one case -----------------------------------------------------------------


def _median(r: EngineResult | None) -> float | None:
    return statistics.median(r.walls) if r is not None and r.walls and not r.error else None


def greedy_errors(case: CaseResult) -> tuple[int, int, int] | None:
    """(false offers, false refusals, greedy offers) against exact's decided candidates."""
    exact, greedy = case.engines.get("exact"), case.engines.get("greedy")
    if exact is None or greedy is None or not exact.verdicts or not greedy.verdicts:
        return None
    false_offers = sum(1 for x, g in zip(exact.verdicts, greedy.verdicts, strict=True) if g == "S" and x == "N")
    false_refusals = sum(1 for x, g in zip(exact.verdicts, greedy.verdicts, strict=True) if x == "S" and g != "S")
    return false_offers, false_refusals, greedy.verdicts.count("S")


def _fmt(x: float | None, digits: int = 3) -> str:
    """Seconds with about three significant digits (micro-seconds below a millisecond)."""
    if x is None:
        return "—"
    if x >= 100:  # noqa: PLR2004 - the digit thresholds are the format itself
        return f"{x:,.0f}"
    if x >= 10:  # noqa: PLR2004
        return f"{x:.1f}"
    return f"{x:.{digits}f}" if x >= 1e-3 else f"{x * 1e6:.0f} µs"  # noqa: PLR2004


def _status(r: EngineResult) -> str:
    if r.error:
        return "ERROR"
    if r.timed_out:
        return "timed out"
    return ""


def _util(case: CaseResult) -> str:
    meta = case.instance["meta"]
    if case.instance["kind"] == "generated":
        return f"{meta['utilisation']:.0%}"
    if case.instance["kind"] == "crew":
        return f"{meta['utilisation']:.0%}, crews + limits"
    if meta.get("tightened"):
        return f"PTSP, tight (−{meta['dropped']} workers)"
    return "PTSP"


def _naive_unanswered(nv: EngineResult | None) -> bool:
    """Naive could not decide the base day in its limit, so it answers nothing (every candidate undecided)."""
    return nv is not None and not nv.error and not nv.timed_out and nv.feasible_base is None


def _naive_cells(case: CaseResult) -> tuple[str, str, str]:
    """(naive time, naive undecided, exact speed-up over naive) for the summary."""
    ex, nv = case.engines.get("exact"), case.engines.get("naive")
    if nv is None:
        return "—", "—", "—"
    if nv.error or nv.timed_out:
        return _status(nv), "—", "—"
    if _naive_unanswered(nv):
        return f"no answer: base day undecided in {_fmt(_median(nv))} s", "all", "—"
    floor = nv.undecided > 0  # some probes stopped at the limit: a naive that decided them would be slower
    time_s = ("≥ " if floor else "") + _fmt(_median(nv)) + (" est." if nv.estimated else "")
    undecided = f"{nv.undecided} of {nv.sampled}" + (" sampled" if nv.estimated else "")
    m_ex, m_nv = _median(ex), _median(nv)
    speed = f"{'≥ ' if floor else ''}{m_nv / m_ex:,.0f}×" if m_ex and m_nv else "—"
    return time_s, undecided, speed


def _undecided(r: EngineResult, candidates: int) -> str:
    runs = sorted(set(r.undecided_runs)) or [r.undecided]
    spread = f"{runs[0]}–{runs[-1]}" if len(runs) > 1 else str(runs[0])
    return f"{spread} of {candidates}"


# -- issue 9: big days and every PTSP instance ----------------------------------------------------------

MIB_LIMIT = 1536.0  # 1.5 GB peak RSS at 2,000 workers


@dataclass(frozen=True)
class Target:
    """One row of the targets table: `cases` the case names it covers (all must pass), `what` in words."""

    what: str
    cases: tuple[str, ...]
    plan_s: float | None = None  # plan wall seconds at most
    slots_s: float | None = None  # slot query wall seconds (median) at most
    undecided_zero: bool = False
    plan_decided: bool = False
    rss_mib: float | None = None


def scale_targets(results: list[CaseResult]) -> list[Target]:
    """The issue's targets for the cases of this run (PTSP: every ptsp-all case present)."""
    size = next(k for k, n in SIZES.items() if n == 2000)  # noqa: PLR2004 (the issue's 2,000 workers)
    big = [f"gen-{size}-{u}" + w for u in (65, 80, 90) for w in ("", "-witness")]
    ptsp = tuple(c.spec.name for c in results if c.spec.name.startswith("ptsp-all-"))
    out = [
        Target("1,000 workers, 90 %, cold: plan ≤ 5 s, slots ≤ 15 s, 0 undecided", ("gen-XXL-90",),
               plan_s=5, slots_s=15, undecided_zero=True),
        Target("2,000 workers, 90 %, cold: plan ≤ 15 s, slots ≤ 45 s, 0 undecided", ("gen-XXXL-90",),
               plan_s=15, slots_s=45, undecided_zero=True),
        Target("1,000 and 2,000 workers, 90 %, from the stored witness: plan ≤ 3 s, slots ≤ 3 s",
               ("gen-XXL-90-witness", "gen-XXXL-90-witness"), plan_s=3, slots_s=3),
        Target("peak RSS ≤ 1.5 GB at 2,000 workers (every XXXL case, exact's process)", tuple(big),
               rss_mib=MIB_LIMIT),
    ]
    if ptsp:
        out.append(Target("every PTSP instance, published and tight: plan decided, slots ≤ 30 s, 0 undecided",
                          ptsp, slots_s=30, undecided_zero=True, plan_decided=True))
    return out


def _check(target: Target, r: EngineResult | None) -> tuple[bool, str]:
    """(met, measured figures in words) for one case of a target."""
    if r is None or r.error or r.timed_out or not r.walls:
        return False, "not run" if r is None else (_status(r) or "no timed run")
    slots_s = statistics.median(r.walls)
    ok, said = True, []
    if target.plan_s is not None or target.plan_decided:
        said.append(f"plan {_fmt(r.plan_wall)} s ({r.plan_status})")
        ok &= r.plan_wall is not None and (target.plan_s is None or r.plan_wall <= target.plan_s)
        ok &= not target.plan_decided or r.plan_status in ("feasible", "infeasible")
    if target.slots_s is not None:
        said.append(f"slots {_fmt(slots_s)} s")
        ok &= slots_s <= target.slots_s
    if target.undecided_zero:
        said.append(f"{r.undecided} undecided")
        ok &= r.undecided == 0
    if target.rss_mib is not None:
        said.append(f"peak {r.peak_rss_mib:.0f} MiB" if r.peak_rss_mib is not None else "peak unknown")
        ok &= r.peak_rss_mib is not None and r.peak_rss_mib <= target.rss_mib
    return ok, ", ".join(said)


def scale_section(results: list[CaseResult]) -> list[str]:
    """Per-case plan / slots / undecided / peak RSS, and the issue-9 targets with ✅/❌ computed from them."""
    by_name = {c.spec.name: c for c in results}
    rows = []
    for c in results:
        r = c.engines.get("exact")
        if r is None or r.plan_wall is None:
            continue
        slots_s = statistics.median(r.walls) if r.walls else None
        rows.append(f"| {c.spec.name} | {'stored witness' if c.spec.use_witness else 'cold'} |"
                    f" {c.instance['workers']} | {c.instance['tasks']} | {_fmt(r.plan_wall)} | {r.plan_status} |"
                    f" {_fmt(slots_s)} | {r.undecided} of {len(c.candidates)} |"
                    f" {'—' if r.peak_rss_mib is None else f'{r.peak_rss_mib:.0f}'} |")
    if not rows:
        return []
    out = ["## Plan and slots per case (exact)", "",
           "plan: one `solver.plan.plan` of the day from the same start as the query (cold or the stored"
           " witness); slots: the slot query's wall seconds (median); peak RSS: `ru_maxrss` of exact's own"
           " process (instance, plan and every query).", "",
           "| case | start | workers | tasks | plan s | plan | slots s | undecided | peak RSS MiB |",
           "|---|---|---:|---:|---:|---|---:|---:|---:|", *rows, ""]
    trows = []
    for target in scale_targets(results):
        checks = [(name, *_check(target, by_name[name].engines.get("exact") if name in by_name else None))
                  for name in target.cases]
        met = all(ok for _, ok, _ in checks)
        failed = [f"{n}: {said}" for n, ok, said in checks if not ok]
        shown = failed[:6] if failed else [f"{n}: {said}" for n, _, said in checks[:3]]
        more = len(failed if failed else checks) - len(shown)
        trows.append(f"| {target.what} | {len(checks)} | {'<br>'.join(shown)}{f'<br>… {more} more' if more > 0 else ''}"
                     f" | {'✅' if met else '❌'} |")
    out += ["## Targets: big days and every PTSP instance (issue 9)", "",
            "Computed from the figures above: ✅ only when every case of the row meets every bound (a case"
            " not in this run counts as not met). Measured cases: the failures, else the first three.", "",
            "| target | cases | measured | met |", "|---|---:|---|---|", *trows, ""]
    return out


# -- the markdown ----------------------------------------------------------------------------------


def _summary(results: list[CaseResult]) -> list[str]:
    """One row per case: the headline figures of every engine."""
    out = ["## Summary", "",
           "Times are wall seconds per query (median over runs). Naive `est.` = extrapolated from an evenly"
           " spaced sample of candidates: the naive engine's time, whatever it decided; `naive undecided` says how"
           " much of the sample hit the per-probe limit, and where it did, naive's time is a floor (`≥`)."
           " Greedy errors count only candidates exact decided.", "",
           "| case | workers | tasks (untaken) | utilisation | exact | exact p95 | exact undecided | naive"
           " | naive undecided | exact speed-up over naive | greedy | exact ÷ greedy | greedy false offers"
           " | greedy false refusals | greedy unplaced tasks |",
           "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in _slot_cases(results):
        ex, nv, gr = (c.engines.get(e) for e in ENGINE_ORDER)
        m_ex, m_gr = _median(ex), _median(gr)
        p95 = percentile(ex.walls, 95) if ex is not None and ex.walls else None
        exact_s = _fmt(m_ex) if ex is not None and not _status(ex) else (_status(ex) if ex else "—")
        naive_s, naive_u, speedup = _naive_cells(c)
        ratio = f"{m_ex / m_gr:,.0f}×" if m_ex and m_gr else "—"
        undecided = _undecided(ex, len(c.candidates)) if ex is not None and ex.verdicts else "—"
        errs = greedy_errors(c)
        fo = f"{errs[0]} of {errs[2]} offers" if errs else "—"
        fr = str(errs[1]) if errs else "—"
        unplaced = str(gr.unplaced) if gr is not None and gr.unplaced is not None else "—"
        out.append(f"| {c.spec.name} | {c.instance['workers']} | {c.instance['tasks']}"
                   f" ({c.instance['untaken']}) | {_util(c)} | {exact_s} | {_fmt(p95)} | {undecided} | {naive_s}"
                   f" | {naive_u} | {speedup} | {_fmt(m_gr)} | {ratio} | {fo} | {fr} | {unplaced} |")
    out.append("")
    return out


def _slot_cases(results: list[CaseResult]) -> list[CaseResult]:
    """The cases a slot engine ran on (the `next` / `explain` cases have their own table)."""
    return [c for c in results if any(e in c.engines for e in ENGINE_ORDER)]


def _ok(ok: bool | None) -> str:
    return "" if ok is None else " ✅" if ok else " ❌"


def _target_row(v: Verdict) -> str:
    b = v.bound
    said = [f"≤ {b.seconds:g} s {b.of}"] if b.seconds is not None else []
    said.append("0 undecided")
    if b.engine == "exact":
        said.append(f"≥ {SPEEDUP:g}× naive where measured")
    if v.missing:
        return f"| {b.case} | {v.start} | {', '.join(said)} | {v.missing} | — | — | ❌ |"
    time_s = f"{_fmt(v.median)} s" if b.of == MEDIAN else f"worst {_fmt(v.worst)} s (median {_fmt(v.median)} s)"
    speed = ("—" if b.engine != "exact" else "naive not measured" if v.speedup is None
             else f"{'≥ ' if v.speedup_floor else ''}{v.speedup:,.0f}×")
    return (f"| {b.case} | {v.start} | {', '.join(said)} | {time_s}{_ok(v.time_ok)} |"
            f" {v.undecided}{_ok(v.undecided_ok)} | {speed}{_ok(v.speedup_ok)} | {'✅' if v.met else '❌'} |")


def targets_section(results: list[CaseResult]) -> list[str]:
    """Issue 8's targets: every case they name (met, missed or not run), then the run's other v1, crew,
    `next` and `explain` cases against 0 undecided and the speed-up."""
    rows = [_target_row(v) for v in verdicts(results)]
    met = sum(1 for r in rows if r.endswith("✅ |"))
    return ["## Targets: slot queries, crews, next and explain (issue 8)", "",
            "Computed from the figures of this run (`benchmarks/targets.py`): a row is ✅ only when every"
            " target of it is met; a case the targets name that is not in this run is ❌ (not run). Exact's"
            " time is the median per query (explain: the worst refused start); the speed-up is over naive on"
            " the same instance (a witness case is compared with its cold case's naive, naive takes no"
            " witness), `≥` where naive's time is a floor; naive not measured = not run or no answer in its"
            " limits, and that target then does not apply.", "",
            f"{met} of {len(rows)} rows met.", "",
            "| case | start | target | time | undecided | speed-up over naive | met |",
            "|---|---|---|---|---|---|---|", *rows, ""]


def _queries(results: list[CaseResult]) -> list[str]:
    """`next` and `explain`: time per query (next) and per refused start (explain), and what they answered."""
    rows = []
    for c in results:
        for e in QUERY_ENGINES:
            r = c.engines.get(e)
            if r is None:
                continue
            s = r.stats
            if e == "next":
                what = (f"{s.get('slots', '—')} slots (limit {s.get('limit', '—')}) over {s.get('days', '—')} days,"
                        f" {s.get('tasks', '—')} tasks; first {s.get('first') or 'none'}")
            else:
                reasons = ", ".join(f"{k} {n}" for k, n in sorted(s.get("reasons", {}).items()))
                what = f"{len(r.walls)} of {s.get('refused', '—')} refused starts explained; reasons: {reasons or '—'}"
            notes = "; ".join(x for x in (_status(r), r.note, r.error.strip().splitlines()[-1][:160] if r.error else "")
                              if x)
            mem = "—" if r.peak_rss_mib is None else f"{r.peak_rss_mib:.0f}"
            rows.append(f"| {c.spec.name} | {e} | {'stored witness' if c.spec.use_witness else 'cold'} |"
                        f" {len(r.walls)} | {_fmt(_median(r))} | {_fmt(max(r.walls)) if r.walls else '—'} |"
                        f" {r.undecided} | {what} | {mem} | {notes} |")
    if not rows:
        return []
    return ["## next and explain (issue 8)", "",
            "`next`: the instance's day repeated over 14 operational days (its hidden plan as the stored"
            " witness), the first 10 slots from the first day; one time per timed run. `explain`: refused"
            " starts of the slot query spread over the day, one time per start (`unknown` counts as"
            " undecided; a start explain finds a plan for would stop the run as a disagreement).", "",
            "| case | query | start | timed | median s | worst s | undecided | answer | peak RSS MiB | notes |",
            "|---|---|---|---:|---:|---:|---:|---|---:|---|", *rows, ""]


def _per_engine(results: list[CaseResult]) -> list[str]:
    """One row per (case, engine): runs, times, memory, notes."""
    out = ["## Per engine", "",
           "Memory: peak RSS growth = `ru_maxrss` after the engine ran minus `ru_maxrss` after loading the"
           " instance, in a fresh process per (instance, engine) step; it includes OR-Tools' C++ memory,"
           " which `tracemalloc` would not see. The absolute peak (incl. Python, OR-Tools and the instance)"
           " is in brackets.", "",
           "| case | engine | runs | wall median | wall p95 | CPU median | CP-SAT solves / query | undecided"
           " | slots | peak RSS growth MiB [peak] | notes |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in results:
        for e in ENGINE_ORDER:
            r = c.engines.get(e)
            if r is None:
                continue
            notes = [x for x in (_status(r), r.note) if x]
            if r.estimated and not _naive_unanswered(r):
                notes.insert(0, f"estimated from {r.sampled} sampled candidates")
            if r.error:
                notes.append(r.error.strip().splitlines()[-1][:160])
            runs = "est." if r.estimated else str(len(r.walls))
            if e == "naive" and _naive_unanswered(r):
                und, slots = "all", "none (no answer)"
            else:
                und = f"{r.undecided} of {r.sampled} sampled" if r.estimated else _undecided(r, len(c.candidates))
                slots = f"{r.verdicts.count('S')}" + (f" of {r.sampled} sampled" if r.estimated else "")
            mem = "—" if r.rss_growth_mib is None else f"{r.rss_growth_mib:.0f} [{r.peak_rss_mib:.0f}]"
            cpu = statistics.median(r.cpus) if r.cpus else None
            out.append(f"| {c.spec.name} | {e} | {runs} | {_fmt(_median(r))} |"
                       f" {_fmt(percentile(r.walls, 95)) if r.walls else '—'} | {_fmt(cpu)} |"
                       f" {'—' if r.solver_calls is None else r.solver_calls} | {und if r.verdicts else '—'} |"
                       f" {slots if r.verdicts else '—'} | {mem} | {'; '.join(notes)} |")
    out.append("")
    return out


def _breakdown(results: list[CaseResult]) -> list[str]:
    """Which shortcut decided each of exact's candidates."""
    out: list[str] = []
    # Exact's decision breakdown: every `by_*` counter the engine reports, in its own order, so a new
    # shortcut shows up here without touching the report.
    kinds: list[str] = []
    for c in results:
        r = c.engines.get("exact")
        for k in (r.stats if r is not None else {}):
            if k.startswith("by_") and k not in kinds:
                kinds.append(k)
    out += ["## How exact decided each candidate", "",
            "certificate: a known plan leaves an eligible worker free; repair: moving a few tasks frees one;"
            " necessary condition: a Hall/matching argument proves no plan; equivalence: same structure as a"
            " decided candidate; solver: CP-SAT on the candidate's conflict component (see `solver/slots.py`)."
            " Counts of the first timed run; `undecided` and `slots` over all runs.",
            "",
            "| case | start | candidates | " + " | ".join(k[3:].replace("_", " ") for k in kinds)
            + " | CP-SAT calls | undecided | slots | every slot re-checked |",
            "|---|---|---:|" + "---:|" * len(kinds) + "---:|---:|---:|---|"]
    for c in results:
        r = c.engines.get("exact")
        if r is None or not r.stats:
            continue
        s = r.stats
        out.append(f"| {c.spec.name} | {'stored witness' if c.spec.use_witness else 'cold'} |"
                   f" {s.get('candidates', len(c.candidates))} | "
                   + " | ".join(str(s.get(k, 0)) for k in kinds)
                   + f" | {s.get('solver_calls', '—')} | {_undecided(r, len(c.candidates))} | {r.verdicts.count('S')} |"
                   f" {'yes' if r.verified else 'no (step budget)'} |")
    out.append("")
    return out


def _agreement(results: list[CaseResult]) -> list[str]:
    """Naive and exact compared where both decided."""
    out = ["## Naive vs exact", "",
           "Every candidate both engines decided was compared; a disagreement stops the run (exit status 3).",
           "", "| case | naive probed | compared | disagreements |", "|---|---:|---:|---:|"]
    for c in results:
        nv = c.engines.get("naive")
        if nv is None:
            continue
        out.append(f"| {c.spec.name} | {nv.sampled} | {c.agreement.get('compared', '—')} |"
                   f" {c.agreement.get('disagreements', '—')} |")
    out.append("")
    return out


def _instances(results: list[CaseResult], chart: str | None) -> list[str]:
    """What each instance is, and the chart."""
    out = ["## Instances", "",
           "Generated days (`benchmarks/generate.py`, seed 1): Europe/Moscow, operational day 03:00–03:00;"
           " day, split, evening, overnight and early shifts (4–12 h); tasks 30–240 min made by filling each"
           " worker's shifts up to the utilisation, so the base day is feasible and that hidden assignment is"
           " the stored witness; 15–25 % of tasks taken; skills install/repair/survey on most workers,"
           " `gas` on 10 %; the query needs no skill.",
           "PTSP (`benchmarks/ptsp.py`): a published Krishnamoorthy et al. / Smet et al. instance, one worker"
           " per qualification line with a shift over the whole horizon, one untaken task per job; the query"
           " asks for a task like the job with the most qualified workers; `-tight` drops workers while every"
           " job can still be re-homed (see the module docstring).", ""]
    seen: set[str] = set()
    for c in results:
        if c.instance["name"] in seen:  # a day's cold, witness, next and explain cases share the instance
            continue
        seen.add(c.instance["name"])
        meta = {k: v for k, v in c.instance["meta"].items() if k not in ("generator",)}
        out.append(f"- `{c.instance['name']}`: skill {c.instance['skill'] or 'none'}, "
                   + ", ".join(f"{k} {v}" for k, v in meta.items()))
    out.append("")
    if chart:
        witness = [c.spec.name for c in _slot_cases(results) if c.spec.use_witness]
        out += [f"![time per query]({chart})", ""]
        if witness:
            out += [f"The chart shows cold starts only; {', '.join(witness)} (from the stored witness) are in the"
                    " tables above.", ""]
    return out


def render(results: list[CaseResult], cfg: RunConfig, info: dict[str, Any], chart: str | None,
           failure: str = "") -> str:
    out = ["# Slot query benchmark: exact vs naive vs greedy", ""]
    if failure:
        out += [f"> **RUN FAILED — {failure}**", ""]
    n_candidates = len(results[0].candidates) if results else 0
    out += [
        "Question: how long does one slot query take, and how often is the greedy answer wrong? One query ="
        f" a {cfg.duration}-min task, candidate starts every {cfg.step} min over the operational day"
        f" ({n_candidates} candidates on a 24 h day).",
        "",
        "| machine | |", "|---|---|",
        f"| date | {info['date']} |",
        f"| CPU | {info['cpu']}, {info['cores']} cores |",
        f"| Python / OR-Tools | {info['python']} / {info['ortools']} |",
        f"| commit | {info['commit']}{' (solver/ had uncommitted changes)' if info['solver_dirty'] else ''} |",
        f"| load average at start | {info['load_before']} (other jobs share the machine: timings are noisy) |",
        f"| command | `{info.get('command', '')}` ({info.get('run_seconds', '?')} s) |",
        "",
        f"Settings: {cfg.repeats} timed run(s) per query for exact (greedy: at least 3); naive: CP-SAT limit"
        f" {cfg.naive_probe_limit:g} s per probe and {cfg.naive_base_limit:g} s for the base day, one run;"
        f" exact: defaults ({cfg.exact_probe_limit:g} s per probe, {cfg.exact_base_limit:g} s base) unless a"
        f" per-query budget is given; each (instance, engine) step stops repeating after"
        f" {cfg.step_budget:g} s.",
        "",
    ]
    out += _summary(results)
    out += targets_section(results)
    out += _queries(results)
    out += scale_section(results)
    out += _per_engine(results)
    out += _breakdown(results)
    out += _agreement(results)
    out += _instances(results, chart)
    return "\n".join(out)




# -- the chart -------------------------------------------------------------------------------------


UTIL_MARKERS = {65: "o", 80: "s", 90: "^"}


def chart(results: list[CaseResult], path: Path) -> Path | None:
    """Time per query against day size (tasks), log-log: one colour per engine, one line per engine and
    utilisation (mixing utilisations in one line would zigzag, since a tighter day of the same size
    costs more). Naive is dashed where estimated; where it answered nothing (base day undecided) it
    is a cross, not a point on its line, since no time buys that answer."""
    # matplotlib loads only when a chart is drawn: every spawned engine process imports this module too.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.ticker import ScalarFormatter  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(9, 5.5))
    drew = False
    cold = [c for c in results if not c.spec.use_witness]  # one start per instance: the lines stay lines
    gen = [c for c in cold if c.instance["kind"] == "generated"]
    utils = sorted({round(c.instance["meta"]["target_utilisation"] * 100) for c in gen})
    for e in ENGINE_ORDER:
        for u in utils:
            pts = sorted((c.instance["tasks"], _median(c.engines.get(e)), c.engines[e].estimated) for c in gen
                         if round(c.instance["meta"]["target_utilisation"] * 100) == u and _median(c.engines.get(e))
                         and not (e == "naive" and _naive_unanswered(c.engines[e])))
            if pts:
                xs, ys, est = zip(*pts, strict=True)
                ax.plot(xs, ys, marker=UTIL_MARKERS.get(u, "o"), color=COLOURS[e], label=f"{e}, {u} %",
                        linestyle="--" if any(est) else "-")
                drew = True
        pts2 = [(c.instance["tasks"], _median(c.engines.get(e))) for c in cold
                if c.instance["kind"] == "ptsp" and _median(c.engines.get(e))
                and not (e == "naive" and _naive_unanswered(c.engines[e]))]
        if pts2:
            xs, ys = zip(*pts2, strict=True)
            ax.plot(xs, ys, "D", color=COLOURS[e], markerfacecolor="none", label=f"{e}, PTSP")
            drew = True
    dead = [(c.instance["tasks"], _median(c.engines["naive"])) for c in cold
            if _naive_unanswered(c.engines.get("naive")) and _median(c.engines["naive"])]
    if dead:
        xs, ys = zip(*dead, strict=True)
        ax.plot(xs, ys, "x", color=COLOURS["naive"], markersize=9, label="naive: no answer (base undecided)")
    if not drew:
        plt.close(fig)
        return None
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.set_xlabel("tasks in the scenario")
    ax.set_ylabel("wall seconds per slot query (median; naive dashed = estimated)")
    ax.set_title("Slot query time against day size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(results: list[CaseResult], cfg: RunConfig, info: dict[str, Any], out: Path,
                 *, failure: str = "") -> list[Path]:
    """Write the markdown, the raw JSON beside it, and the chart; returns the paths written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    png_name = "time_per_query.png" if out.stem == "latest" else f"{out.stem}_time_per_query.png"
    png = chart(results, out.parent / png_name)
    out.write_text(render(results, cfg, info, png.name if png else None, failure) + "\n")
    raw = out.with_suffix(".json")
    raw.write_text(json.dumps({"machine": info, "config": asdict(cfg), "failure": failure,
                               "cases": [asdict(c) for c in results]}, indent=1, default=str) + "\n")
    return [p for p in (out, raw, png) if p is not None]


def load_results(path: Path) -> tuple[list[CaseResult], RunConfig, dict[str, Any], str]:
    """A run's raw JSON back as results (to re-render a report without re-running)."""
    data = json.loads(path.read_text())
    cases = []
    for c in data["cases"]:
        spec = dict(c["spec"])
        spec["source"] = tuple(spec["source"])
        engines = {k: EngineResult(**v) for k, v in c["engines"].items()}
        cases.append(CaseResult(CaseSpec(**spec), c["instance"], c["candidates"], engines, c["agreement"]))
    return cases, RunConfig(**data["config"]), data["machine"], data.get("failure", "")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Re-render a benchmark report from its raw JSON.")
    ap.add_argument("json", type=Path, help="e.g. benchmarks/results/latest.json")
    ap.add_argument("--out", type=Path, help="markdown to write (default: beside the JSON)")
    args = ap.parse_args(argv)
    results, cfg, info, failure = load_results(args.json)
    out = args.out or args.json.with_suffix(".md")
    for p in write_report(results, cfg, info, out, failure=failure):
        print(p)


if __name__ == "__main__":
    main()
