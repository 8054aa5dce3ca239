"""The audit trail: every accepted change writes one event (who, role, when, what, before -> after) in
the change's own transaction, so a refused or failed change leaves no event and an accepted one always
has its event. Read with `GET /api/v1/tasks/{id}/history` and `GET /api/v1/events?since=`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from flask import current_app
from marshmallow import Schema
from psycopg.types.json import Jsonb

from api.auth import current_principal
from api.db import unit_of_work
from api.errors import NotFound
from api.schemas import ID_PATTERN

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


def task_history(task_id: str) -> list[dict[str, Any]]:
    """Every event of a task, oldest first (NotFound when the task never existed)."""
    with unit_of_work() as conn:
        if not ID_PATTERN.match(task_id) or conn.execute(_TASK_EXISTS, {"id": task_id}).fetchone() is None:
            raise NotFound(f"no task {task_id!r}")
        return [_out(r) for r in conn.execute(_HISTORY, {"id": task_id}).fetchall()]


def events_since(since: datetime, limit: int) -> list[dict[str, Any]]:
    """Events at or after `since` (wall-clock in the service's zone when it has no offset), oldest first."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    with unit_of_work() as conn:
        return [_out(r) for r in conn.execute(_SINCE, {"since": since, "limit": limit}).fetchall()]
