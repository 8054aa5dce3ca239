"""Timing of the v2 queries: `explain` per refused start on an M-90 day, `next` over 14 days on an L roster.

    python -m benchmarks.queries [--seed 1] [--explain-starts 20] [--next-util 90]

`explain`: the refused starts of a generated M-90 day (50 workers, 90-min task, step 15), each explained
with the engine's default budget; prints the median and the worst time, the reasons and the checks.
`takeable`: five workers of a generated M-90 day (with its witness).
`next`: a generated L day (200 workers) replicated over 14 operational days (`replicate`), with the
replicated hidden assignment as the stored witness (as the service keeps one); `next` for limit 10
from the first day, and from the 8th day of a scenario whose first 7 days have every worker off.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.generate import DAY, SIZES, generate_day
from solver.domain import SlotQuery
from solver.explain import explain
from solver.next_slots import next_slots
from solver.options import SolverOptions
from solver.queries import ExplainQuery, NextQuery, TakeableQuery
from solver.schema import load_scenario
from solver.slots import find_slots
from solver.takeable import takeable

DURATION, STEP = 90, 15


def _shifted(iso: str, days: int) -> str:
    return (datetime.fromisoformat(iso) + timedelta(days=days)).isoformat()


def replicate(doc: dict[str, Any], witness: dict[str, str], days: int, *, skip: int = 0
              ) -> tuple[dict[str, Any], dict[str, str]]:
    """The day's shifts and tasks repeated on `days` consecutive days (ids prefixed `dNN-`); the first
    `skip` days are left empty (nobody works, nothing is booked). Returns the document and its witness."""
    out = {**doc, "workers": [], "tasks": []}
    for w in doc["workers"]:
        shifts = [{"start": _shifted(s["start"], k), "end": _shifted(s["end"], k)}
                  for k in range(skip, days) for s in w["shifts"]]
        out["workers"].append({**w, "shifts": shifts})
    plan: dict[str, str] = {}
    for k in range(skip, days):
        for t in doc["tasks"]:
            tid = f"d{k:02d}-{t['id']}"
            out["tasks"].append({**t, "id": tid, "start": _shifted(t["start"], k), "end": _shifted(t["end"], k)})
            if t["id"] in witness:
                plan[tid] = witness[t["id"]]
    return out, plan


def bench_explain(seed: int, n_starts: int) -> None:
    inst = generate_day(SIZES["M"], 0.9, seed)
    sc = load_scenario(inst.scenario_doc)
    query = SlotQuery(date.fromisoformat(inst.date), DURATION, STEP)
    ans = find_slots(sc, query, witness=inst.witness)
    slots = {s.start for s in ans.slots}
    refused = [s for s in query.candidates(sc) if s not in slots]
    picked = refused[:: max(1, len(refused) // n_starts)][:n_starts]
    times: list[float] = []
    reasons: dict[str | None, int] = {}
    checks: list[int] = []
    witness = {k: (v,) for k, v in (inst.witness or {}).items()}
    for s in picked:
        began = time.perf_counter()
        out = explain(sc, ExplainQuery(s, DURATION), witness=witness)
        times.append(time.perf_counter() - began)
        reasons[out.reason] = reasons.get(out.reason, 0) + 1
        checks.append(out.checks)
    print(f"explain M-90 seed {seed}: {len(refused)} refused of {len(query.candidates(sc))} starts;"
          f" {len(picked)} explained: median {statistics.median(times):.2f} s, worst {max(times):.2f} s;"
          f" reasons {reasons}; checks median {statistics.median(checks)}, worst {max(checks)}")


def bench_takeable(seed: int, size: str, util: int) -> None:
    inst = generate_day(SIZES[size], util / 100, seed)
    sc = load_scenario(inst.scenario_doc)
    witness = {k: (v,) for k, v in (inst.witness or {}).items()}
    times = []
    for w in sc.workers[:5]:
        began = time.perf_counter()
        out = takeable(sc, TakeableQuery(w.id, None), witness=witness)
        times.append(time.perf_counter() - began)
        assert out.feasible_base is True
    print(f"takeable {size}-{util} seed {seed}: 5 workers, median {statistics.median(times):.2f} s,"
          f" worst {max(times):.2f} s")


def bench_next(seed: int, util: int) -> None:
    inst = generate_day(SIZES["L"], util / 100, seed)
    for skip in (0, 7):
        doc, witness = replicate(inst.scenario_doc, inst.witness or {}, 14, skip=skip)
        sc = load_scenario(doc)
        query = NextQuery(DAY, 14, DURATION, STEP, None, None, 10)
        began = time.perf_counter()
        out = next_slots(sc, query, SolverOptions(), witness={k: (v,) for k, v in witness.items()})
        took = time.perf_counter() - began
        first = out.slots[0].start.isoformat() if out.slots else None
        print(f"next L-{util} x14 days (first {skip} empty), {len(sc.tasks)} tasks, limit 10: {took:.2f} s;"
              f" {len(out.slots)} slots from {first}, {len(out.undecided)} undecided")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--explain-starts", type=int, default=20)
    ap.add_argument("--next-util", type=int, default=90)
    ap.add_argument("--only", choices=["explain", "next", "takeable"], default=None)
    args = ap.parse_args(argv)
    if args.only in (None, "explain"):
        bench_explain(args.seed, args.explain_starts)
    if args.only in (None, "next"):
        bench_next(args.seed, args.next_util)
    if args.only in (None, "takeable"):
        bench_takeable(args.seed, "M", 90)


if __name__ == "__main__":
    main()
