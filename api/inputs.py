"""Request checks that hold for every endpoint, before any view runs, so no input reaches a view (or
PostgreSQL) in a form that could make a 500, and no browser form can change state:

- a body on a state-changing request must be `application/json` (else 415), so a cross-site form post
  or `text/plain` request is refused before it is read;
- the JSON must parse, nest at most `MAX_JSON_DEPTH` deep and hold no lone UTF-16 surrogates
  (`"\\ud800"` parses in Python but cannot be encoded for PostgreSQL): else 400 naming `body`;
- an operation documented with a request body needs one (else 422): an empty `POST /workers` must not
  create a worker;
- query parameters an operation does not document are refused (422 naming them);
- the body size is capped by Flask's `MAX_CONTENT_LENGTH` (413).

The documented body and parameters come from the OpenAPI document itself, so new endpoints are covered.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, g, request

from api.access import openapi_path
from api.errors import ApiError, Unprocessable

MAX_JSON_DEPTH = 64
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SPEC_KEY = "slot_planner_operations"


class UnsupportedMediaType(ApiError):
    status = 415
    title = "Unsupported media type"
    type_suffix = "unsupported-media-type"


class MalformedBody(ApiError):
    status = 400
    title = "Malformed request"
    type_suffix = "malformed-request"

    def __init__(self, message: str) -> None:
        super().__init__(f"Invalid JSON body: {message}", errors=[{"field": "body", "message": message}])


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def safe_json(raw: bytes) -> Any:
    """Parse a request body, or raise MalformedBody for anything the rest of the service cannot hold."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"not UTF-8 ({exc.reason})") from exc
    except RecursionError as exc:
        raise MalformedBody(f"nested more than {MAX_JSON_DEPTH} levels deep") from exc
    except ValueError as exc:  # JSONDecodeError, and integers past Python's digit limit
        raise MalformedBody(str(exc)) from exc
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:  # iterative: a deep document must not exhaust the interpreter's stack here either
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise MalformedBody(f"nested more than {MAX_JSON_DEPTH} levels deep")
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if key is not None:
                    _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            _check_text(item)
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedBody("a string holds a lone UTF-16 surrogate (not valid Unicode text)") from exc


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, OpenAPI path) -> {"query": names of documented query parameters, "body": body required?}."""
    ops = current_app.extensions.get(SPEC_KEY)
    if ops is None:
        spec = current_app.extensions["slot_planner_api"].spec.to_dict()
        ops = {}
        for path, item in spec.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters":
                    continue
                params = [*shared, *op.get("parameters", [])]
                ops[(method.upper(), path)] = {
                    "query": {p["name"] for p in params if p.get("in") == "query"},
                    # An optional body (a release's {worker_id?}) may be left out.
                    "body": bool(op.get("requestBody", {}).get("required", False)),
                }
        current_app.extensions[SPEC_KEY] = ops
    return ops


def check_body() -> None:
    """Before anything reads the body (the role check may): JSON only, and JSON the service can hold."""
    if request.method in STATE_CHANGING and (_has_body() or request.mimetype) and not _is_json(request.mimetype):
        raise UnsupportedMediaType(
            f"the body must be application/json, not {request.mimetype or 'untyped'}",
            errors=[{"field": "Content-Type", "message": "must be application/json"}])
    if _has_body() and _is_json(request.mimetype):
        g.json_body = safe_json(request.get_data(cache=True))


def check_shape() -> None:
    """After the role check (a caller who may not call it learns nothing of its shape): the operation's
    documented query parameters only, and its body when it has one."""
    if request.url_rule is None:
        return
    op = _operations().get((request.method if request.method != "HEAD" else "GET",
                            openapi_path(request.url_rule.rule)))
    if op is None:
        return  # not an API operation (documentation pages, assets)
    unknown = sorted(set(request.args) - op["query"])
    if unknown:
        raise Unprocessable(f"unknown query parameter(s): {', '.join(unknown)}",
                            errors=[{"field": name, "message": "Unknown field."} for name in unknown])
    if op["body"] and not _has_body():
        raise Unprocessable("a JSON body is required", errors=[{"field": "body", "message": "Missing JSON body."}])


def init_app(app: Flask) -> None:
    """Register the body checks; `check_shape` is registered by the app factory after the role check."""
    app.before_request(check_body)
