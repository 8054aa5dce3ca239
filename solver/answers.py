"""The v2 answers' JSON shapes (takeable, explain, next): one dump function per shape, used by the CLI
and the HTTP API alike. Times carry the offset of the scenario's zone; ids "in id order" are sorted
as strings (the contract's rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from solver.domain import Scenario
from solver.explain import Explanation
from solver.next_slots import DaySlot, NextAnswer
from solver.schema import dump_candidates
from solver.takeable import TakeableAnswer


def _time(value: datetime, scenario: Scenario) -> str:
    return value.astimezone(scenario.zone).isoformat()


def dump_takeable(answer: TakeableAnswer) -> dict[str, Any]:
    return {
        "worker": answer.worker,
        "date": None if answer.date is None else answer.date.isoformat(),
        "feasible_base": answer.feasible_base,
        "takeable": list(answer.takeable),
        "undecided": list(answer.undecided),
    }


def dump_explanation(answer: Explanation, scenario: Scenario) -> dict[str, Any]:
    head: dict[str, Any] = {"start": _time(answer.start, scenario), "end": _time(answer.end, scenario),
                            "slot": answer.slot}
    if answer.slot:
        return {**head, "plan": {tid: list(ws) for tid, ws in sorted(answer.plan.items())}}
    return {**head, "reason": answer.reason, "tasks": sorted(answer.tasks), "workers": sorted(answer.workers)}


def dump_next(answer: NextAnswer, scenario: Scenario) -> dict[str, Any]:
    q = answer.query

    def slot(s: DaySlot) -> dict[str, str]:
        return {"date": s.date.isoformat(), "start": _time(s.start, scenario), "end": _time(s.end, scenario)}

    return {"from": q.start_date.isoformat(), "days": q.days, **dump_candidates(q, answer, slot)}
