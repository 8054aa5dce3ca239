"""Timing of the v2 queries: `explain` per refused start on an M-90 day, `next` over 14 days on an L roster.

    python -m benchmarks.queries [--seed 1] [--explain-starts 20] [--next-util 90]

`explain`: the refused starts of a generated M-90 day (50 workers, 90-min task, step 15), each explained
with the engine's default budget; prints the median and the worst time, the reasons and the checks.
`takeable`: five workers of a generated M-90 day (with its witness).
`next`: a generated L day (200 workers) replicated over 14 operational days (`replicate`), with the
replicated hidden assignment as the stored witness (as the service keeps one); `next` for limit 10
from the first day, and from the 8th day of a scenario whose first 7 days have every worker off.

The pieces (`refused_starts`, `explain_starts`, `next_roster`, `next_query`) are shared with `make bench`
(`benchmarks.run`'s `next` and `explain` engines), so both time the same thing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.common import BenchInstance
from benchmarks.generate import SIZES, generate_day
from solver.domain import Scenario, SlotQuery
from solver.explain import Explanation, explain
from solver.instance import epoch
from solver.next_slots import next_slots
from solver.options import DEFAULT_OPTIONS, SolverOptions
from solver.oracle import Witness
from solver.queries import ExplainQuery, NextQuery, TakeableQuery
from solver.schema import load_scenario
from solver.slots import find_slots
from solver.takeable import takeable

DURATION, STEP = 90, 15
NEXT_DAYS, NEXT_LIMIT = 14, 10  # the issue's `next` question: the first 10 slots of the coming two weeks


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


def refused_starts(scenario: Scenario, query: SlotQuery, witness: Witness | None,
                   options: SolverOptions = DEFAULT_OPTIONS) -> list[datetime]:
    """The candidates the slot query decides are no slot (undecided ones left out), in time order."""
    ans = find_slots(scenario, query, options, witness=witness)
    maybe = {epoch(s.start) for s in (*ans.slots, *ans.undecided)}
    return [s for s in query.candidates(scenario) if epoch(s) not in maybe]


def spread(items: Sequence[datetime], k: int) -> list[datetime]:
    """At most `k` of `items`, evenly spread from the first (all of them when there are no more than k)."""
    if len(items) <= k:
        return list(items)
    return [items[i * len(items) // k] for i in range(k)]


def explain_starts(scenario: Scenario, starts: Sequence[datetime], duration: int, skill: str | None,
                   witness: Witness | None) -> list[tuple[float, Explanation]]:
    """(wall seconds, answer) of `explain` on each start, with the engine's default time limit."""
    out = []
    for s in starts:
        began = time.perf_counter()
        answer = explain(scenario, ExplainQuery(s, duration, skill), witness=witness)
        out.append((time.perf_counter() - began, answer))
    return out


def bench_explain(seed: int, n_starts: int) -> None:
    inst = generate_day(SIZES["M"], 0.9, seed)
    sc = load_scenario(inst.scenario_doc)
    query = SlotQuery(date.fromisoformat(inst.date), DURATION, STEP)
    refused = refused_starts(sc, query, inst.witness)
    timed = explain_starts(sc, spread(refused, n_starts), DURATION, None, inst.witness)
    times = [t for t, _ in timed]
    reasons: dict[str | None, int] = {}
    for _, out in timed:
        reasons[out.reason] = reasons.get(out.reason, 0) + 1
    checks = [out.checks for _, out in timed]
    print(f"explain M-90 seed {seed}: {len(refused)} refused of {len(query.candidates(sc))} starts;"
          f" {len(timed)} explained: median {statistics.median(times):.2f} s, worst {max(times):.2f} s;"
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


def next_roster(inst: BenchInstance, *, skip: int = 0) -> tuple[Scenario, dict[str, str]]:
    """The instance's day repeated over `NEXT_DAYS` days (the first `skip` empty) and its stored witness."""
    v1 = {k: v for k, v in (inst.witness or {}).items() if isinstance(v, str)}
    doc, witness = replicate(inst.scenario_doc, v1, NEXT_DAYS, skip=skip)
    return load_scenario(doc), witness


def next_query(inst: BenchInstance, duration: int, step: int) -> NextQuery:
    """The issue's question from the instance's day: the first `NEXT_LIMIT` slots over `NEXT_DAYS` days."""
    return NextQuery(date.fromisoformat(inst.date), NEXT_DAYS, duration, step, inst.skill, None, NEXT_LIMIT)


def bench_next(seed: int, util: int) -> None:
    inst = generate_day(SIZES["L"], util / 100, seed)
    for skip in (0, 7):
        sc, witness = next_roster(inst, skip=skip)
        began = time.perf_counter()
        out = next_slots(sc, next_query(inst, DURATION, STEP), SolverOptions(), witness=witness)
        took = time.perf_counter() - began
        first = out.slots[0].start.isoformat() if out.slots else None
        print(f"next L-{util} x{NEXT_DAYS} days (first {skip} empty), {len(sc.tasks)} tasks, limit {NEXT_LIMIT}:"
              f" {took:.2f} s; {len(out.slots)} slots from {first}, {len(out.undecided)} undecided")


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
