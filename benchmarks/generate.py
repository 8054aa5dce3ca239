"""Seeded generator of realistic field-service days, feasible by construction.

One operational day (03:00 to 03:00 in Europe/Moscow) of installers with day, split, evening and
overnight shifts. Tasks are made by filling each worker's shifts with a hidden assignment up to a
target utilisation (share of shift time covered by tasks); that hidden assignment is a valid plan,
so the base day is feasible, and it is returned as the instance's witness. A fraction of the tasks
stays taken by its hidden worker, the rest become untaken (the witness assigns those).

    python -m benchmarks.generate [--sizes S M L XL] [--utils 65 80 90] [--seed 1] [--force]

writes `benchmarks/instances/gen-<size>-<util>.json`. The same seed always gives the same instance.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.common import (
    FORMAT_VERSION,
    BenchInstance,
    cached_version,
    instance_path,
    load_instance,
    save_instance,
)
from solver.calendar import DEFAULT_DAY_START, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES

TIMEZONE = "Europe/Moscow"
DAY = date(2026, 11, 23)
DAY_START_MINUTE = DEFAULT_DAY_START.hour * 60 + DEFAULT_DAY_START.minute  # the operational day's start, local
SIZES: dict[str, int] = {"S": 10, "M": 50, "L": 200, "XL": 500, "XXL": 1000, "XXXL": 2000}  # workers; ~6 tasks each
UTILISATIONS = (65, 80, 90)
DEFAULT_SEED = 1

# (skill, share of workers who have it). Most workers have most skills; "gas" is the rare one.
SKILLS: tuple[tuple[str, float], ...] = (("install", 0.9), ("repair", 0.8), ("survey", 0.7), ("gas", 0.1))
RARE_SKILL = "gas"
SKILLED_TASK_SHARE = 0.5  # the other half of the tasks need no skill

# Task lengths in minutes (multiples of 15 within the contract's 30..240), short ones most common as in
# real service work; the mean (~75 min) makes ~6 tasks per worker for the stated sizes.
DURATIONS = (30, 45, 60, 75, 90, 105, 120, 150, 180, 210, 240)
DURATION_WEIGHTS = (22, 18, 18, 10, 12, 4, 8, 4, 3, 2, 2)
assert min(DURATIONS) >= MIN_DURATION_MINUTES and max(DURATIONS) <= MAX_DURATION_MINUTES

# Shift patterns: (name, weight). Minutes are relative to DAY 00:00 local; negative = the evening before.
SHIFT_PATTERNS = (("day", 48), ("split", 15), ("evening", 15), ("overnight", 12), ("early", 10))

TAKEN_SHARE = (0.15, 0.25)  # share of tasks already taken, drawn once per instance


def _grid(rng: random.Random, lo: int, hi: int, step: int) -> int:
    """A uniform multiple of `step` in [lo, hi] (both multiples of step)."""
    return rng.randrange(lo, hi + step, step)


def _shifts_for(rng: random.Random) -> list[tuple[int, int]]:
    """One worker's shifts as (start, end) minutes from DAY 00:00; each 4 to 12 h long."""
    pattern = rng.choices([p for p, _ in SHIFT_PATTERNS], weights=[w for _, w in SHIFT_PATTERNS])[0]
    if pattern == "day":
        start = _grid(rng, 6 * 60, 14 * 60, 30)
        return [(start, start + _grid(rng, 6 * 60, 12 * 60, 30))]
    if pattern == "split":  # two pieces with a 1 to 3 h break
        a = _grid(rng, 6 * 60, 10 * 60, 30)
        b = a + _grid(rng, 4 * 60, 6 * 60, 30)
        c = b + _grid(rng, 60, 3 * 60, 30)
        return [(a, b), (c, c + _grid(rng, 4 * 60, 6 * 60, 30))]
    if pattern == "evening":  # often ends after midnight
        start = _grid(rng, 14 * 60, 18 * 60, 30)
        return [(start, start + _grid(rng, 6 * 60, 10 * 60, 30))]
    if pattern == "overnight":  # crosses midnight and usually the 03:00 day boundary too
        start = _grid(rng, 20 * 60, 23 * 60, 30)
        return [(start, start + _grid(rng, 6 * 60, 10 * 60, 30))]
    # "early": started the evening before and crosses 03:00 into this operational day
    start = _grid(rng, -2 * 60, 2 * 60, 30)
    return [(start, start + _grid(rng, 6 * 60, 9 * 60, 30))]


