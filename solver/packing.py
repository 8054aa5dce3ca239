"""How a scenario crosses a process boundary: pickled as flat tuples of plain values, rebuilt exactly.

The service sends every solver call's scenario to a solver process (`api.solver_processes`). Pickled field by
field, a 1,300-task day is ~250 KB of small objects: ~15 ms to pickle in the request thread (holding its
worker's GIL) and ~10 ms to unpickle, on each of the ~1,000 solver calls of a load-test run. As flat tuples
(each instant an integer of microseconds, its fold and the index of its tzinfo in a table of the distinct
ones) it is ~95 KB and about half the time both ways.

Exact: each datetime comes back with the same wall-clock fields, fold and tzinfo (pickled once per distinct
tzinfo), so it compares, hashes, prints and does arithmetic as the original; every other field is a plain
value or a tuple of them. Task, Worker and Scenario are rebuilt with the values they hold after their
`__post_init__` (a task's crew and holders already filled in), so it is not run again.
`register()` installs this for `pickle` in the process that sends; the process that receives needs nothing
(the pickle names `rebuild`). tests/solver/test_packing.py checks the round trip; that every field of the
dataclasses is carried is checked when this module loads.
"""

from __future__ import annotations

import copyreg
import dataclasses
from datetime import datetime, timedelta, tzinfo
from typing import Any

from solver.domain import CrewEntry, Scenario, Shift, Task, Worker

_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 -- naive on purpose: wall-clock fields as a number
_US = timedelta(microseconds=1)

# The fields carried, in order (the test compares them with the dataclasses' own).
TASK_FIELDS = ("id", "start", "end", "skill", "worker_id", "crew", "holders")
WORKER_FIELDS = ("id", "name", "skills", "shifts", "max_tasks", "max_minutes")
SCENARIO_FIELDS = ("timezone", "day_start", "workers", "tasks")

# Changing one of these dataclasses must change `pack` and `rebuild` too: checked when this module loads.
for _cls, _carried in ((Task, TASK_FIELDS), (Worker, WORKER_FIELDS), (Scenario, SCENARIO_FIELDS),
                       (Shift, ("start", "end")), (CrewEntry, ("skill", "count"))):
    if tuple(f.name for f in dataclasses.fields(_cls)) != _carried:
        raise ImportError(f"solver.packing does not carry the fields of {_cls.__name__} as they are now")

Instant = tuple[int, int, int]  # microseconds of the wall-clock fields since 1970-01-01, fold, tzinfo index


def pack(scenario: Scenario) -> tuple[Any, ...]:
    """`scenario` as flat tuples of plain values (`rebuild`'s argument)."""
    zones: list[tzinfo | None] = []
    index: dict[int, int] = {}  # id(tzinfo) -> its place in `zones` (by identity: equal zones may differ in name)

    def instant(value: datetime) -> Instant:
        zone = index.get(id(value.tzinfo))
        if zone is None:
            zone = index[id(value.tzinfo)] = len(zones)
            zones.append(value.tzinfo)
        return (value.replace(tzinfo=None) - _EPOCH) // _US, value.fold, zone

    workers = tuple((w.id, w.name, tuple(sorted(w.skills)), tuple((instant(s.start), instant(s.end)) for s in w.shifts),
                     w.max_tasks, w.max_minutes) for w in scenario.workers)
    tasks = tuple((t.id, instant(t.start), instant(t.end), t.skill, t.worker_id,
                   tuple((c.skill, c.count) for c in t.crew), t.holders) for t in scenario.tasks)
    return scenario.timezone, scenario.day_start, tuple(zones), workers, tasks


def rebuild(timezone: str, day_start: Any, zones: tuple[tzinfo | None, ...], workers: tuple[Any, ...],
            tasks: tuple[Any, ...]) -> Scenario:
    """`pack`'s inverse."""
    instants: dict[Instant, datetime] = {}

    def instant(packed: Instant) -> datetime:
        found = instants.get(packed)
        if found is None:
            micros, fold, zone = packed
            found = instants[packed] = (_EPOCH + micros * _US).replace(tzinfo=zones[zone], fold=fold)
        return found

    crews: dict[tuple[tuple[str | None, int], ...], tuple[CrewEntry, ...]] = {}

    def crew(entries: tuple[tuple[str | None, int], ...]) -> tuple[CrewEntry, ...]:
        found = crews.get(entries)
        if found is None:
            found = crews[entries] = tuple(CrewEntry(skill, count) for skill, count in entries)
        return found

    new = object.__new__
    built: list[Task] = []
    for task_id, start, end, skill, worker_id, entries, holders in tasks:
        task = new(Task)
        task.__dict__.update(id=task_id, start=instant(start), end=instant(end), skill=skill, worker_id=worker_id,
                             crew=crew(entries), holders=holders)
        built.append(task)
    return Scenario(timezone, day_start,
                    tuple(Worker(w_id, name, frozenset(skills), tuple(Shift(instant(s), instant(e)) for s, e in shifts),
                                 max_tasks, max_minutes)
                          for w_id, name, skills, shifts, max_tasks, max_minutes in workers),
                    tuple(built))


def _reduce(scenario: Scenario) -> tuple[Any, tuple[Any, ...]]:
    return rebuild, pack(scenario)


def register() -> None:
    """Pickle every `Scenario` of this process as `pack` does (idempotent)."""
    copyreg.pickle(Scenario, _reduce)
