"""The audit trail over HTTP (managers and admins; see `api.access`)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import audit
from api.schemas import StrictSchema
from solver.schema import IsoDateTime


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time", "description": "when the change's transaction began"})
    actor = fields.String(metadata={"description": "the token's label (who)"})
    role = fields.String()
    action = fields.String(metadata={"description": "e.g. task.book, task.take, worker.update, shift.remove,"
                                                    " pattern.update, override.put, absence.create"})
    entity = fields.String(metadata={"description": "task, worker, shift, pattern or absence"})
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
        return audit.task_history(task_id)


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventsArgs, location="query")
    @blp.response(200, EventSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Every change since an instant, oldest first (at most `limit`)"""
        return audit.events_since(args["since"], args["limit"])
