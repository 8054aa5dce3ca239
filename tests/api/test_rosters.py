"""Roster patterns and one-day overrides over HTTP, against the real database: they write ordinary
shifts, and changing or deleting them goes through the same guard as removing a shift by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from service_kit import MSK, add_worker, assert_day_feasible, assert_problem, at, book, dump, take

A = "/api/v1"
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
WEEK = "2026-11-23"  # a Monday; the test service runs in Europe/Moscow with the day starting 03:00


def pattern(client: Any, wid: str, **body: Any) -> Any:
    body = {"start_time": "08:00", "length_minutes": 540, "rrule": WEEKDAYS, "valid_from": WEEK,
            "valid_until": "2026-11-29", **body}
    return client.post(f"{A}/workers/{wid}/patterns", json=body)


def shifts(client: Any, wid: str) -> list[tuple[str, str]]:
    r = client.get(f"{A}/workers/{wid}/shifts")
    assert r.status_code == 200, r.json
    return [(s["start"], s["end"]) for s in r.json]


def msk(day: str, hhmm: str) -> str:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=MSK).isoformat()


def test_weekdays_pattern_writes_one_shift_per_weekday(client: Any) -> None:
    add_worker(client, "anna", ["install"])
    r = pattern(client, "anna")
    assert r.status_code == 201, r.json
    assert r.json["rrule"] == WEEKDAYS and r.json["skipped"] == [] and r.json["overrides"] == []
    days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]
    assert shifts(client, "anna") == [(msk(d, "08:00"), msk(d, "17:00")) for d in days]
    assert [p["id"] for p in client.get(f"{A}/workers/anna/patterns").json] == [r.json["id"]]
    assert client.get(f"{A}/workers/anna/patterns/{r.json['id']}").json["start_time"] == "08:00"


def test_materialising_again_changes_nothing(client: Any, database_url: str) -> None:
    add_worker(client, "anna", [])
    pid = pattern(client, "anna").json["id"]
    before = dump(database_url)["shifts"]
    r = client.patch(f"{A}/workers/anna/patterns/{pid}", json={"rrule": WEEKDAYS, "effective_from": WEEK})
    assert r.status_code == 200, r.json
    assert dump(database_url)["shifts"] == before  # same rows, same ids


def test_rolling_horizon_bounds_an_open_pattern(app: Any, client: Any) -> None:
    add_worker(client, "anna", [])
    today = datetime.now(MSK).date()
    r = pattern(client, "anna", rrule="FREQ=DAILY", valid_from=today.isoformat(), valid_until=None)
    assert r.status_code == 201, r.json
    last = today + timedelta(days=app.config["ROSTER_HORIZON_DAYS"] - 1)
    assert r.json["materialised_until"] == last.isoformat()
    got = shifts(client, "anna")
    assert len(got) == app.config["ROSTER_HORIZON_DAYS"]
    assert got[-1][0] == msk(last.isoformat(), "08:00")


def test_night_pattern_crosses_midnight_and_the_day_boundary(client: Any) -> None:
    add_worker(client, "nina", [])
    r = pattern(client, "nina", start_time="20:00", length_minutes=480, rrule="FREQ=DAILY;COUNT=2")
    assert r.status_code == 201, r.json
    assert shifts(client, "nina") == [(msk("2026-11-23", "20:00"), msk("2026-11-24", "04:00")),
                                      (msk("2026-11-24", "20:00"), msk("2026-11-25", "04:00"))]
    # A task 02:30-03:30 on the night crosses the 03:00 boundary and is served by the pattern's shift.
    assert book(client, "night", at("02:30", "2026-11-24"), at("03:30", "2026-11-24")).status_code == 201


def test_pattern_in_its_own_zone_keeps_wall_clock_over_dst(client: Any) -> None:
    add_worker(client, "bert", [])
    r = pattern(client, "bert", rrule="FREQ=DAILY", start_time="20:00", length_minutes=480,
                valid_from="2026-03-28", valid_until="2026-03-28", timezone="Europe/Berlin")
    assert r.status_code == 201, r.json
    [(start, end)] = shifts(client, "bert")
    berlin = ZoneInfo("Europe/Berlin")
    assert datetime.fromisoformat(start) == datetime(2026, 3, 28, 20, tzinfo=berlin)
    assert datetime.fromisoformat(end) == datetime(2026, 3, 29, 4, tzinfo=berlin)
    assert datetime.fromisoformat(end) - datetime.fromisoformat(start) == timedelta(hours=7)


def test_pattern_shift_overlapping_a_hand_made_shift_is_skipped_and_reported(client: Any) -> None:
    add_worker(client, "anna", [], (at("07:00", "2026-11-25"), at("09:00", "2026-11-25")))
    r = pattern(client, "anna")
    assert r.status_code == 201 and r.json["skipped"] == ["2026-11-25"]
    assert len(shifts(client, "anna")) == 5  # 4 from the pattern + the hand-made one


def test_changing_a_pattern_that_would_strand_a_task_is_refused_and_changes_nothing(
        client: Any, database_url: str) -> None:
    add_worker(client, "anna", [])
    pid = pattern(client, "anna").json["id"]
    assert book(client, "late", at("15:30", "2026-11-25"), at("16:30", "2026-11-25")).status_code == 201
    assert take(client, "late", "anna").status_code == 200
    before = dump(database_url)
    body = assert_problem(client.patch(f"{A}/workers/anna/patterns/{pid}", json={"length_minutes": 420,
                                                                            "effective_from": WEEK}), 409)
    assert body["uncovered"] == ["late"]
    assert dump(database_url) == before
    # An untaken task only Anna could do strands the same way; another worker lets it through.
    r = client.patch(f"{A}/workers/anna/patterns/{pid}", json={"rrule": "FREQ=WEEKLY;BYDAY=MO,TU",
                                                                "effective_from": WEEK})
    assert assert_problem(r, 409)["uncovered"] == ["late"]
    add_worker(client, "boris", [], (at("15:00", "2026-11-25"), at("18:00", "2026-11-25")))
    assert client.post("/api/v1/tasks/late/release").status_code == 200
    r = client.patch(f"{A}/workers/anna/patterns/{pid}", json={"rrule": "FREQ=WEEKLY;BYDAY=MO,TU",
                                                                "effective_from": WEEK})
    assert r.status_code == 200, r.json
    assert len(shifts(client, "anna")) == 2
    assert_day_feasible(database_url)


def test_deleting_a_pattern_goes_through_the_guard(client: Any, database_url: str) -> None:
    add_worker(client, "anna", ["install"])
    pid = pattern(client, "anna").json["id"]
    assert book(client, "t1", at("10:00", "2026-11-24"), at("12:00", "2026-11-24"), "install").status_code == 201
    before = dump(database_url)
    body = assert_problem(client.delete(f"{A}/workers/anna/patterns/{pid}"), 409)
    assert body["uncovered"] == ["t1"] and body["tasks"] == ["t1"]
    assert dump(database_url) == before
    assert client.delete("/api/v1/tasks/t1").status_code == 204
    assert client.delete(f"{A}/workers/anna/patterns/{pid}").status_code == 204
    assert shifts(client, "anna") == []
    assert client.get(f"{A}/workers/anna/patterns/{pid}").status_code == 404


def test_slots_on_a_pattern_day_equal_slots_on_the_same_day_made_by_hand(client: Any) -> None:
    add_worker(client, "anna", ["install"])
    add_worker(client, "boris", ["install"], (at("08:00", "2026-11-26"), at("17:00", "2026-11-26")))
    assert pattern(client, "anna").status_code == 201
    for tid, lo, hi in (("t1", "09:00", "12:00"), ("t2", "10:00", "13:00"), ("t3", "13:00", "16:00")):
        assert book(client, tid, at(lo, "2026-11-26"), at(hi, "2026-11-26"), "install").status_code == 201
    q = {"date": "2026-11-26", "duration_minutes": 90, "step_minutes": 30, "skill": "install"}
    from_pattern = client.get(f"{A}/slots", query_string=q).json
    scenario = {"timezone": "Europe/Moscow", "day_start": "03:00", "workers": [
        {"id": w, "skills": ["install"], "shifts": [{"start": at("08:00", "2026-11-26"),
                                                     "end": at("17:00", "2026-11-26")}]} for w in ("anna", "boris")],
        "tasks": [{"id": t, "start": at(lo, "2026-11-26"), "end": at(hi, "2026-11-26"), "skill": "install"}
                  for t, lo, hi in (("t1", "09:00", "12:00"), ("t2", "10:00", "13:00"), ("t3", "13:00", "16:00"))]}
    by_hand = client.post(f"{A}/what-if/slots", json={"scenario": scenario, **q}).json
    assert from_pattern == by_hand
    assert from_pattern["slots"]  # the comparison is not vacuous


# --- overrides ---------------------------------------------------------------------------------------------


def test_override_shorter_day_day_off_swap_and_back(client: Any, database_url: str) -> None:
    add_worker(client, "anna", [])
    pid = pattern(client, "anna").json["id"]
    url = f"{A}/workers/anna/patterns/{pid}/overrides"
    r = client.put(f"{url}/2026-11-24", json={"start_time": "08:00", "length_minutes": 240})
    assert r.status_code == 200, r.json
    assert r.json["overrides"] == [{"date": "2026-11-24", "off": False, "start_time": "08:00",
                                    "length_minutes": 240}]
    assert (msk("2026-11-24", "08:00"), msk("2026-11-24", "12:00")) in shifts(client, "anna")
    assert client.put(f"{url}/2026-11-25", json={"off": True}).status_code == 200
    assert client.put(f"{url}/2026-11-28", json={"start_time": "10:00", "length_minutes": 300}).status_code == 200
    starts = [s for s, _ in shifts(client, "anna")]
    assert starts == [msk(d, t) for d, t in (("2026-11-23", "08:00"), ("2026-11-24", "08:00"),
                                             ("2026-11-26", "08:00"), ("2026-11-27", "08:00"),
                                             ("2026-11-28", "10:00"))]
    assert client.delete(f"{url}/2026-11-25").status_code == 200
    assert (msk("2026-11-25", "08:00"), msk("2026-11-25", "17:00")) in shifts(client, "anna")
    assert_problem(client.delete(f"{url}/2026-11-25"), 404)


def test_override_that_would_strand_a_task_is_refused(client: Any, database_url: str) -> None:
    add_worker(client, "anna", [])
    pid = pattern(client, "anna").json["id"]
    assert book(client, "t1", at("14:00", "2026-11-24"), at("15:00", "2026-11-24")).status_code == 201
    before = dump(database_url)
    url = f"{A}/workers/anna/patterns/{pid}/overrides/2026-11-24"
    assert assert_problem(client.put(url, json={"off": True}), 409)["uncovered"] == ["t1"]
    r = client.put(url, json={"start_time": "08:00", "length_minutes": 300})
    assert assert_problem(r, 409)["uncovered"] == ["t1"]
    assert dump(database_url) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"off": True, "start_time": "08:00"}, "off"),
    ({"start_time": "08:00"}, "start_time"),
    ({"start_time": "08:00", "length_minutes": 0}, "length_minutes"),
    ({"start_time": "8am", "length_minutes": 60}, "start_time"),
])
def test_invalid_overrides_name_the_field(client: Any, body: dict, field: str) -> None:
    add_worker(client, "anna", [])
    pid = pattern(client, "anna").json["id"]
    assert_problem(client.put(f"{A}/workers/anna/patterns/{pid}/overrides/2026-11-24", json=body), 422, field)
    assert_problem(client.put(f"{A}/workers/anna/patterns/{pid}/overrides/2026-13-01", json={"off": True}), 422,
                   "date")


# --- invalid patterns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
    ({"rrule": "FREQ=WEEKLY;BYDAY=MO,XX"}, "rrule"),
    ({"rrule": "FREQ=DAILY;UNTIL=20261101"}, "rrule"),  # UNTIL before valid_from
    ({"length_minutes": 0}, "length_minutes"),
    ({"length_minutes": 24 * 60 + 1}, "length_minutes"),
    ({"length_minutes": "60"}, "length_minutes"),
    ({"start_time": "25:00"}, "start_time"),
    ({"valid_until": "2026-11-01"}, "valid_until"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_patterns_are_422_naming_the_field(client: Any, database_url: str, body: dict, field: str) -> None:
    add_worker(client, "anna", [])
    before = dump(database_url)
    assert_problem(pattern(client, "anna", **body), 422, field)
    assert dump(database_url) == before


def test_unknown_worker_or_pattern_is_404(client: Any) -> None:
    assert_problem(pattern(client, "nobody"), 404)
    add_worker(client, "anna", [])
    assert_problem(client.get(f"{A}/workers/anna/patterns/99"), 404)
    assert_problem(client.patch(f"{A}/workers/anna/patterns/99", json={"length_minutes": 60}), 404)
    assert_problem(client.delete(f"{A}/workers/anna/patterns/99"), 404)


def test_openapi_documents_the_presets(client: Any) -> None:
    spec = client.get("/openapi.json").get_data(as_text=True)
    assert "every other weekend: FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU" in spec
    assert "weekdays: FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" in spec


def test_materialise_command_rolls_the_horizon_forward(app: Any, client: Any) -> None:
    """Tomorrow's horizon reaches one day further: simulated by a longer horizon, then the daily command."""
    add_worker(client, "anna", [])
    today = datetime.now(MSK).date()
    assert pattern(client, "anna", rrule="FREQ=DAILY", valid_from=today.isoformat(), valid_until=None,
                   ).status_code == 201
    before = len(shifts(client, "anna"))
    app.config["ROSTER_HORIZON_DAYS"] += 3
    result = app.test_cli_runner().invoke(args=["rosters", "materialise"])
    assert result.exit_code == 0, result.output
    assert "3 shift(s) written" in result.output
    assert len(shifts(client, "anna")) == before + 3
    again = app.test_cli_runner().invoke(args=["rosters", "materialise"])
    assert "0 shift(s) written" in again.output


def test_a_change_leaves_days_before_effective_from_alone(client: Any) -> None:
    """By default a change applies from today: the shifts of earlier days are history and stay as they were."""
    add_worker(client, "anna", [])
    today = datetime.now(MSK).date()
    first = today - timedelta(days=2)
    pid = pattern(client, "anna", rrule="FREQ=DAILY", valid_from=first.isoformat(),
                  valid_until=(today + timedelta(days=1)).isoformat()).json["id"]
    r = client.patch(f"{A}/workers/anna/patterns/{pid}", json={"start_time": "09:00"})
    assert r.status_code == 200, r.json
    days = [first + timedelta(days=i) for i in range(4)]
    assert [s for s, _ in shifts(client, "anna")] == [msk(d.isoformat(), "08:00") for d in days[:2]] + [
        msk(d.isoformat(), "09:00") for d in days[2:]]
    r = client.patch(f"{A}/workers/anna/patterns/{pid}", json={"effective_from": first.isoformat()})
    assert r.status_code == 200, r.json
    assert [s for s, _ in shifts(client, "anna")] == [msk(d.isoformat(), "09:00") for d in days]
