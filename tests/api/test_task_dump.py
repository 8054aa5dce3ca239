"""A task as the API shows it: `TaskResourceSchema`'s unrolled dump gives the very JSON its fields give, for
any row (untaken, taken, crews, null skills, instants given in any zone, across a daylight-saving change)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema
from psycopg.types.range import Range

from api.queries import TaskRow
from api.schemas import TaskResourceSchema

ZONES = [UTC, ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Berlin"), timezone(timedelta(hours=-5))]
texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8)


@st.composite
def rows(draw: st.DrawFn) -> TaskRow:
    # Around Berlin's fall-back night (25 Oct 2026) and an ordinary day, to the minute.
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 2 * 24 * 60)))
    start = start.astimezone(draw(st.sampled_from(ZONES)))
    end = start + timedelta(minutes=draw(st.integers(1, 600)), seconds=draw(st.sampled_from([0, 30])))
    stamp = datetime(2026, 10, 1, 12, tzinfo=UTC).astimezone(draw(st.sampled_from(ZONES)))
    crew = draw(st.lists(st.fixed_dictionaries({"skill": st.one_of(st.none(), texts), "count": st.integers(1, 20)}),
                         max_size=3))
    return TaskRow(id=draw(texts), period=Range(start, end.astimezone(draw(st.sampled_from(ZONES)))),
                   skill=draw(st.one_of(st.none(), texts)), worker_id=draw(st.one_of(st.none(), texts)),
                   worker_name=draw(st.one_of(st.none(), texts)), created_at=stamp, updated_at=stamp,
                   crew=crew, worker_ids=draw(st.lists(texts, max_size=3)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rows(), max_size=5), st.sampled_from(["Europe/Moscow", "Europe/Berlin", "America/New_York"]),
       st.sampled_from(["03:00", "00:00"]))
def test_the_unrolled_dump_gives_the_json_of_the_fields(app: Any, tasks: list[TaskRow], zone: str,
                                                        day_start: str) -> None:
    app.config.update(TIMEZONE=zone, DAY_START=day_start)  # the service's calendar, which the dump follows
    with app.app_context():
        schema = TaskResourceSchema(many=True)
        fast, through_fields = schema.dump(tasks), Schema.dump(schema, tasks)
        assert json.dumps(fast) == json.dumps(through_fields)  # same values, same key order
        if tasks:
            assert json.dumps(TaskResourceSchema().dump(tasks[0])) == json.dumps(through_fields[0])


def test_only_and_exclude_go_through_the_fields(app: Any) -> None:
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    row = TaskRow(id="t1", period=Range(start, start + timedelta(hours=1)), skill="install", worker_id=None,
                  worker_name=None, created_at=start, updated_at=start, crew=[{"skill": "install", "count": 1}],
                  worker_ids=[])
    with app.app_context():
        assert TaskResourceSchema(only=("id", "day")).dump(row) == {"id": "t1", "day": "2026-11-23"}
        assert "crew" not in TaskResourceSchema(exclude=("crew",)).dump(row)
