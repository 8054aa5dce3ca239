"""Random small v2 scenarios (crews, holders, limits, 1 to 3 operational days) for the query properties."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import brute_v2 as brute
from hypothesis import assume
from hypothesis import strategies as st

from solver import InvalidInput, load_scenario
from solver.domain import Scenario, Task

ORIGIN = datetime(2026, 11, 23)  # UTC scenarios; the operational day starts at 03:00
CREWS: list[dict[str, Any]] = [
    {"skill": None}, {"skill": "a"}, {"skill": "b"}, {"skill": None}, {"skill": "a"},
    {"crew": [{"skill": "a", "count": 1}, {"skill": "b", "count": 1}]},
    {"crew": [{"skill": None, "count": 2}]},
    {"crew": [{"skill": "a", "count": 2}]},
]


def at(minutes: int) -> str:
    return (ORIGIN + timedelta(minutes=minutes)).isoformat()


@st.composite
def worker_docs(draw: st.DrawFn, wid: str, days: int, dense: bool = False, night: bool = False) -> dict[str, Any]:
    skills = draw(st.sets(st.sampled_from(["a", "b"])))
    shifts = []
    for day in range(days):
        if days > 1 and draw(st.booleans()) and day:
            continue  # some days off
        if night:  # around the 03:00 day boundary, where one day's tasks meet the next day's
            start = day * 1440 + draw(st.integers(-3, 0)) * 60
            end = start + draw(st.integers(6, 8)) * 60
        else:
            start = day * 1440 + (draw(st.integers(8, 10)) if dense else draw(st.integers(5, 20))) * 60
            end = start + (draw(st.integers(3, 4)) if dense else draw(st.integers(2, 8))) * 60
        shifts.append({"start": at(start), "end": at(end)})
    doc: dict[str, Any] = {"id": wid, "skills": sorted(skills), "shifts": shifts}
    if draw(st.integers(0, 4)) == 0:
        doc["max_tasks"] = draw(st.integers(0, 3))
    if draw(st.integers(0, 4)) == 0:
        doc["max_minutes"] = draw(st.sampled_from([60, 120, 240]))
    return doc


def minute(iso: str) -> int:
    return int((datetime.fromisoformat(iso) - ORIGIN) / timedelta(minutes=1))


@st.composite
def inside_a_shift(draw: st.DrawFn, workers: list[dict[str, Any]], longest: int = 180) -> tuple[int, int]:
    """(start, end) minutes on the 30-min grid inside some worker's shift (so somebody may take it)."""
    shifts = [sh for w in workers for sh in w["shifts"]]
    if not shifts:
        start = draw(st.integers(8, 52)) * 30
        return start, start + 30
    sh = draw(st.sampled_from(shifts))
    lo, hi = minute(sh["start"]), minute(sh["end"])
    start = lo + 30 * draw(st.integers(0, (hi - lo) // 30 - 1))
    return start, start + 30 * draw(st.integers(1, max(1, min(longest, hi - start) // 30)))


@st.composite
def task_docs(draw: st.DrawFn, tid: str, workers: list[dict[str, Any]], night_days: int = 0) -> dict[str, Any]:
    if night_days:  # 01:00-05:00 of the second night: across the 03:00 boundary or just after it
        start = min(1, night_days - 1) * 1440 + draw(st.integers(2, 8)) * 30
        end = start + 30 * draw(st.integers(1, 4))
    else:
        start, end = draw(inside_a_shift(workers))
    doc: dict[str, Any] = {"id": tid, "start": at(start), "end": at(end)}
    doc.update(draw(st.sampled_from(CREWS)))
    if draw(st.integers(0, 4)) == 0:
        doc["worker_ids"] = [draw(st.sampled_from([w["id"] for w in workers]))]
    return doc


@st.composite
def scenarios(draw: st.DrawFn, *, max_workers: int = 4, max_tasks: int = 6, days: int = 1,
              dense: bool = False, night: bool = False, min_tasks: int = 0) -> Scenario:
    """A valid small scenario (documents the contract refuses are discarded); `dense`: every shift within
    08:00-14:00, so tasks crowd each other and conflicts chain; `night`: shifts around the 03:00 day
    boundary (from 21:00 the evening before), so tasks of one operational day overlap the next day's."""
    n_workers = draw(st.integers(1, max_workers))
    ids = [f"w{i}" for i in range(1, n_workers + 1)]
    workers = [draw(worker_docs(wid, days, dense, night)) for wid in ids]
    n_tasks = draw(st.integers(min_tasks, max_tasks))
    tasks = [draw(task_docs(f"t{k}", workers, days if night else 0)) for k in range(1, n_tasks + 1)]
    doc = {"timezone": "UTC", "day_start": "03:00", "workers": workers, "tasks": tasks}
    try:
        sc = load_scenario(doc)
    except InvalidInput:
        assume(False)
        raise
    if draw(st.integers(0, 4)):
        # Mostly a feasible base (the interesting case for every query): keep the tasks that still fit.
        kept: list[Task] = []
        for t in sc.tasks:
            if brute.feasible(sc.with_tasks((*kept, t))):
                kept.append(t)
        sc = sc.with_tasks(tuple(kept))
    return sc


def dump_workers(sc: Scenario) -> list[dict[str, Any]]:
    """The scenario's workers as documents again (for `inside_a_shift`)."""
    return [{"id": w.id, "shifts": [{"start": s.start.replace(tzinfo=None).isoformat(),
                                     "end": s.end.replace(tzinfo=None).isoformat()} for s in w.shifts]}
            for w in sc.workers]
