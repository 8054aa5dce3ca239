"""The OpenAPI document's trust parts and Swagger UI served from the package (no CDN).

Before the blueprints are registered: the contract's custom fields are typed (`date`, `date-time`,
`integer`), so the document no longer has empty schemas. After: every operation gets its security
requirement from `api.access.RULES` (public ones none), the roles that may call it, the 401 / 403 answers,
and every error answer is documented as `application/problem+json` (what the service sends).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from api.access import RULES, Rule
from solver.schema import IsoDateTime, StrictDate, StrictInteger

SCHEME = "bearerAuth"
PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


def register_fields(api: Api) -> None:
    api.register_field(StrictDate, "string", "date")
    api.register_field(IsoDateTime, "string", "date-time")
    api.register_field(StrictInteger, "integer", None)


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _secure(op: dict[str, Any], rule: Rule | None) -> None:
    """The operation's security requirement, roles, and 401 / 403 answers, from `api.access.RULES`."""
    responses = op.setdefault("responses", {})
    if rule is not None and rule.public:
        op["security"] = []
        return
    op["security"] = [{SCHEME: []}]
    responses.setdefault("401", _problem_response("No valid token"))
    responses.setdefault("403", _problem_response("The token's role may not do this"))
    if rule is not None:
        roles = ", ".join(sorted(rule.roles))
        own = " (installers: only for themselves)" if "installer" in rule.roles else ""
        op["description"] = (op.get("description", "") + f"\n\nRoles: {roles}{own}.").strip()


def _errors_as_problems(op: dict[str, Any]) -> None:
    """Bodies are required (unless a view declares one optional) and may be refused (400 / 413 / 415); any request
    may be refused for its URL or a header field (414 / 431, api.request_head); every error answer is
    problem+json."""
    responses = op.setdefault("responses", {})
    responses.setdefault("414", _problem_response("The URL (path and query) is longer than the configured limit"))
    responses.setdefault("431", _problem_response("A header field is larger than the configured limit"))
    if op.get("requestBody"):
        op["requestBody"].setdefault("required", True)  # smorest writes False for an optional body
        responses.setdefault("400", _problem_response("Malformed JSON body"))
        responses.setdefault("415", _problem_response("The body is not application/json"))
        responses.setdefault("413", _problem_response("The body is larger than the configured limit"))
    for code, resp in list(responses.items()):
        if code != "default" and code[:1] not in "45":
            continue
        if isinstance(resp, dict) and "application/json" in resp.get("content", {}):
            resp["content"] = {PROBLEM: resp["content"]["application/json"]}
        elif isinstance(resp, str):  # a reference to a shared response: inline as problem+json
            responses[code] = _problem_response(code)


def finish(app: Flask, api: Api) -> None:
    """Post-process the generated document and serve the Swagger UI assets."""
    api.spec.components.security_scheme(SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "An API token from `flask --app api token create --role ROLE`."})
    for path, item in api.spec._paths.items():  # apispec keeps the operations here until to_dict()
        for method, op in item.items():
            if method in METHODS:
                _secure(op, RULES.get((method.upper(), path)))
                _errors_as_problems(op)
    for resp in api.spec.components.responses.values():  # the shared ones (default error, 422)
        if "application/json" in resp.get("content", {}):
            resp["content"] = {PROBLEM: resp["content"].pop("application/json")}

    assets = str(swagger_ui_path)

    @app.route("/docs/assets/<path:filename>", endpoint="swagger_ui_assets")
    def _swagger_assets(filename: str) -> Any:
        return send_from_directory(assets, filename, max_age=86400)
