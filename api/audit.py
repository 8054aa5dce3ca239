"""The audit trail: every accepted change writes one event (who, role, when, what, before -> after) in
the change's own transaction, so a refused or failed change leaves no event and an accepted one always
has its event. Read with `GET /api/v1/tasks/{id}/history` and `GET /api/v1/events?since=`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import psycopg
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from psycopg.types.json import Jsonb

from api.auth import current_principal
from api.db import unit_of_work
from api.errors import NotFound
from api.schemas import ID_PATTERN, StrictSchema
from solver.schema import IsoDateTime

_INSERT = """
INSERT INTO events (token_id, actor, role, action, entity, entity_id, before, after)
VALUES (%(token_id)s, %(actor)s, %(role)s, %(action)s, %(entity)s, %(entity_id)s, %(before)s, %(after)s)"""
_COLS = "id, at, actor, role, action, entity, entity_id, before, after"
_HISTORY = f"SELECT {_COLS} FROM events WHERE entity = 'task' AND entity_id = %(id)s ORDER BY id"
_TASK_EXISTS = "SELECT 1 FROM tasks WHERE id = %(id)s UNION ALL" \
               " SELECT 1 FROM events WHERE entity = 'task' AND entity_id = %(id)s LIMIT 1"
_SINCE = f"SELECT {_COLS} FROM events WHERE at >= %(since)s ORDER BY id LIMIT %(limit)s"


def _jsonb(value: dict[str, Any] | None) -> Jsonb | None:
    return None if value is None else Jsonb(value, dumps=lambda v: json.dumps(v, default=str))


def record(conn: psycopg.Connection, action: str, entity: str, entity_id: str | int, before: Any, after: Any,
           schema: type[Schema] | None = None) -> None:
    """Write the event of a change on `conn` (inside the change's transaction). `before` / `after` are the
    resource as the API shows it: dumped by `schema` when given, else already JSON-shaped dicts."""
    if schema is not None:
        before, after = (None if x is None else schema().dump(x) for x in (before, after))
    who = current_principal()
    conn.execute(_INSERT, {
        "token_id": who.token_id if who else None, "actor": who.actor if who else "system",
        "role": who.role if who else "system", "action": action, "entity": entity, "entity_id": str(entity_id),
        "before": _jsonb(before), "after": _jsonb(after)})


def _out(row: tuple[Any, ...]) -> dict[str, Any]:
    keys = ("id", "at", "actor", "role", "action", "entity", "entity_id", "before", "after")
    out = dict(zip(keys, row, strict=True))
    out["at"] = out["at"].isoformat()
    return out


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time", "description": "when the change's transaction began"})
    actor = fields.String(metadata={"description": "the token's label (who)"})
    role = fields.String()
    action = fields.String(metadata={"description": "e.g. task.book, task.take, worker.update, shift.remove"})
    entity = fields.String(metadata={"description": "task, worker or shift"})
    entity_id = fields.String()
    before = fields.Dict(allow_none=True, metadata={"description": "the resource before (null: created)"})
    after = fields.Dict(allow_none=True, metadata={"description": "the resource after (null: deleted)"})


class EventsArgs(StrictSchema):
    since = IsoDateTime(required=True, metadata={"description": "events at or after this instant (ISO 8601)"})
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 5000))


blp = Blueprint("events", __name__, url_prefix="/api/v1", description="The audit trail (managers and admins)")


@blp.route("/tasks/<task_id>/history")
class TaskHistory(MethodView):
    @blp.response(200, EventSchema(many=True))
    @blp.alt_response(404, description="Not found")
    def get(self, task_id: str) -> Any:
        """Every change of a task, oldest first"""
        with unit_of_work() as conn:
            if not ID_PATTERN.match(task_id) or conn.execute(_TASK_EXISTS, {"id": task_id}).fetchone() is None:
                raise NotFound(f"no task {task_id!r}")
            return [_out(r) for r in conn.execute(_HISTORY, {"id": task_id}).fetchall()]


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventsArgs, location="query")
    @blp.response(200, EventSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Every change since an instant, oldest first (at most `limit`)"""
        since: datetime = args["since"]
        if since.tzinfo is None:
            from api.service import calendar

            since = since.replace(tzinfo=calendar().zone)
        with unit_of_work() as conn:
            return [_out(r) for r in conn.execute(_SINCE, {"since": since, "limit": args["limit"]}).fetchall()]
