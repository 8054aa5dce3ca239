"""slot-planner's HTTP service: PostgreSQL-backed booking and taking that never strands a task.

    flask --app api db upgrade            # create the database if missing, apply sql/ migrations
    flask --app api demo-data --date D    # load the demo day
    gunicorn 'api:create_app()'           # serve
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api

from api import access, auth, db, docs, errors, flights, inputs, limits, request_head, timing
from api import config as config_module
from api.demo import demo_data_command
from api.schemas import ProblemSchema
from api.views import BLUEPRINTS
from api.web import pages as web_pages


class ProblemApi(Api):
    """flask-smorest with its HTTP errors (404, 405, invalid JSON, 422 validation) as problem+json."""

    ERROR_SCHEMA = ProblemSchema  # the default error response in the OpenAPI document

    def handle_http_exception(self, error: Any) -> Any:
        return errors.handle_http_exception(error)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application factory: configuration from the environment, overridden by `config` (tests)."""
    app = Flask(__name__)
    app.config.from_mapping(config_module.from_environment())
    if config:
        app.config.from_mapping(config)
    assert isinstance(app.json, DefaultJSONProvider)
    app.json.sort_keys = False  # keep the contract's field order in answers

    db.init_app(app)
    api = ProblemApi(app, spec_kwargs={"info": {"description": (
        "Exact slot search and strand-free booking for field-service crews. Every error is RFC 9457"
        " application/problem+json.")}})
    errors.register(app)
    app.extensions["slot_planner_api"] = api
    # Order matters: refuse bad input first, then unknown callers and wrong roles, then too much work.
    inputs.init_app(app)
    auth.init_app(app)
    access.init_app(app)
    app.before_request(inputs.check_shape)
    limits.init_app(app)
    flights.init_app(app)
    timing.init_app(app)
    docs.register_fields(api)

    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    docs.finish(app, api)

    app.cli.add_command(demo_data_command)
    app.register_blueprint(web_pages)
    request_head.init_app(app)  # outermost: an over-long URL or header field is refused before anything runs
    return app
