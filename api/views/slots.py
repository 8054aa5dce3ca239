"""/api/v1/slots: where one more task can still be booked, why a start is not, and the next free slots,
from the database."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import ExplainArgs, ExplanationSchema, NextAnswerSchema, NextArgs, SlotsArgs
from api.views.common import PREFIX, problems
from solver.domain import SlotQuery
from solver.queries import ExplainQuery, NextQuery
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


@blp.route("/explain")
class Explain(MethodView):
    @blp.arguments(ExplainArgs, location="query")
    @blp.response(200, ExplanationSchema)
    @problems(blp, 422)
    def get(self, query: ExplainQuery) -> Any:
        """Why a start is (not) a slot: a plan, or an irreducible set of conflicting tasks (`python -m solver
        explain`)"""
        return service.explain_start(query)


@blp.route("/next")
class Next(MethodView):
    @blp.arguments(NextArgs, location="query")
    @blp.response(200, NextAnswerSchema)
    @problems(blp, 422)
    def get(self, query: NextQuery) -> Any:
        """The first slots across days `from` .. `from + days - 1` (same as `python -m solver next`)"""
        return service.next_free(query)
