"""The audit trail: every accepted change writes one event (who, role, when, what, before -> after) in
the change's own transaction, so a refused or failed change leaves no event and an accepted one always
has its event. Read with `GET /api/v1/tasks/{id}/history` and `GET /api/v1/events?since=`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from flask import current_app
from marshmallow import Schema

from api import queries as q
from api import repository as repo
from api.auth import current_principal
from api.db import unit_of_work
from api.errors import NotFound
from api.schemas import ID_PATTERN


def record(conn: psycopg.Connection, action: str, entity: str, entity_id: str | int, before: Any, after: Any,
           schema: type[Schema] | None = None) -> None:
    """Write the event of a change on `conn` (inside the change's transaction). `before` / `after` are the
    resource as the API shows it: dumped by `schema` when given, else already JSON-shaped dicts."""
    if schema is not None:
        before, after = (None if x is None else schema().dump(x) for x in (before, after))
    who = current_principal()
    repo.insert_event(conn, {
        "token_id": who.token_id if who else None, "actor": who.actor if who else "system",
        "role": who.role if who else "system", "action": action, "entity": entity, "entity_id": str(entity_id),
        "before": before, "after": after})


def _out(row: q.EventRow) -> dict[str, Any]:
    return {**asdict(row), "at": row.at.isoformat()}


def task_history(task_id: str) -> list[dict[str, Any]]:
    """Every event of a task, oldest first (NotFound when the task never existed)."""
    with unit_of_work() as conn:
        if not ID_PATTERN.match(task_id) or not repo.task_known(conn, task_id):
            raise NotFound(f"no task {task_id!r}")
        return [_out(r) for r in repo.events_of(conn, "task", task_id)]


def events_since(since: datetime, limit: int) -> list[dict[str, Any]]:
    """Events at or after `since` (wall-clock in the service's zone when it has no offset), oldest first."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    with unit_of_work() as conn:
        return [_out(r) for r in repo.events_since(conn, since, limit)]
