"""Blueprints, one per resource. Views are thin: parse (schemas), call `api.service` in one transaction,
return. Errors leave through `api.errors`."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import queries, service
from api import schemas as s
from api.db import run_in_transaction, unit_of_work
from solver.domain import SlotQuery
from solver.schema import SlotAnswerSchema, WhatIfSlotsSchema
from solver.validate import validate_scenario

PREFIX = "/api/v1"


def _problem(blp: Blueprint, *codes: int) -> Any:
    """Document problem+json responses of a view."""

    def deco(fn: Any) -> Any:
        for code in codes:
            fn = blp.alt_response(code, schema=s.ProblemSchema, content_type="application/problem+json",
                                  description={400: "Malformed request", 404: "Not found",
                                               409: "Conflict (names the tasks)", 422: "Invalid input",
                                               503: "Database unavailable or change not provable in time"}[code])(fn)
        return fn

    return deco


# --- workers -------------------------------------------------------------------------------------------

workers = Blueprint("workers", __name__, url_prefix=f"{PREFIX}/workers",
                    description="Installers: skills and hire / fire dates")


@workers.route("")
class Workers(MethodView):
    @workers.response(200, s.WorkerResourceSchema(many=True))
    def get(self) -> Any:
        """List workers"""
        return run_in_transaction(service.list_workers)

    @workers.arguments(s.WorkerCreateSchema)
    @workers.response(201, s.WorkerResourceSchema)
    @_problem(workers, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a worker"""
        return run_in_transaction(lambda conn: service.create_worker(conn, data))


@workers.route("/<worker_id>")
class WorkerById(MethodView):
    @workers.response(200, s.WorkerResourceSchema)
    @_problem(workers, 404)
    def get(self, worker_id: str) -> Any:
        """Read a worker"""
        return run_in_transaction(lambda conn: service.get_worker(conn, worker_id))

    @workers.arguments(s.WorkerUpdateSchema)
    @workers.response(200, s.WorkerResourceSchema)
    @_problem(workers, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], worker_id: str) -> Any:
        """Update a worker (refused with 409 if fewer skills or a fire date would strand tasks)"""
        return run_in_transaction(lambda conn: service.update_worker(conn, worker_id, data))

    @workers.response(204)
    @_problem(workers, 404, 409, 503)
    def delete(self, worker_id: str) -> None:
        """Delete a worker and their shifts (refused with 409 if they hold tasks or it would strand tasks)"""
        run_in_transaction(lambda conn: service.delete_worker(conn, worker_id))


# --- shifts --------------------------------------------------------------------------------------------

shifts = Blueprint("shifts", __name__, url_prefix=f"{PREFIX}/workers/<worker_id>/shifts",
                   description="A worker's shifts")


@shifts.route("")
class Shifts(MethodView):
    @shifts.arguments(s.ShiftListArgs, location="query")
    @shifts.response(200, s.ShiftResourceSchema(many=True))
    @_problem(shifts, 404, 422)
    def get(self, args: dict[str, Any], worker_id: str) -> Any:
        """List a worker's shifts (optionally of one operational day)"""
        return run_in_transaction(lambda conn: service.list_shifts(conn, worker_id, args.get("date")))

    @shifts.arguments(s.ShiftCreateSchema)
    @shifts.response(201, s.ShiftResourceSchema)
    @_problem(shifts, 404, 409, 422)
    def post(self, data: dict[str, Any], worker_id: str) -> Any:
        """Add a shift (409 if it overlaps another shift of the worker)"""
        return run_in_transaction(lambda conn: service.add_shift(conn, worker_id, data))


@shifts.route("/<int:shift_id>")
class ShiftById(MethodView):
    @shifts.response(204)
    @_problem(shifts, 404, 409, 503)
    def delete(self, worker_id: str, shift_id: int) -> None:
        """Remove a shift (refused with 409 naming the tasks it would strand)"""
        run_in_transaction(lambda conn: service.remove_shift(conn, worker_id, shift_id))


# --- tasks ---------------------------------------------------------------------------------------------

tasks = Blueprint("tasks", __name__, url_prefix=f"{PREFIX}/tasks",
                  description="Booking, moving, taking and releasing tasks")


