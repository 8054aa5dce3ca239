"""schemathesis against the live service (gunicorn + PostgreSQL): every operation of the OpenAPI document
is called with generated valid and invalid data, as an admin, and every response is checked against the
document (status codes, content types, headers, schemas), with no 5xx allowed. Seeded and bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from server_kit import gunicorn
from service_kit import add_worker, at, bearer

from api import create_app

EXAMPLES = 12  # per operation; seeded (derandomize), so a failure replays exactly

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.missing_required_header,
    checks.unsupported_method,
    checks.ignored_auth,
]


@pytest.fixture(scope="module")
def live(_session_database: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A gunicorn on the shared test database, emptied first, with a small day to act on."""
    with psycopg.connect(_session_database, autocommit=True) as conn:
        # CASCADE: and seats, crews, rosters
        conn.execute("TRUNCATE day_witness, tasks, shifts, workers, api_tokens, events CASCADE")
    auth = bearer(_session_database, "admin")
    # gunicorn answers an over-long request line itself (414, in HTML) before the app sees it, and the app
    # its own URL and header limits (414 / 431, tests/api/test_request_head.py); what is checked here is
    # the operations, so both take any length.
    with gunicorn(_session_database, threads=4, args=("--limit-request-line", "0"),
                  SLOT_PLANNER_MAX_URL_BYTES=str(2**31), SLOT_PLANNER_MAX_HEADER_BYTES=str(2**31),
                  SLOT_PLANNER_WHAT_IF_RATE_LIMIT="100000 per minute",
                  SLOT_PLANNER_SOLVER_BUDGET="2") as base:
        s = requests.Session()
        s.headers.update(auth)

        class Client:  # service_kit's helpers speak Flask's test-client dialect
            def post(self, url: str, json: Any) -> Any:
                r = s.post(base + url, json=json, timeout=30)
                r.json = r.json()  # type: ignore[method-assign]
                return r

        add_worker(Client(), "anna", ["install"], (at("09:00"), at("18:00")))
        yield base, auth


def _schema() -> Any:
    # The document is public and needs no database; the calls go to the live server (base_url below).
    document = create_app({"TESTING": True}).test_client().get("/openapi.json").get_json()
    # Schema-valid data may still break a rule OpenAPI cannot state (years 1900-9000, start before end,
    # exactly one of end / duration_minutes, a known time zone): that is a documented 422, not a failure.
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})
    return schemathesis.openapi.from_dict(document, config=config)


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Invalid data needs something to be invalid: operations without parameters or body have no negative mode.
CASES = [(op, mode) for op in OPERATIONS for mode in GenerationMode
         if mode is GenerationMode.POSITIVE or any(op.definition.raw.get(k) for k in ("parameters", "requestBody"))]


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=[f"{op.label} {mode.value}" for op, mode in CASES])
def test_the_live_service_matches_its_openapi_document(operation: Any, mode: Any,
                                                       live: tuple[str, dict[str, str]]) -> None:
    base, auth = live

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base, headers=auth, checks=CHECKS, timeout=30)

    run()
