"""The day as one document and as the contract's scenario (the offline solver on it answers exactly what
`GET /slots` answers), a worker's calendar as iCalendar (parsed back and compared), common free time,
and who could take a task now."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from service_kit import MSK, add_worker, assert_problem, at, book, take

A = "/api/v1"
DAY = "2026-11-23"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def crew_day(client: Any) -> Any:
    """Anna 09-13 (pattern), Boris 09-17, Vera 14-18 holding t3 14:30-15:30, night Nina 22-04 across 03:00;
    untaken t1 10-12 and t2 12-16 (the greedy trap) and a night task n1 02:00-03:30 (crosses 03:00)."""
    add_worker(client, "anna", ["install"])
    r = client.post(f"{A}/workers/anna/patterns", json={
        "start_time": "09:00", "length_minutes": 240, "rrule": "FREQ=DAILY", "valid_from": DAY,
        "valid_until": DAY})
    assert r.status_code == 201, r.json
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    add_worker(client, "vera", ["install"], (at("14:00"), at("18:00")))
    add_worker(client, "nina", [], (at("22:00"), at("04:00", "2026-11-24")))
    for tid, lo, hi, day in (("t1", "10:00", "12:00", DAY), ("t2", "12:00", "16:00", DAY),
                             ("t3", "14:30", "15:30", DAY), ("n1", "02:00", "03:30", "2026-11-24")):
        assert book(client, tid, at(lo, day), at(hi, day), "install" if tid != "n1" else None).status_code == 201
    assert take(client, "t3", "vera").status_code == 200
    return client


@pytest.mark.parametrize(("duration", "skill"), [(90, "install"), (60, None), (30, None)])
def test_offline_solver_on_the_day_scenario_answers_what_get_slots_answers(
        crew_day: Any, tmp_path: Path, duration: int, skill: str | None) -> None:
    doc = crew_day.get(f"{A}/days/{DAY}/scenario").json
    assert doc["timezone"] == "Europe/Moscow" and doc["day_start"] == "03:00"
    assert {t["id"] for t in doc["tasks"]} == {"t1", "t2", "t3", "n1"}
    path = tmp_path / "day.json"
    path.write_text(json.dumps(doc))
    args = [sys.executable, "-m", "solver", "slots", str(path), "--date", DAY, "--duration", str(duration),
            "--step", "15"] + (["--skill", skill] if skill else [])
    offline = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    query = {"date": DAY, "duration_minutes": duration, "step_minutes": 15} | ({"skill": skill} if skill else {})
    online = crew_day.get(f"{A}/slots", query_string=query).json
    assert json.loads(offline.stdout) == online
    assert online["feasible_base"] is True


def test_day_document(crew_day: Any) -> None:
    doc = crew_day.get(f"{A}/days/{DAY}").json
    assert doc["date"] == DAY and doc["start"] == f"{DAY}T03:00:00+03:00" and doc["end"] == "2026-11-24T03:00:00+03:00"
    assert [w["id"] for w in doc["workers"]] == ["anna", "boris", "nina", "vera"]
    anna = doc["workers"][0]
    assert anna["shifts"][0]["pattern_day"] == DAY and anna["shifts"][0]["pattern_id"] is not None
    assert anna["shift_minutes"] == 240
    nina = next(w for w in doc["workers"] if w["id"] == "nina")
    assert nina["shift_minutes"] == 5 * 60  # 22:00-03:00 inside the day; 03:00-04:00 belongs to the next
    # n1 starts at 02:00 on the 24th: still the 23rd's operational day.
    assert [(t["id"], t["worker_id"]) for t in doc["tasks"]] == [("t1", None), ("t2", None), ("t3", "vera"),
                                                                 ("n1", None)]
    # The stored witness is the guard's last proof: t1 must go to Anna for t2 to fit on Boris.
    assert doc["witness"] == {"n1": ["nina"], "t1": ["anna"], "t2": ["boris"]}
    assert nina["planned_minutes"] == 90 and nina["utilisation"] == round(90 / 300, 4)
    assert doc["utilisation"] == {"shift_minutes": 240 + 480 + 240 + 300, "task_minutes": 120 + 240 + 60 + 90,
                                  "ratio": round(510 / 1260, 4)}
    assert_problem(crew_day.get(f"{A}/days/2026-02-30"), 422, "date")
    assert_problem(crew_day.get(f"{A}/days/9999-12-31"), 422, "date")


def test_calendar_ics_parses_back_to_the_shifts_and_tasks(crew_day: Any) -> None:
    q = {"from": f"{DAY}T00:00", "to": "2026-11-25T00:00"}
    r = crew_day.get(f"{A}/workers/vera/calendar.ics", query_string=q)
    assert r.status_code == 200 and r.content_type.startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Moscow"]
    events = {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]),
                              e["DTSTART"].params["TZID"]) for e in cal.walk("VEVENT")}
    shift_id = crew_day.get(f"{A}/workers/vera/shifts").json[0]["id"]

    def msk(hh: int, mm: int = 0) -> datetime:
        return datetime(2026, 11, 23, hh, mm, tzinfo=MSK)

    assert events == {
        f"shift-{shift_id}@slot-planner": (msk(14), msk(18), "Shift", "Europe/Moscow"),
        "task-t3@slot-planner": (msk(14, 30), msk(15, 30), "Task t3 (install)", "Europe/Moscow"),
    }
    again = icalendar.Calendar.from_ical(crew_day.get(f"{A}/workers/vera/calendar.ics", query_string=q).data)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(events)


def test_calendar_uids_of_pattern_shifts_survive_rematerialisation(crew_day: Any) -> None:
    q = {"from": f"{DAY}T00:00", "to": "2026-11-25T00:00"}

    def uids() -> list[str]:
        cal = icalendar.Calendar.from_ical(crew_day.get(f"{A}/workers/anna/calendar.ics", query_string=q).data)
        return [str(e["UID"]) for e in cal.walk("VEVENT")]

    before = uids()
    assert len(before) == 1 and before[0].startswith("roster-")
    pid = crew_day.get(f"{A}/workers/anna/patterns").json[0]["id"]
    assert crew_day.patch(f"{A}/workers/anna/patterns/{pid}", json={"rrule": "FREQ=DAILY",
                                                                             "effective_from": DAY}).status_code == 200
    assert uids() == before
    assert_problem(crew_day.get(f"{A}/workers/nobody/calendar.ics"), 404)
    assert crew_day.get(f"{A}/workers/anna/calendar.ics").status_code == 200  # default: a week ago to the horizon
    assert_problem(crew_day.get(f"{A}/workers/anna/calendar.ics", query_string={"from": "2026-11-24T00:00",
                                                                                "to": "2026-11-23T00:00"}), 422, "to")


def test_free_time_ranks_windows_by_how_many_are_free(crew_day: Any) -> None:
    q = {"workers": "boris,vera", "from": f"{DAY}T08:00", "to": f"{DAY}T20:00", "duration_minutes": 30}
    r = crew_day.get(f"{A}/free-time", query_string=q)
    assert r.status_code == 200, r.json
    assert r.json["from"] == f"{DAY}T08:00:00+03:00" and r.json["to"] == f"{DAY}T20:00:00+03:00"
    assert r.json["workers"] == ["boris", "vera"] and r.json["duration_minutes"] == 30
    got = [(w["start"][11:16], w["end"][11:16], w["workers"]) for w in r.json["windows"]]
    # Boris 09-17 (holds nothing); Vera 14-18 minus t3 14:30-15:30.
    assert got == [("14:00", "14:30", ["boris", "vera"]), ("15:30", "17:00", ["boris", "vera"]),
                   ("09:00", "14:00", ["boris"]),
                   ("14:30", "15:30", ["boris"]), ("17:00", "18:00", ["vera"])]
    q["duration_minutes"] = 61
    assert [w["free"] for w in crew_day.get(f"{A}/free-time", query_string=q).json["windows"]] == [2, 1]
    assert_problem(crew_day.get(f"{A}/free-time", query_string={**q, "workers": "boris,ghost"}), 404)
    assert_problem(crew_day.get(f"{A}/free-time", query_string={**q, "duration_minutes": 0}), 422, "duration_minutes")


def test_availability_uses_the_solver_not_just_gaps(crew_day: Any) -> None:
    def available(lo: str, hi: str, skill: str | None = "install", day: str = DAY) -> list[str]:
        q = {"start": at(lo, day), "end": at(hi, day)} | ({"skill": skill} if skill else {})
        r = crew_day.get(f"{A}/availability", query_string=q)
        assert r.status_code == 200, r.json
        assert r.json["feasible_base"] is True and r.json["undecided"] == []
        return r.json["available"]

    # 09:00-10:00: Anna and Boris are both free, and either leaves t1/t2 coverable.
    assert available("09:00", "10:00") == ["anna", "boris"]
    # 12:00-13:00: Boris holds nothing then, but only he can cover t2 (12-16): the task on him strands
    # t2, so only Anna (t1 and t2 then go to Boris). A gap-only view would offer Boris too.
    assert available("12:00", "13:00") == ["anna"]
    # 16:00-17:00: Boris (after t2) and Vera (after t3).
    assert available("16:00", "17:00") == ["boris", "vera"]
    assert available("23:00", "23:30", None) == ["nina"]
    # Across 03:00: Nina must keep n1 (02:00-03:30, nobody else works at night).
    assert available("03:00", "04:00", None, "2026-11-24") == []
    assert available("03:30", "04:00", None, "2026-11-24") == ["nina"]
    assert_problem(crew_day.get(f"{A}/availability", query_string={"start": at("10:00"), "end": at("10:10")}),
                   422, "end")