@tasks.route("")
class Tasks(MethodView):
    @tasks.arguments(s.TaskListArgs, location="query")
    @tasks.response(200, s.TaskResourceSchema(many=True))
    @_problem(tasks, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """List the tasks of an operational day, taken and untaken, with their takers"""
        return run_in_transaction(lambda conn: service.list_tasks(conn, args["date"]))

    @tasks.arguments(s.TaskCreateSchema)
    @tasks.response(201, s.TaskResourceSchema)
    @_problem(tasks, 409, 422, 503)
    def post(self, data: dict[str, Any]) -> Any:
        """Book a task (accepted only if every task of the day can still be covered; else 409 naming them)"""
        return run_in_transaction(lambda conn: service.book_task(conn, data))


@tasks.route("/<task_id>")
class TaskById(MethodView):
    @tasks.response(200, s.TaskResourceSchema)
    @_problem(tasks, 404)
    def get(self, task_id: str) -> Any:
        """Read a task"""
        return run_in_transaction(lambda conn: service.get_task(conn, task_id))

    @tasks.arguments(s.TaskMoveSchema)
    @tasks.response(200, s.TaskResourceSchema)
    @_problem(tasks, 404, 409, 422, 503)
    def patch(self, data: dict[str, Any], task_id: str) -> Any:
        """Move a task to another time (same rule as booking)"""
        return run_in_transaction(lambda conn: service.move_task(conn, task_id, data))

    @tasks.response(204)
    @_problem(tasks, 404)
    def delete(self, task_id: str) -> None:
        """Delete a task"""
        run_in_transaction(lambda conn: service.delete_task(conn, task_id))


@tasks.route("/<task_id>/take")
class TakeTask(MethodView):
    @tasks.arguments(s.TakeSchema)
    @tasks.response(200, s.TaskResourceSchema)
    @_problem(tasks, 404, 409, 422, 503)
    def post(self, data: dict[str, Any], task_id: str) -> Any:
        """An installer takes a task (409 if it does not fit them or would strand other tasks)"""
        return run_in_transaction(lambda conn: service.take_task(conn, task_id, data["worker_id"]))


@tasks.route("/<task_id>/release")
class ReleaseTask(MethodView):
    @tasks.response(200, s.TaskResourceSchema)
    @_problem(tasks, 404)
    def post(self, task_id: str) -> Any:
        """Give a taken task back (it becomes untaken)"""
        return run_in_transaction(lambda conn: service.release_task(conn, task_id))


# --- slots ---------------------------------------------------------------------------------------------

slots = Blueprint("slots", __name__, url_prefix=f"{PREFIX}/slots",
                  description="Where one more task can still be booked, from the database")


@slots.route("")
class Slots(MethodView):
    @slots.arguments(s.SlotsArgs, location="query")
    @slots.response(200, SlotAnswerSchema)
    @_problem(slots, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """The contract's slot answer for a day in the database (same as `python -m solver slots`)"""
        query = SlotQuery(args["date"], args["duration_minutes"], args["step_minutes"], args["skill"])
        with unit_of_work() as conn:  # read-only snapshot; the solver runs after the connection is back
            scenario, witness = service.read_slot_day(conn, query.date)
        return service.answer_slots(scenario, query, witness)


# --- what-if -------------------------------------------------------------------------------------------

what_if = Blueprint("what_if", __name__, url_prefix=f"{PREFIX}/what-if",
                    description="Questions about a scenario given in the request; the database is not touched")


@what_if.route("/slots")
class WhatIfSlots(MethodView):
    @what_if.arguments(WhatIfSlotsSchema)
    @what_if.response(200, SlotAnswerSchema)
    @_problem(what_if, 400, 422)
    def post(self, loaded: Any) -> Any:
        """Slots of a scenario in the body (the contract's what-if endpoint)"""
        scenario, query = loaded
        validate_scenario(scenario)
        return service.answer_slots(scenario, query, None)


@what_if.route("/plan")
class WhatIfPlan(MethodView):
    @what_if.arguments(s.WhatIfPlanSchema)
    @what_if.response(200, s.PlanAnswerSchema)
    @_problem(what_if, 400, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Can every untaken task of the scenario be covered? An assignment, or the uncovered tasks"""
        scenario = data["scenario"]
        validate_scenario(scenario)
        return service.answer_plan(scenario)


# --- health --------------------------------------------------------------------------------------------

health = Blueprint("health", __name__, description="Liveness with a database check")


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, s.HealthSchema)
    @_problem(health, 503)
    def get(self) -> Any:
        """200 when the database answers, 503 otherwise"""
        with unit_of_work() as conn:
            conn.execute(queries.PING).fetchone()
        return {"status": "ok", "database": "ok"}


BLUEPRINTS = (workers, shifts, tasks, slots, what_if, health)
