"""Property: with crews, holders and daily limits the engines give exactly the brute-force answer.

The brute force below reads the scenario *document* (JSON dicts) and applies the contract's v2
definition of "feasible" literally: every seat of every task gets a worker who fits it (inside one
shift, with the seat's skill), one worker per seat of a task, holders keep a seat of their task
(any seat whose skill they have), no worker has two overlapping tasks, and per worker and operational
day the tasks starting that day number at most `max_tasks` and last at most `max_minutes`. It tries
every set of workers for every task, so it imports nothing from the solver but the loader.

Scenarios: 3-4 workers (skills install / electric, a third of them limited), up to 6 tasks on a
30-minute grid in a 12-hour window either mid-day or across the 03:00 day boundary (so a task at
02:30 counts in the previous day), about a third of them crews of 2-3 seats, some seats held.
Queries: a one-seat task (with or without a skill) or a crew.
"""

from __future__ import annotations

import itertools
import os
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from solver import InvalidInput, find_slots, load_scenario, plan
from solver.checker import assignment_problems
from solver.domain import CrewEntry, SlotQuery, Status
from solver.options import SolverOptions

EXAMPLES = int(os.environ.get("SLOT_PLANNER_CREW_EXAMPLES", "60"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

DAY = date(2026, 11, 23)
DAY_START = time(3, 0)
GRID = timedelta(minutes=30)
WINDOW = 24  # grid units: 12 hours
SKILLS = ["install", "electric"]
CREWS: list[list[tuple[str | None, int]]] = [
    [("install", 2)], [("install", 1), ("electric", 1)], [(None, 2)], [("electric", 1), (None, 1)],
    [("install", 2), ("electric", 1)],
]
Doc = dict[str, Any]
Seat = str | None


# -- the brute force ----------------------------------------------------------------------------------------

def _at(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def op_day(instant: datetime) -> date:
    """The operational day in UTC with day_start 03:00: before 03:00 belongs to the day before."""
    local = instant.astimezone(UTC)
    return local.date() - timedelta(days=1) if local.time() < DAY_START else local.date()


def seats_of(task: Doc) -> list[Seat]:
    crew = task.get("crew")
    if crew is None:
        return [task.get("skill")]
    return [c.get("skill") for c in crew for _ in range(c["count"])]


def holders_of(task: Doc) -> list[str]:
    if task.get("worker_ids"):
        return list(task["worker_ids"])
    return [task["worker_id"]] if task.get("worker_id") else []


def seatable(people: list[str], seats: list[Seat], skills: dict[str, set[str]]) -> bool:
    """Some order of the seats gives each person one whose skill they have (tiny: <= 3 seats)."""
    return any(all(k is None or k in skills[p] for p, k in zip(people, perm, strict=False))
               for perm in itertools.permutations(seats, len(people)))


def brute_feasible(doc: Doc) -> bool:  # noqa: C901 -- the brute force stays one straight reading of the rules
    workers = {w["id"]: w for w in doc["workers"]}
    skills = {w["id"]: set(w.get("skills", [])) for w in doc["workers"]}
    shifts = {wid: [(_at(s["start"]), _at(s["end"])) for s in w["shifts"]] for wid, w in workers.items()}
    tasks = sorted(doc["tasks"], key=lambda t: (_at(t["start"]), t["id"]))
    spans = [(_at(t["start"]), _at(t["end"])) for t in tasks]
    held: dict[str, list[int]] = {wid: [] for wid in workers}

    def ok(wid: str) -> bool:
        mine = sorted(held[wid], key=lambda k: spans[k])
        if any(spans[b][0] < spans[a][1] for a, b in zip(mine, mine[1:], strict=False)):
            return False
        w = workers[wid]
        for day in {op_day(spans[k][0]) for k in mine}:
            ks = [k for k in mine if op_day(spans[k][0]) == day]
            minutes = sum((spans[k][1] - spans[k][0]) / timedelta(minutes=1) for k in ks)
            if w.get("max_tasks") is not None and len(ks) > w["max_tasks"]:
                return False
            if w.get("max_minutes") is not None and minutes > w["max_minutes"]:
                return False
        return True

    def go(k: int) -> bool:
        if k == len(tasks):
            return True
        t, (s, e) = tasks[k], spans[k]
        holders = holders_of(t)
        seats = seats_of(t)
        others = [wid for wid in workers if wid not in holders
                  and any(a <= s and e <= b for a, b in shifts[wid])]
        for extra in itertools.combinations(others, len(seats) - len(holders)):
            people = [*holders, *extra]
            if not seatable(people, seats, skills):
                continue
            for wid in people:
                held[wid].append(k)
            if all(ok(wid) for wid in people) and go(k + 1):
                return True
            for wid in people:
                held[wid].pop()
        return False

    return go(0)


def brute_slots(doc: Doc, duration: int, step: int, crew: list[tuple[Seat, int]]) -> tuple[bool, list[datetime]]:
    if not brute_feasible(doc):
        return False, []
    begin = datetime.combine(DAY, DAY_START, tzinfo=UTC)
    end = begin + timedelta(days=1)
    out = []
    s = begin
    while s + timedelta(minutes=duration) <= end:
        new = {"id": "__brute__", "start": s.isoformat(), "end": (s + timedelta(minutes=duration)).isoformat(),
               "crew": [{"skill": k, "count": n} for k, n in crew]}
        if brute_feasible({**doc, "tasks": [*doc["tasks"], new]}):
            out.append(s)
        s += timedelta(minutes=step)
    return True, out


# -- random valid scenarios ----------------------------------------------------------------------------------

def random_doc(rnd: random.Random, *, n_workers: tuple[int, int] = (3, 4), n_tasks: tuple[int, int] = (1, 5)) -> Doc:
    origin = datetime.combine(DAY, time(6, 0) if rnd.random() < 0.5 else time(18, 0), tzinfo=UTC)

    def at(unit: int) -> str:
        return (origin + unit * GRID).isoformat()

    workers = []
    for i in range(rnd.randint(*n_workers)):
        a = 0 if rnd.random() < 0.5 else rnd.randrange(0, 10)
        w: Doc = {"id": f"w{i}", "skills": sorted(rnd.sample(SKILLS, rnd.choice([0, 1, 1, 2, 2]))),
                  "shifts": [{"start": at(a), "end": at(min(WINDOW, a + rnd.randint(12, 24)))}]}
        if rnd.random() < 0.35:
            w["max_tasks"] = rnd.choice([None, 1, 2, 3])
            w["max_minutes"] = rnd.choice([None, 90, 150, 240])
        workers.append(w)
    tasks = []
    for k in range(rnd.randint(*n_tasks)):
        a = rnd.randrange(0, WINDOW - 2)
        t: Doc = {"id": f"t{k}", "start": at(a), "end": at(min(WINDOW, a + rnd.choice([1, 2, 3, 4])))}
        if rnd.random() < 0.3:
            t["crew"] = [{"skill": s, "count": n} for s, n in rnd.choice(CREWS)]
        else:
            t["skill"] = rnd.choice([None, None, *SKILLS])
        if rnd.random() < 0.3:
            n = rnd.randint(1, len(seats_of(t)))
            t["worker_ids"] = [w["id"] for w in rnd.sample(workers, n)]
        tasks.append(t)
    return {"timezone": "UTC", "day_start": "03:00", "workers": workers, "tasks": tasks}


def valid_doc(rnd: random.Random, **sizes: tuple[int, int]) -> Doc:
    """A random document whose holders break no rule: holders of named tasks are dropped until it loads."""
    doc = random_doc(rnd, **sizes)
    while True:
        try:
            load_scenario(doc)
            return doc
        except InvalidInput as exc:
            named = set(exc.ids)
            assert named, exc.message
            for t in doc["tasks"]:
                if t["id"] in named or any(h in named for h in holders_of(t)):
                    t.pop("worker_ids", None)


# -- the properties ------------------------------------------------------------------------------------------

@PROPERTY
@given(seed=st.integers(0, 10**9), duration=st.sampled_from([60, 90]),
       query_crew=st.sampled_from([None, "install", [("install", 1), ("electric", 1)], [(None, 2)]]))
def test_crew_slots_equal_brute_force(seed: int, duration: int, query_crew: Any) -> None:
    doc = valid_doc(random.Random(seed))
    sc = load_scenario(doc)
    if isinstance(query_crew, list):
        crew = query_crew
        query = SlotQuery(DAY, duration, 60, None, tuple(CrewEntry(k, n) for k, n in crew))
    else:
        crew = [(query_crew, 1)]
        query = SlotQuery(DAY, duration, 60, query_crew)
    feasible, expected = brute_slots(doc, duration, 60, crew)
    event("base feasible" if feasible else "base infeasible")
    event(f"slots: {'none' if not expected else 'some'}")
    event("limited" if any("max_tasks" in w for w in doc["workers"]) else "no limits")
    event("crews" if any("crew" in t for t in doc["tasks"]) else "no crews")
    event("holders" if any(holders_of(t) for t in doc["tasks"]) else "no holders")
    # The exact engine also without its depth-first searches (tiny models, small days), so CP-SAT's windows
    # and the construction of the base plan are checked too.
    for engine, options in (("exact", SolverOptions(verify=True)),
                            ("exact, CP-SAT windows", SolverOptions(verify=True, tiny_search=(0, 0), tiny_day=(0, 0))),
                            # Every start that needs a search left by the first pass for the second.
                            ("exact, two passes", SolverOptions(verify=True, first_pass_limit=0.0)),
                            ("naive", SolverOptions(engine="naive", verify=True))):
        ans = find_slots(sc, query, options)
        assert ans.undecided == [], engine
        assert ans.feasible_base is feasible, engine
        assert [s.start for s in ans.slots] == expected, engine
        assert bool(ans.uncovered) == (not feasible), engine


@settings(PROPERTY, max_examples=EXAMPLES * 2)
@given(seed=st.integers(0, 10**9))
@pytest.mark.parametrize("options", [SolverOptions(), SolverOptions(tiny_day=(0, 0))],
                         ids=["whole-day search first", "construction and windows"])
def test_crew_plan_equals_brute_force(seed: int, options: SolverOptions) -> None:
    doc = valid_doc(random.Random(seed))
    sc = load_scenario(doc)
    result = plan(sc, options)
    if brute_feasible(doc):
        assert result.status is Status.FEASIBLE
        assert assignment_problems(sc, result.assignment) == []
        assert set(result.assignment) == {t["id"] for t in doc["tasks"]}
        return
    assert result.status is Status.INFEASIBLE and result.uncovered and result.assignment == {}
    # Leaving the named tasks out makes the day feasible.
    named = set(result.uncovered)
    assert brute_feasible({**doc, "tasks": [t for t in doc["tasks"] if t["id"] not in named]})


# -- the brute force itself, on hand-worked cases ------------------------------------------------------------

def _w(wid: str, skills: list[str], a: str, b: str, **limits: int) -> Doc:
    return {"id": wid, "skills": skills, "shifts": [{"start": f"2026-11-23T{a}", "end": f"2026-11-23T{b}"}],
            **limits}


def _t(tid: str, a: str, b: str, **extra: Any) -> Doc:
    return {"id": tid, "start": f"2026-11-23T{a}", "end": f"2026-11-23T{b}", **extra}


def test_brute_force_needs_every_seat_and_distinct_workers() -> None:
    two = {"crew": [{"skill": "install", "count": 2}]}
    one_installer = {"workers": [_w("a", ["install"], "09:00", "17:00"), _w("b", [], "09:00", "17:00")],
                     "tasks": [_t("x", "10:00", "11:00", **two)]}
    assert not brute_feasible(one_installer)
    one_installer["workers"][1]["skills"] = ["install"]
    assert brute_feasible(one_installer)


def test_brute_force_counts_limits_per_operational_day() -> None:
    doc = {"workers": [{"id": "n", "skills": [], "max_tasks": 1,
                        "shifts": [{"start": "2026-11-23T20:00", "end": "2026-11-24T06:00"}]}],
           "tasks": [{"id": "late", "start": "2026-11-23T22:00", "end": "2026-11-23T23:00"},
                     {"id": "night", "start": "2026-11-24T02:30", "end": "2026-11-24T03:00"}]}
    assert not brute_feasible(doc)  # 02:30 is still the 23rd: two tasks that day
    doc["tasks"][1].update(start="2026-11-24T03:00", end="2026-11-24T03:30")
    assert brute_feasible(doc)
