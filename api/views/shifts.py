"""/api/v1/workers/<id>/shifts: a worker's shifts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import ShiftCreateSchema, ShiftListArgs, ShiftResourceSchema
from api.views.common import PREFIX, problems

blp = Blueprint("shifts", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/shifts",
                description="A worker's shifts")


@blp.route("")
class Shifts(MethodView):
    @blp.arguments(ShiftListArgs, location="query")
    @blp.response(200, ShiftResourceSchema(many=True))
    @problems(blp, 404, 422)
    def get(self, args: dict[str, Any], worker_id: str) -> Any:
        """List a worker's shifts (optionally of one operational day)"""
        return service.list_shifts(worker_id, args.get("date"))

    @blp.arguments(ShiftCreateSchema)
    @blp.response(201, ShiftResourceSchema)
    @problems(blp, 404, 409, 422)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Add a shift (409 if it overlaps another shift of the worker)"""
        return service.add_shift(worker_id, data)


@blp.route("/<int:shift_id>")
class ShiftById(MethodView):
    @blp.response(204)
    @problems(blp, 404, 409, 503)
    def delete(self, worker_id: str, shift_id: int) -> None:
        """Remove a shift (refused with 409 naming the tasks it would strand)"""
        service.remove_shift(worker_id, shift_id)
