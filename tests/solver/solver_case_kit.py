"""Small builders for contract documents and a runner for the offline CLI, shared by the solver tests.

Scenarios are written as the contract's JSON documents (plain dicts), so every named case goes
through the same schema and validation as a user's file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from solver import dump_answer, find_slots, load_scenario
from solver.domain import SlotQuery
from solver.options import SolverOptions

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
MSK = "Europe/Moscow"
DAY = "2026-11-23"

# The contract's answer object, field by field, in the order its example prints them.
ANSWER_FIELDS = [
    "date", "duration_minutes", "step_minutes", "skill", "crew", "feasible_base", "uncovered", "slots", "undecided",
]

Doc = dict[str, Any]


def d23(hhmm: str) -> str:
    """Wall-clock time on 2026-11-23 (the operational day of most cases)."""
    return f"2026-11-23T{hhmm}"


def d24(hhmm: str) -> str:
    """Wall-clock time on 2026-11-24: after midnight, still day 2026-11-23 until 03:00."""
    return f"2026-11-24T{hhmm}"


def worker(wid: str, skills: list[str], *shifts: tuple[str, str]) -> Doc:
    return {"id": wid, "skills": skills, "shifts": [{"start": s, "end": e} for s, e in shifts]}


def task(tid: str, start: str, end: str, skill: str | None = None, worker_id: str | None = None) -> Doc:
    return {"id": tid, "start": start, "end": end, "skill": skill, "worker_id": worker_id}


def scenario(workers: Sequence[Doc], tasks: Sequence[Doc] = (), *, timezone: str = MSK,
             day_start: str = "03:00") -> Doc:
    return {"timezone": timezone, "day_start": day_start, "workers": list(workers), "tasks": list(tasks)}


def load_example(name: str) -> Doc:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def answer(doc: Doc, *, day: str = DAY, duration: int, step: int, skill: str | None = None,
           engine: str = "exact") -> Doc:
    """The contract's JSON answer for `doc`, every slot's plan re-checked by the independent checker."""
    sc = load_scenario(doc)
    query = SlotQuery(date.fromisoformat(day), duration, step, skill)
    return dump_answer(find_slots(sc, query, SolverOptions(engine=engine, verify=True)), sc)


def starts(ans: Doc) -> list[str]:
    """Slot starts exactly as printed (ISO 8601 with the zone's offset)."""
    return [s["start"] for s in ans["slots"]]


def hhmm(ans: Doc) -> list[str]:
    """Slot starts as local HH:MM, for cases whose slots all lie on one calendar date."""
    return [s["start"][11:16] for s in ans["slots"]]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m solver ARGS` in a fresh interpreter, from the repository root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "solver", *args], input=stdin, capture_output=True, text=True,
        cwd=REPO_ROOT, timeout=120, check=False,
    )
