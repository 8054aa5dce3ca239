"""A scenario sent to a solver process comes back exactly as it was (`solver.packing`): every field, and every
instant with its wall-clock fields, fold, offset and tzinfo, on days with daylight-saving changes too."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import packing
from solver.domain import CrewEntry, Scenario, Shift, Task, Worker

BERLIN = ZoneInfo("Europe/Berlin")
# Two zones equal as offsets but not in name: each must come back as itself.
ZONES = [UTC, BERLIN, timezone(timedelta(hours=3)), timezone(timedelta(hours=3), "MSK")]
# Around Berlin's fall-back (25 Oct 2026, 03:00 -> 02:00): 02:30 happens twice, told apart by fold.
ORIGIN = datetime(2026, 10, 25, 0, 0)  # noqa: DTZ001 -- wall-clock fields, zoned below


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    wall = ORIGIN + timedelta(minutes=draw(st.integers(0, 6 * 60)), microseconds=draw(st.sampled_from([0, 1, 999_999])))
    return wall.replace(tzinfo=draw(st.sampled_from(ZONES)), fold=draw(st.integers(0, 1)))


skills = st.one_of(st.none(), st.sampled_from(["install", "repair", "ü-skill"]))
ids = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=6)


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    crew = tuple(CrewEntry(skill, draw(st.integers(1, 3))) for skill in draw(st.lists(skills, max_size=3, unique=True)))
    return Task(draw(ids), draw(instants()), draw(instants()), draw(skills), draw(st.one_of(st.none(), ids)), crew,
                tuple(draw(st.lists(ids, max_size=2))))


@st.composite
def workers(draw: st.DrawFn) -> Worker:
    shifts = tuple(Shift(draw(instants()), draw(instants())) for _ in range(draw(st.integers(0, 3))))
    return Worker(draw(ids), draw(st.one_of(st.none(), st.text(max_size=5))),
                  frozenset(draw(st.lists(st.sampled_from(["install", "repair", "survey"])))), shifts,
                  draw(st.one_of(st.none(), st.integers(0, 9))), draw(st.one_of(st.none(), st.integers(0, 600))))


scenarios = st.builds(Scenario, st.sampled_from(["UTC", "Europe/Berlin"]), st.sampled_from([time(3), time(0, 30)]),
                      st.lists(workers(), max_size=4).map(tuple), st.lists(tasks(), max_size=6).map(tuple))


def instants_of(sc: Scenario) -> list[datetime]:
    return [*(x for w in sc.workers for s in w.shifts for x in (s.start, s.end)),
            *(x for t in sc.tasks for x in (t.start, t.end))]


@settings(max_examples=150, deadline=None)
@given(scenarios)
def test_a_packed_scenario_is_rebuilt_exactly(sc: Scenario) -> None:
    back = packing.rebuild(*packing.pack(sc))
    assert back == sc
    for a, b in zip(instants_of(sc), instants_of(back), strict=True):
        assert b.tzinfo is a.tzinfo
        assert (a.utcoffset(), a.tzname(), a.isoformat(), a.fold) == (b.utcoffset(), b.tzname(), b.isoformat(), b.fold)


def test_the_two_half_past_twos_of_a_fall_back_night_stay_apart() -> None:
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    second = first.replace(fold=1)
    sc = Scenario("Europe/Berlin", time(3), (Worker("w", shifts=(Shift(first, second),)),),
                  (Task("t", first, second, "install"),))
    back = pickle.loads(pickle.dumps(packing.rebuild(*packing.pack(sc))))
    shift, task = back.workers[0].shifts[0], back.tasks[0]
    assert (shift.start.fold, shift.end.fold, task.start.fold, task.end.fold) == (0, 1, 0, 1)
    assert task.end - task.start == timedelta(0)  # same zone: wall-clock difference, as for the originals
    assert task.end.astimezone(UTC) - task.start.astimezone(UTC) == timedelta(hours=1)
    assert task.start.utcoffset() == timedelta(hours=2) and task.end.utcoffset() == timedelta(hours=1)


def test_registered_pickling_uses_the_packed_form_and_keeps_what_post_init_filled_in() -> None:
    packing.register()
    sc = Scenario(tasks=(Task("t", datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 10, tzinfo=UTC),
                              "install", "w"),))
    data = pickle.dumps(sc)
    assert b"rebuild" in data
    back = pickle.loads(data)
    assert back == sc and back.tasks[0].crew == (CrewEntry("install", 1),) and back.tasks[0].holders == ("w",)


def test_every_field_of_the_dataclasses_is_carried() -> None:
    # A field added to Task, Worker or Scenario must be added to the packing too, or it would be lost.
    assert tuple(f.name for f in dataclasses.fields(Task)) == packing.TASK_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Worker)) == packing.WORKER_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Scenario)) == packing.SCENARIO_FIELDS
    assert tuple(f.name for f in dataclasses.fields(Shift)) == ("start", "end")
    assert tuple(f.name for f in dataclasses.fields(CrewEntry)) == ("skill", "count")
