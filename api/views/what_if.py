"""/api/v1/what-if: questions about a scenario given in the request; the database is not touched."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import PlanAnswerSchema, WhatIfPlanSchema, WhatIfSlotsSchema
from api.views.common import PREFIX, problems
from solver.domain import Scenario, SlotQuery
from solver.schema import SlotAnswerSchema

blp = Blueprint("what_if", __name__, url_prefix=f"{PREFIX}/what-if",
                description="Questions about a scenario given in the request; the database is not touched")


@blp.route("/slots")
class WhatIfSlots(MethodView):
    @blp.arguments(WhatIfSlotsSchema)
    @blp.response(200, SlotAnswerSchema)
    @problems(blp, 400, 422)
    def post(self, loaded: tuple[Scenario, SlotQuery]) -> Any:
        """Slots of a scenario in the body (the contract's what-if endpoint)"""
        return service.what_if_slots(*loaded)


@blp.route("/plan")
class WhatIfPlan(MethodView):
    @blp.arguments(WhatIfPlanSchema)
    @blp.response(200, PlanAnswerSchema)
    @problems(blp, 400, 422)
    def post(self, scenario: Scenario) -> Any:
        """Can every untaken task of the scenario be covered? An assignment, or the uncovered tasks"""
        return service.what_if_plan(scenario)
