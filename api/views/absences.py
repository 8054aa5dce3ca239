"""/api/v1/workers/<id>/absences: holidays, sickness, training — working time taken away."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import roster_service as service
from api.roster_schemas import AbsenceCreateSchema, AbsenceResourceSchema
from api.views.common import PREFIX, problems

blp = Blueprint("absences", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/absences",
                description="Holidays, sickness, training: working time taken away")


@blp.route("")
class Absences(MethodView):
    @blp.response(200, AbsenceResourceSchema(many=True))
    @problems(blp, 404)
    def get(self, worker_id: str) -> Any:
        """List a worker's absences"""
        return service.list_absences(worker_id)

    @blp.arguments(AbsenceCreateSchema)
    @blp.response(201, AbsenceResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Record an absence (409 naming held tasks, unless release_tasks and all stay coverable)"""
        return service.create_absence(worker_id, data)


@blp.route("/<int:absence_id>")
class AbsenceById(MethodView):
    @blp.response(204)
    @problems(blp, 404, 409, 503)
    def delete(self, worker_id: str, absence_id: int) -> None:
        """Remove an absence (the worker's pattern shifts come back)"""
        service.delete_absence(worker_id, absence_id)
