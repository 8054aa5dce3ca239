"""Crew days for the benchmarks: a generated v1 day turned into a v2 day, still feasible by construction.

About 20 % of the untaken tasks become crews of 2-3 seats: the original seat keeps its skill, and 1-2
workers who are free in the day's hidden plan during the task (inside one of their shifts) join it, each
on an entry with one of their skills or the null skill (same skills merged into one entry's count).
A third of the workers get daily limits just above what the hidden plan gives them (`max_tasks` the
plan's count or one more, `max_minutes` its minutes plus 0-60). The hidden plan, extended by the new
seats, is the instance's witness, so the day is feasible and every limit is kept.

    python -m benchmarks.crews [--sizes S M L XL] [--utils 65 80 90]   (writes gen-crew-<size>-<util>.json)
"""

from __future__ import annotations

import argparse
import copy
import random
from collections import Counter, defaultdict
from datetime import datetime

from benchmarks.common import BenchInstance, save_instance
from benchmarks.generate import SIZES, UTILISATIONS, generated
from solver.checker import assignment_problems

CREW_SHARE = 0.2
LIMITED_SHARE = 1 / 3
MAX_EXTRA_SEATS = 2


def _busy_map(doc: dict, witness: dict[str, str]) -> dict[str, list[tuple[datetime, datetime]]]:
    busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for t in doc["tasks"]:
        wid = t.get("worker_id") or witness.get(t["id"])
        if wid:
            busy[wid].append((datetime.fromisoformat(t["start"]), datetime.fromisoformat(t["end"])))
    return busy


def _free_workers(doc: dict, busy: dict, start: datetime, end: datetime, exclude: str) -> list[dict]:
    out = []
    for w in doc["workers"]:
        if w["id"] == exclude or any(a < end and start < b for a, b in busy[w["id"]]):
            continue
        if any(datetime.fromisoformat(s["start"]) <= start and end <= datetime.fromisoformat(s["end"])
               for s in w["shifts"]):
            out.append(w)
    return out


def _add_crews(rng: random.Random, doc: dict, witness: dict[str, str]) -> dict[str, list[str]]:
    busy = _busy_map(doc, witness)
    staffed: dict[str, list[str]] = {tid: [wid] for tid, wid in witness.items()}
    for t in doc["tasks"]:
        if t.get("worker_id") or rng.random() >= CREW_SHARE:
            continue
        start, end = datetime.fromisoformat(t["start"]), datetime.fromisoformat(t["end"])
        free = _free_workers(doc, busy, start, end, witness[t["id"]])
        if not free:
            continue
        joining = rng.sample(free, min(len(free), rng.randint(1, MAX_EXTRA_SEATS)))
        counts: Counter[str | None] = Counter([t.get("skill")])
        for w in joining:
            counts[rng.choice([None, *w.get("skills", [])])] += 1
            busy[w["id"]].append((start, end))
            staffed[t["id"]].append(w["id"])
        t["crew"] = [{"skill": k, "count": n} for k, n in counts.items()]
        t["skill"] = None
    return staffed


def _add_limits(rng: random.Random, inst: BenchInstance, staffed: dict[str, list[str]]) -> None:
    doc = inst.scenario_doc
    cal = inst.scenario().calendar
    seats: dict[tuple[str, object], list[float]] = defaultdict(lambda: [0, 0.0])
    for t in doc["tasks"]:
        start, end = datetime.fromisoformat(t["start"]), datetime.fromisoformat(t["end"])
        workers = [t["worker_id"]] if t.get("worker_id") else staffed.get(t["id"], [])
        day = cal.day_of(cal.aware(start))
        for wid in workers:
            row = seats[wid, day]
            row[0] += 1
            row[1] += (end - start).total_seconds() / 60
    for w in doc["workers"]:
        if rng.random() >= LIMITED_SHARE:
            continue
        rows = [row for (wid, _), row in seats.items() if wid == w["id"]]
        w["max_tasks"] = int(max((r[0] for r in rows), default=0)) + rng.choice([0, 1])
        w["max_minutes"] = int(max((r[1] for r in rows), default=0)) + rng.choice([0, 30, 60])


def crew_day(size: str, util: int, seed: int = 1) -> BenchInstance:
    """The crew version of the cached generated day of this size and utilisation (stored next to it, so a
    benchmark's child process can load it by name)."""
    inst = to_crews(generated(size, util, seed), f"gen-crew-{size}-{util}", seed)
    save_instance(inst)
    return inst


def to_crews(base: BenchInstance, name: str, seed: int | str = 1) -> BenchInstance:
    """A copy of a generated v1 day with crews and limits added (see the module docstring)."""
    rng = random.Random(f"crews-{name}-{seed}")
    witness = dict(base.witness or {})
    inst = BenchInstance(name, "crew", copy.deepcopy(base.scenario_doc), base.date, base.skill, None,
                         {**base.meta, "crews": CREW_SHARE, "limited": LIMITED_SHARE})
    staffed = _add_crews(rng, inst.scenario_doc, witness)
    _add_limits(rng, inst, staffed)
    inst.witness = staffed  # type: ignore[assignment]  (crew witnesses list every worker of a task)
    problems = assignment_problems(inst.scenario(), staffed)
    assert not problems, problems[:3]
    return inst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.crews", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--utils", nargs="+", type=int, default=list(UTILISATIONS))
    args = ap.parse_args(argv)
    for size in args.sizes:
        for util in args.utils:
            print(save_instance(crew_day(size, util)))


if __name__ == "__main__":
    main()
