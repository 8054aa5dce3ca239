"""The contract's invalid-input rules: a scenario whose taken tasks break the rules by themselves.

Each rule raises `InvalidInput` whose message names every offending id, so the user can fix the
input in one pass per rule.
"""

from __future__ import annotations

from collections import Counter

from solver.domain import InvalidInput, Scenario, Task, Worker


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def task_fits(task: Task, worker: Worker) -> bool:
    """The contract's "fits": inside one shift of the worker, and the worker has the task's skill."""
    if task.skill is not None and task.skill not in worker.skills:
        return False
    return any(s.start <= task.start and task.end <= s.end for s in worker.shifts)


def validate_scenario(scenario: Scenario) -> None:
    dup = _duplicates([w.id for w in scenario.workers])
    if dup:
        raise InvalidInput(f"duplicate worker ids: {', '.join(dup)}", field="workers", ids=tuple(dup))
    dup = _duplicates([t.id for t in scenario.tasks])
    if dup:
        raise InvalidInput(f"duplicate task ids: {', '.join(dup)}", field="tasks", ids=tuple(dup))

    bad_shifts = [w.id for w in scenario.workers if any(s.start >= s.end for s in w.shifts)]
    if bad_shifts:
        raise InvalidInput(
            f"shift start must be before its end for workers: {', '.join(bad_shifts)}",
            field="workers", ids=tuple(bad_shifts),
        )
    bad_tasks = [t.id for t in scenario.tasks if t.start >= t.end]
    if bad_tasks:
        raise InvalidInput(
            f"task start must be before its end: {', '.join(bad_tasks)}", field="tasks", ids=tuple(bad_tasks)
        )

    overlapping = []
    for w in scenario.workers:
        shifts = sorted(w.shifts, key=lambda s: s.start)
        if any(a.end > b.start for a, b in zip(shifts, shifts[1:], strict=False)):
            overlapping.append(w.id)
    if overlapping:
        raise InvalidInput(
            f"overlapping shifts of one worker: {', '.join(overlapping)}", field="workers",
            ids=tuple(overlapping),
        )

    workers = {w.id: w for w in scenario.workers}
    unknown = [t.id for t in scenario.tasks if t.worker_id is not None and t.worker_id not in workers]
    if unknown:
        names = ", ".join(
            f"{t.id} (worker_id {t.worker_id})" for t in scenario.tasks if t.id in set(unknown)
        )
        raise InvalidInput(f"tasks taken by an unknown worker: {names}", field="tasks", ids=tuple(unknown))

    misfit = [t for t in scenario.tasks if t.worker_id is not None and not task_fits(t, workers[t.worker_id])]
    if misfit:
        names = ", ".join(f"{t.id} (worker {t.worker_id})" for t in misfit)
        raise InvalidInput(
            f"taken tasks that do not fit their own worker (outside every shift, or missing skill): {names}",
            field="tasks", ids=tuple(t.id for t in misfit),
        )

    clashes: list[str] = []
    by_worker: dict[str, list[Task]] = {}
    for t in scenario.tasks:
        if t.worker_id is not None:
            by_worker.setdefault(t.worker_id, []).append(t)
    for wid, tasks in sorted(by_worker.items()):
        tasks.sort(key=lambda t: t.start)
        latest = tasks[0]
        for t in tasks[1:]:
            if t.start < latest.end:
                clashes.append(f"{latest.id} and {t.id} (worker {wid})")
            if t.end > latest.end:
                latest = t
    if clashes:
        ids = tuple(sorted({part.split(" ")[0] for c in clashes for part in c.split(" and ")}))
        raise InvalidInput(f"overlapping taken tasks of one worker: {'; '.join(clashes)}", field="tasks", ids=ids)
