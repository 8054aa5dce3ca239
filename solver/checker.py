"""A solver-independent judge: does an assignment really cover a scenario by the contract's rules?

It works on the domain objects (datetimes), not on the integer `Instance` the engines share, so a
bug in compilation cannot hide a bug in an engine. Every answer — CP-SAT's, a shortcut's, greedy's —
is judged by these same rules in tests and benchmarks.
"""

from __future__ import annotations

from solver.domain import Scenario
from solver.validate import task_fits


def assignment_problems(scenario: Scenario, assignment: dict[str, str]) -> list[str]:
    """Everything wrong with `assignment` (untaken task id -> worker id); empty when it is a valid plan."""
    problems: list[str] = []
    workers = {w.id: w for w in scenario.workers}
    owner: dict[str, str] = {}
    for t in scenario.tasks:
        if t.worker_id is not None:
            owner[t.id] = t.worker_id
            if t.id in assignment and assignment[t.id] != t.worker_id:
                problems.append(f"{t.id} is taken by {t.worker_id} but assigned to {assignment[t.id]}")
        elif t.id not in assignment:
            problems.append(f"{t.id} is not assigned")
        else:
            owner[t.id] = assignment[t.id]
    known = {t.id for t in scenario.tasks}
    problems.extend(f"{tid} is not a task of the scenario" for tid in assignment if tid not in known)

    by_worker: dict[str, list] = {}
    for t in scenario.tasks:
        wid = owner.get(t.id)
        if wid is None:
            continue
        if wid not in workers:
            problems.append(f"{t.id} is assigned to unknown worker {wid}")
            continue
        if not task_fits(t, workers[wid]):
            problems.append(f"{t.id} does not fit worker {wid}")
        by_worker.setdefault(wid, []).append(t)
    for wid, tasks in by_worker.items():
        tasks.sort(key=lambda t: t.start)
        for a, b in zip(tasks, tasks[1:], strict=False):
            if b.start < a.end:
                problems.append(f"{a.id} and {b.id} overlap on worker {wid}")
    return problems


def assert_feasible(scenario: Scenario, assignment: dict[str, str]) -> None:
    problems = assignment_problems(scenario, assignment)
    if problems:
        raise AssertionError("invalid assignment: " + "; ".join(problems))
