"""The schema's own guard agrees with the contract's limits: `sql/` cannot import `solver.calendar`, so
this test is what ties the `tasks_duration` CHECK to MIN_DURATION_MINUTES / MAX_DURATION_MINUTES (change
one, and it fails until a migration changes the other)."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest
from service_kit import MSK

from solver.calendar import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES

START = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
INSERT = "INSERT INTO tasks (id, period) VALUES (%(id)s, tstzrange(%(start)s, %(end)s, '[)'))"


@pytest.mark.parametrize(("minutes", "stored"), [
    (MIN_DURATION_MINUTES - 1, False), (MIN_DURATION_MINUTES, True),
    (MAX_DURATION_MINUTES, True), (MAX_DURATION_MINUTES + 1, False),
])
def test_the_database_stores_exactly_the_contracts_task_lengths(database_url: str, minutes: int,
                                                                stored: bool) -> None:
    params = {"id": f"len{minutes}", "start": START, "end": START + timedelta(minutes=minutes)}
    with psycopg.connect(database_url) as conn:
        if stored:
            conn.execute(INSERT, params)
        else:
            with pytest.raises(psycopg.errors.CheckViolation, match="tasks_duration"):
                conn.execute(INSERT, params)
