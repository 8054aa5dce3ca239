"""/api/v1/slots: where one more task can still be booked, from the database."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import SlotsArgs
from api.views.common import PREFIX, problems
from solver.domain import SlotQuery
from solver.schema import SlotAnswerSchema

blp = Blueprint("slots", __name__, url_prefix=f"{PREFIX}/slots",
                description="Where one more task can still be booked, from the database")


@blp.route("")
class Slots(MethodView):
    @blp.arguments(SlotsArgs, location="query")
    @blp.response(200, SlotAnswerSchema)
    @problems(blp, 422)
    def get(self, query: SlotQuery) -> Any:
        """The contract's slot answer for a day in the database (same as `python -m solver slots`)"""
        return service.slots(query)
