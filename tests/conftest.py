"""Suite-wide pytest configuration.

Keep each concern in its own clearly named block: the solver tests use only the paths block below;
the service / database fixtures belong in their own block, added alongside.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --- import path -----------------------------------------------------------------------------------
# pytest puts tests/ on sys.path (rootdir-less conftest), where tests/solver/ and tests/api/ look like
# namespace packages and would shadow the real `solver` and `api` (installed editable, found after
# sys.path). A regular package on sys.path wins over namespace folders, so the repo root goes first.

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# --- paths (used by tests/solver) -----------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root: the CLI runs from here and `examples/` lives here."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def examples_dir(repo_root: Path) -> Path:
    return repo_root / "examples"
