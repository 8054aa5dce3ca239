"""`api.guides`: what a slot query learned is kept in the database for the next query of the same day,
length and crew, whichever process asks; a query starts from the guides kept last; a query that learned
nothing keeps the older guides; rows not rewritten for `KEEP_SECONDS` go; SLOT_GUIDES 0 keeps nothing; a
failure to keep them does not fail the query. (That guides never change an answer is specified in
tests/solver/test_slot_guides.py and, over HTTP, in test_slots_and_what_if.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.types.json import Jsonb

from api import create_app, day_slots, guides
from api.config import calendar
from api.day_slots import DaySlots
from api.db import close_pool, unit_of_work
from solver.domain import CrewEntry, Guides, SlotAnswer, SlotQuery
from solver.options import SolverOptions
from tests.api.service_kit import add_worker, assert_day_feasible, assert_problem, at, book, dump

DAY = date(2026, 11, 23)
QUERY = SlotQuery(DAY, 60, 15)


def _guides(tag: str) -> Guides:
    return Guides({"t": (tag,), "crew": (tag, "w-2")},
                  {datetime(2026, 11, 23, 9, tzinfo=UTC): {"t": (tag,)},
                   datetime(2026, 11, 23, 12, 30, tzinfo=UTC) + timedelta(hours=3): {"crew": ("w-9", tag)}},
                  {datetime(2026, 11, 23, 9, tzinfo=UTC): ("w-3",)},
                  frozenset({datetime(2026, 11, 23, 9, tzinfo=UTC)}))


def _read(app: Any, query: SlotQuery) -> Guides | None:
    with app.app_context(), unit_of_work() as conn:
        return guides.stored(conn, query)


def _keep(app: Any, query: SlotQuery, kept: Guides) -> None:
    with app.app_context(), unit_of_work() as conn:
        guides.store(conn, query, kept)


def _answer(app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch, learned: Guides | None,
            query: SlotQuery = QUERY) -> list[Guides | None]:
    """What a solver process runs for a slot query about the database (`api.day_slots.answer`, inline here), with
    the engine answering at once and having learned `learned`; the guides it was given."""
    given: list[Guides | None] = []

    def solved(scenario: Any, query: SlotQuery, options: Any, *, witness: Any, guides: Guides | None) -> SlotAnswer:
        given.append(guides)
        return SlotAnswer(query, True, [], [], [], guides=learned)

    monkeypatch.setattr(day_slots, "find_slots", solved)
    with app.app_context():
        job = DaySlots(database_url, 5.0, calendar(), query, SolverOptions(budget=10.0), guides.enabled())
    assert day_slots.answer(job).doc["feasible_base"] is True
    return given


def test_guides_round_trip_through_json() -> None:
    assert guides.load(guides.dump(_guides("a"))) == _guides("a")
    older = {k: v for k, v in guides.dump(_guides("a")).items() if k not in {"new", "cheap"}}  # as kept before
    assert guides.load(older) == Guides(_guides("a").base, _guides("a").plans)  # "new" and "cheap" existed
    assert guides.load({"base": {}, "plans": {"not a time": {}}}) is None  # a foreign row: no hint, no error
    assert guides.load("junk") is None


def test_another_process_reads_what_one_kept_and_learning_nothing_keeps_it(
        app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _keep(app, QUERY, _guides("a"))
    _answer(app, database_url, monkeypatch, None)  # a query that learned nothing
    other = create_app({"TESTING": True, "DATABASE_URL": database_url})  # as another gunicorn worker
    try:
        assert _read(other, QUERY) == _guides("a")
        assert _read(other, SlotQuery(DAY, 60, 30)) == _guides("a")  # any step
        _keep(other, SlotQuery(DAY, 60, 30), _guides("b"))
    finally:
        close_pool(other)
    assert _read(app, QUERY) == _guides("b")


def test_queries_share_guides_by_day_length_and_crew() -> None:
    assert guides.seats_key(SlotQuery(DAY, 60, 15)) == "*:1"
    assert guides.seats_key(SlotQuery(DAY, 60, 15, "install")) == "install:1"
    assert guides.seats_key(SlotQuery(DAY, 60, 15, None, (CrewEntry("install", 2), CrewEntry(None, 1)))) \
        == "install:2,*:1"


def test_other_days_lengths_and_crews_have_their_own(app: Any) -> None:
    _keep(app, QUERY, _guides("a"))
    assert _read(app, SlotQuery(DAY + timedelta(days=1), 60, 15)) is None
    assert _read(app, SlotQuery(DAY, 90, 15)) is None
    assert _read(app, SlotQuery(DAY, 60, 15, "install")) is None


def test_rows_not_rewritten_for_keep_seconds_go(app: Any, database_url: str) -> None:
    _keep(app, QUERY, _guides("old"))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE slot_guides SET updated_at = now() - make_interval(secs => %s)",
                     (guides.KEEP_SECONDS + 60,))
    _keep(app, SlotQuery(DAY, 90, 15), _guides("new"))  # any write prunes
    assert _read(app, QUERY) is None
    assert _read(app, SlotQuery(DAY, 90, 15)) == _guides("new")


def test_slot_guides_zero_keeps_and_reads_nothing(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    off = create_app({"TESTING": True, "DATABASE_URL": database_url, "SLOT_GUIDES": 0})
    try:
        assert _answer(off, database_url, monkeypatch, _guides("a")) == [None]
        with psycopg.connect(database_url) as conn:
            assert conn.execute("SELECT count(*) FROM slot_guides").fetchone() == (0,)
            conn.execute("INSERT INTO slot_guides (day, duration_minutes, seats, guides) VALUES (%s, 60, '*:1', %s)",
                         (DAY, Jsonb(guides.dump(_guides("a")))))
        assert _answer(off, database_url, monkeypatch, None) == [None]
    finally:
        close_pool(off)


def test_a_failure_to_keep_them_is_logged_not_raised(app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    def refused(*_: Any) -> None:
        raise psycopg.OperationalError("the database went away")

    monkeypatch.setattr(guides, "store", refused)
    _answer(app, database_url, monkeypatch, _guides("a"))  # answers all the same
    assert "slot guides not stored" in caplog.text


@pytest.mark.parametrize("on", [True, False])
def test_a_slot_query_starts_from_the_guides_kept_last_and_keeps_what_it_learned(
        app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """What a solver process runs for a slot query about the database (`api.day_slots.answer`, once the query
    has its turn: test_flights shows the day is read then) reads the guides kept last, in the day's snapshot,
    and keeps what it learned; with guides off it does neither."""
    _keep(app, QUERY, _guides("kept by the query before"))
    app.config["SLOT_GUIDES"] = int(on)
    given = _answer(app, database_url, monkeypatch, _guides("learned"))
    assert given == [_guides("kept by the query before") if on else None]
    assert _read(app, QUERY) == _guides("learned" if on else "kept by the query before")


MSK = ZoneInfo("Europe/Moscow")
INSTALL_HOUR = SlotQuery(DAY, 60, 15, "install")  # the guides a booking of one install hour on DAY reads


def _msk(hhmm: str) -> datetime:
    return datetime.combine(DAY, time.fromisoformat(hhmm), tzinfo=MSK)


def test_a_booking_reads_the_plan_the_slot_query_kept_for_its_start_as_moves_onto_the_stored_plan(app: Any) -> None:
    kept = Guides({"t1": ("anna",)}, {_msk("11:00"): {"t1": ("boris",)}}, {_msk("11:00"): ("anna",)})
    _keep(app, INSTALL_HOUR, kept)
    with app.app_context(), unit_of_work() as conn:
        def moves(start: str, skill: str | None = "install", minutes: int = 60) -> Any:
            begin = _msk(start)
            kept = guides.booking_plan(conn, DAY, begin, begin + timedelta(minutes=minutes), skill, None)
            return None if kept is None else kept.with_task("t9")
        assert moves("11:00") == {"t1": ["boris"], "t9": ["anna"]}
        assert moves("12:00") is None  # no plan kept for that start (it was free in the day's plan)
        assert moves("11:00", skill=None) is None  # another crew's queries: other guides
        assert moves("11:00", minutes=90) is None
        assert moves("11:00", minutes=5) is None  # no slot query asks for that: no guides, no error
        app.config["SLOT_GUIDES"] = 0
        assert moves("11:00") is None


def test_a_kept_plan_never_changes_a_bookings_verdict(app: Any, client: Any, database_url: str) -> None:
    """Anna 09-13 and Boris 09-17 (install); t2 11-15 needs Boris, t1 10-12 takes Anna. A third install hour at
    11:00 strands a task: made-up guides saying it fits (t1 to Boris, the new task to Anna) leave it refused
    and the database as it was; at 15:00 it fits (Boris is free from 15:00), whatever guides claim (t2 and the
    new task on Anna, off shift)."""
    add_worker(client, "anna", ["install"], (at("09:00"), at("13:00")))
    add_worker(client, "boris", ["install"], (at("09:00"), at("17:00")))
    assert book(client, "t2", at("11:00"), at("15:00"), "install").status_code == 201
    assert book(client, "t1", at("10:00"), at("12:00"), "install").status_code == 201
    _keep(app, INSTALL_HOUR, Guides({}, {_msk("11:00"): {"t1": ("boris",)}, _msk("15:00"): {"t2": ("anna",)}},
                                    {_msk("11:00"): ("anna",), _msk("15:00"): ("anna",)}))
    before = dump(database_url)
    body = assert_problem(book(client, "t3", at("11:00"), at("12:00"), "install"), 409)
    assert body["uncovered"]
    assert dump(database_url) == before
    assert book(client, "t4", at("15:00"), at("16:00"), "install").status_code == 201
    assert_day_feasible(database_url)
