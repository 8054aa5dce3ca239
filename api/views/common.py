"""What every blueprint shares: the URL prefix and the problem+json responses it documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import Blueprint

from api.errors import PROBLEM
from api.schemas import ProblemSchema

PREFIX = "/api/v1"
F = TypeVar("F", bound=Callable[..., Any])

_DESCRIPTIONS = {400: "Malformed request", 404: "Not found", 409: "Conflict (names the tasks)",
                 422: "Invalid input", 503: "Database unavailable or change not provable in time"}


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem+json responses of a view."""

    def deco(fn: F) -> F:
        for code in codes:
            fn = blp.alt_response(code, schema=ProblemSchema, content_type=PROBLEM,
                                  description=_DESCRIPTIONS[code])(fn)
        return fn

    return deco
