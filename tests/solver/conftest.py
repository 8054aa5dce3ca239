"""Fixtures of the solver tests (no database, no service)."""

from __future__ import annotations

import pytest

from solver.slots import ENGINES


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every named case must hold for the production engine and for the plain CP-SAT reference."""
    return request.param
