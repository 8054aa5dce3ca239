"""/api/v1/tasks: booking, moving, taking and releasing tasks."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import TakeSchema, TaskCreateSchema, TaskListArgs, TaskMoveSchema, TaskResourceSchema
from api.views.common import PREFIX, problems

blp = Blueprint("tasks", __name__, url_prefix=f"{PREFIX}/tasks",
                description="Booking, moving, taking and releasing tasks")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskListArgs, location="query")
    @blp.response(200, TaskResourceSchema(many=True))
    @problems(blp, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """List the tasks of an operational day, taken and untaken, with their takers"""
        return service.list_tasks(args["date"])

    @blp.arguments(TaskCreateSchema)
    @blp.response(201, TaskResourceSchema)
    @problems(blp, 409, 422, 503)
    def post(self, data: dict[str, Any]) -> Any:
        """Book a task (accepted only if every task of the day can still be covered; else 409 naming them)"""
        return service.book_task(data)


@blp.route("/<task_id>")
class TaskById(MethodView):
    @blp.response(200, TaskResourceSchema)
    @problems(blp, 404)
    def get(self, task_id: str) -> Any:
        """Read a task"""
        return service.get_task(task_id)

    @blp.arguments(TaskMoveSchema)
    @blp.response(200, TaskResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], task_id: str) -> Any:
        """Move a task to another time (same rule as booking)"""
        return service.move_task(task_id, data)

    @blp.response(204)
    @problems(blp, 404)
    def delete(self, task_id: str) -> None:
        """Delete a task"""
        service.delete_task(task_id)


@blp.route("/<task_id>/take")
class TakeTask(MethodView):
    @blp.arguments(TakeSchema)
    @blp.response(200, TaskResourceSchema)
    @problems(blp, 404, 409, 422, 503)
    def post(self, data: dict[str, Any], task_id: str) -> Any:
        """An installer takes a task (409 if it does not fit them or would strand other tasks)"""
        return service.take_task(task_id, data["worker_id"])


@blp.route("/<task_id>/release")
class ReleaseTask(MethodView):
    @blp.response(200, TaskResourceSchema)
    @problems(blp, 404)
    def post(self, task_id: str) -> Any:
        """Give a taken task back (it becomes untaken)"""
        return service.release_task(task_id)
