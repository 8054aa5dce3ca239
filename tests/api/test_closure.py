"""The overlap closure a check or a slot query reads (api.repository.read_closure): read round by round,
each round reading only what the windows grew by, it must equal the closure computed from every row at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import psycopg
from hypothesis import given
from hypothesis import strategies as st

from api import queries as q
from api import repository as repo
from solver.calendar import OperationalCalendar
from tests.api.service_kit import add_worker, at, book, take

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
windows = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=6).map(
    lambda pairs: repo.merge((EPOCH + timedelta(minutes=a), EPOCH + timedelta(minutes=a + n)) for a, n in pairs))


@given(windows, windows)
def test_the_uncovered_pieces_are_exactly_the_minutes_outside_the_covered_windows(
        wins: list[tuple[datetime, datetime]], covered: list[tuple[datetime, datetime]]) -> None:
    def minutes(ws: list[tuple[datetime, datetime]]) -> set[datetime]:
        return {lo + timedelta(minutes=i) for lo, hi in ws for i in range(int((hi - lo).total_seconds() // 60))}

    pieces = repo._uncovered(wins, covered)
    assert minutes(pieces) == minutes(wins) - minutes(covered)
    assert all(lo < hi for lo, hi in pieces)


def _closure_from_everything(conn: psycopg.Connection, cal: OperationalCalendar,
                             start: list[tuple[datetime, datetime]]) -> repo.Snapshot:
    """The fixpoint by its definition, over every row of the tables."""
    all_tasks = repo._all(conn, q.TaskRow, f"SELECT {q._TASK_COLS} FROM {q._TASK_FROM}")
    all_shifts = repo._all(conn, q.ShiftRow, "SELECT id, worker_id, period FROM shifts")
    everyone = {w.id: w for w in repo._all(conn, q.WorkerRow, q.GET_WORKERS, {"ids": [
        *{s.worker_id for s in all_shifts}, *{w for t in all_tasks for w in t.worker_ids}]})}

    def meets(period: Any, wins: list[tuple[datetime, datetime]]) -> bool:
        return any(period.lower < hi and lo < period.upper for lo, hi in wins)

    wins = repo.merge(start)
    while True:
        tasks = [t for t in all_tasks if meets(t.period, wins)]
        shifts = [s for s in all_shifts if meets(s.period, wins)]
        workers = {k: w for k, w in everyone.items()
                   if k in {s.worker_id for s in shifts} | {h for t in tasks for h in t.worker_ids}}
        grown = repo.merge([*wins, *(t.window for t in tasks), *repo._limited_days(cal, tasks, shifts, workers)])
        if grown == wins:
            return repo.Snapshot(wins, tasks, shifts, workers)
        wins = grown


def test_a_closure_grown_over_three_days_by_a_night_task_and_a_limit_equals_the_one_from_every_row(
        client: Any, database_url: str) -> None:
    # Day 1 holds a night task crossing 03:00 into day 2; it overlaps an early task of day 2 that a limited
    # worker could sit in, which couples day 2's whole operational day, whose last task runs into day 3:
    # read from day 1, the closure grows round by round to the start of day 3.
    day2, day3 = "2026-11-24", "2026-11-25"
    add_worker(client, "night", ["install"], (at("22:00"), at("06:00", day2)))
    add_worker(client, "capped", ["install"], (at("03:00", day2), at("23:00", day2)), max_tasks=3)
    add_worker(client, "late", ["install"], (at("23:00", day2), at("05:00", day3)))
    add_worker(client, "other", ["install"], (at("08:00", day3), at("12:00", day3)))
    assert book(client, "cross", at("02:00", day2), at("04:00", day2)).status_code == 201
    assert book(client, "early", at("03:30", day2), at("04:30", day2)).status_code == 201
    assert book(client, "evening", at("20:00", day2), at("21:00", day2)).status_code == 201
    assert book(client, "nightcap", at("02:30", day3), at("03:30", day3)).status_code == 201
    assert book(client, "day3", at("09:00", day3), at("10:00", day3)).status_code == 201
    assert take(client, "cross", "night").status_code == 200

    cal = OperationalCalendar("Europe/Moscow", time(3, 0))
    with psycopg.connect(database_url) as conn:
        for day in (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)):
            got = repo.read_closure(conn, cal, [cal.bounds(day)])
            want = _closure_from_everything(conn, cal, [cal.bounds(day)])
            assert got.windows == want.windows
            assert {t.id for t in got.tasks} == {t.id for t in want.tasks}
            assert {s.id for s in got.shifts} == {s.id for s in want.shifts}
            assert got.workers == want.workers
        grown = repo.read_closure(conn, cal, [cal.bounds(date(2026, 11, 23))])
        assert {"cross", "early", "evening", "nightcap"} <= {t.id for t in grown.tasks}
        assert grown.windows[-1][1] == cal.bounds(date(2026, 11, 24))[1] + timedelta(minutes=30)
