"""/healthz: liveness with a database check."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api import service
from api.schemas import HealthSchema
from api.views.common import problems

blp = Blueprint("health", __name__, description="Liveness with a database check")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @problems(blp, 503)
    def get(self) -> Any:
        """200 when the database answers, 503 otherwise"""
        service.health()
        return {"status": "ok", "database": "ok"}
