"""/api/v1/workers: installers, their skills and hire / fire dates."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import WorkerCreateSchema, WorkerResourceSchema, WorkerUpdateSchema
from api.views.common import PREFIX, problems

blp = Blueprint("workers", __name__, url_prefix=f"{PREFIX}/workers",
                description="Installers: skills and hire / fire dates")


@blp.route("")
class Workers(MethodView):
    @blp.response(200, WorkerResourceSchema(many=True))
    def get(self) -> Any:
        """List workers"""
        return service.list_workers()

    @blp.arguments(WorkerCreateSchema)
    @blp.response(201, WorkerResourceSchema)
    @problems(blp, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a worker"""
        return service.create_worker(data)


@blp.route("/<worker_id>")
class WorkerById(MethodView):
    @blp.response(200, WorkerResourceSchema)
    @problems(blp, 404)
    def get(self, worker_id: str) -> Any:
        """Read a worker"""
        return service.get_worker(worker_id)

    @blp.arguments(WorkerUpdateSchema)
    @blp.response(200, WorkerResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], worker_id: str) -> Any:
        """Update a worker (refused with 409 if fewer skills or a fire date would strand tasks)"""
        return service.update_worker(worker_id, data)

    @blp.response(204)
    @problems(blp, 404, 409, 503)
    def delete(self, worker_id: str) -> None:
        """Delete a worker and their shifts (refused with 409 if they hold tasks or it would strand tasks)"""
        service.delete_worker(worker_id)