def _fill(rng: random.Random, start: int, end: int, utilisation: float) -> list[tuple[int, int]]:
    """Non-overlapping tasks inside [start, end) covering about `utilisation` of it, on a 15-min grid."""
    length = end - start
    target = round(utilisation * length / 15) * 15
    lengths: list[int] = []
    while sum(lengths) < target:
        d = rng.choices(DURATIONS, weights=DURATION_WEIGHTS)[0]
        rest = target - sum(lengths)
        if d > rest:
            # Trim the last task to hit the target; if the remainder is too short for a task, stop short.
            if rest < MIN_DURATION_MINUTES:
                break
            d = rest
        lengths.append(d)
    rng.shuffle(lengths)
    # Spread the free time over the k + 1 gaps around the k tasks, in 15-min units.
    free_units = (length - sum(lengths)) // 15
    gaps = [0] * (len(lengths) + 1)
    for _ in range(free_units):
        gaps[rng.randrange(len(gaps))] += 1
    out: list[tuple[int, int]] = []
    t = start
    for gap, d in zip(gaps, lengths, strict=False):
        t += gap * 15
        out.append((t, t + d))
        t += d
    return out


def _iso(minute: int, origin: datetime) -> str:
    return (origin + timedelta(minutes=minute)).isoformat()


def generate_day(
    n_workers: int, utilisation: float, seed: int | str, *, name: str | None = None
) -> BenchInstance:
    """A feasible day of `n_workers` with tasks covering about `utilisation` (0..1) of the shift time.

    Returns the instance with its witness: the hidden assignment of every untaken task.
    """
    rng = random.Random(f"slot-planner-bench/{seed}/{n_workers}/{utilisation:.3f}")
    origin = datetime.combine(DAY, datetime.min.time(), tzinfo=ZoneInfo(TIMEZONE))

    workers = []
    shift_minutes = 0
    hidden: list[tuple[int, int, str, str | None]] = []  # (start, end, worker, skill)
    rare_holders = max(1, round(n_workers * dict(SKILLS)[RARE_SKILL]))
    rare_workers = set(rng.sample(range(n_workers), rare_holders))
    for i in range(n_workers):
        wid = f"w{i + 1:03d}"
        skills = {s for s, share in SKILLS if s != RARE_SKILL and rng.random() < share}
        if i in rare_workers:
            skills.add(RARE_SKILL)
        shifts = _shifts_for(rng)
        workers.append({
            "id": wid, "name": f"Worker {i + 1}", "skills": sorted(skills),
            "shifts": [{"start": _iso(a, origin), "end": _iso(b, origin)} for a, b in shifts],
        })
        shift_minutes += sum(b - a for a, b in shifts)
        own = sorted(skills)
        for a, b in shifts:
            for s, e in _fill(rng, a, b, utilisation):
                skill = None
                if own and rng.random() < SKILLED_TASK_SHARE:
                    # Rare-skill holders spend much of their time on rare work: that is what makes it scarce.
                    weights = [4.0 if k == RARE_SKILL else 1.0 for k in own]
                    skill = rng.choices(own, weights=weights)[0]
                hidden.append((s, e, wid, skill))

    # Task ids in time order, as a dispatcher's list would be; the hidden worker is not visible in the id.
    hidden.sort(key=lambda x: (x[0], x[1], x[2]))
    taken_share = rng.uniform(*TAKEN_SHARE)
    taken = set(rng.sample(range(len(hidden)), round(taken_share * len(hidden))))
    tasks = []
    witness: dict[str, str] = {}
    for k, (s, e, wid, skill) in enumerate(hidden):
        tid = f"t{k + 1:04d}"
        tasks.append({"id": tid, "start": _iso(s, origin), "end": _iso(e, origin), "skill": skill,
                      "worker_id": wid if k in taken else None})
        if k not in taken:
            witness[tid] = wid

    task_minutes = sum(e - s for s, e, _, _ in hidden)
    doc = {"timezone": TIMEZONE, "day_start": DEFAULT_DAY_START.strftime("%H:%M"),
           "workers": workers, "tasks": tasks}
    meta = {
        "generator": "benchmarks.generate", "seed": seed, "target_utilisation": utilisation,
        "utilisation": round(task_minutes / shift_minutes, 4), "taken": len(taken),
        "untaken": len(tasks) - len(taken), "rare_skill_workers": rare_holders,
    }
    return BenchInstance(name or f"gen-{n_workers}w-{round(utilisation * 100)}", "generated", doc,
                         DAY.isoformat(), None, witness, meta)


def case_name(size: str, util: int) -> str:
    return f"gen-{size}-{util}"


def generated(size: str, util: int, seed: int = DEFAULT_SEED, *, force: bool = False) -> BenchInstance:
    """The cached instance of this size and utilisation (percent), generated and stored if missing."""
    name = case_name(size, util)
    path = instance_path(name)
    if not force and cached_version(path) == FORMAT_VERSION:
        inst = load_instance(path)
        if inst.meta.get("seed") == seed:
            return inst
    inst = generate_day(SIZES[size], util / 100, seed, name=name)
    save_instance(inst)
    return inst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--utils", nargs="+", type=int, default=list(UTILISATIONS))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = ap.parse_args(argv)
    for size in args.sizes:
        for util in args.utils:
            inst = generated(size, util, args.seed, force=args.force)
            m = inst.meta
            print(f"{inst.name}: {inst.n_workers} workers, {inst.n_tasks} tasks ({m['taken']} taken), "
                  f"utilisation {m['utilisation']:.1%}")


if __name__ == "__main__":
    main()
