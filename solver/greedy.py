"""The classic greedy answer, kept only to measure against — never used to answer users.

Free gaps = each worker's shifts minus the tasks they took; untaken tasks, in start order, go to the
first worker (scenario order) with a gap that fits them; the slots are the candidates that still fit
a remaining gap of a worker with the skill. It misses slots (a bad early choice blocks a later gap)
and offers false ones (a gap it thinks is free is needed by a task it could not place).
"""

from __future__ import annotations

import time
from datetime import timedelta

from solver.domain import ProbeStats, Scenario, Slot, SlotAnswer, SlotQuery
from solver.instance import epoch

Gap = tuple[int, int]


def _subtract(gaps: list[Gap], s: int, e: int) -> list[Gap]:
    out: list[Gap] = []
    for a, b in gaps:
        if e <= a or b <= s:
            out.append((a, b))
            continue
        if a < s:
            out.append((a, s))
        if e < b:
            out.append((e, b))
    return out


def greedy_gaps(scenario: Scenario) -> tuple[dict[str, list[Gap]], dict[str, str], list[str]]:
    """(remaining gaps per worker, greedy assignment, untaken tasks it could not place)."""
    gaps: dict[str, list[Gap]] = {
        w.id: sorted((epoch(s.start), epoch(s.end)) for s in w.shifts) for w in scenario.workers
    }
    skills = {w.id: w.skills for w in scenario.workers}
    for t in scenario.tasks:
        if t.worker_id is not None:
            gaps[t.worker_id] = _subtract(gaps[t.worker_id], epoch(t.start), epoch(t.end))
    assignment: dict[str, str] = {}
    unplaced: list[str] = []
    for t in sorted((t for t in scenario.tasks if t.worker_id is None), key=lambda t: (t.start, t.end, t.id)):
        s, e = epoch(t.start), epoch(t.end)
        for w in scenario.workers:
            if t.skill is not None and t.skill not in skills[w.id]:
                continue
            if any(a <= s and e <= b for a, b in gaps[w.id]):
                gaps[w.id] = _subtract(gaps[w.id], s, e)
                assignment[t.id] = w.id
                break
        else:
            unplaced.append(t.id)
    return gaps, assignment, unplaced


def greedy_slots(scenario: Scenario, query: SlotQuery) -> SlotAnswer:
    began = time.perf_counter()
    gaps, _, unplaced = greedy_gaps(scenario)
    starts = query.candidates(scenario)
    duration = timedelta(minutes=query.duration_minutes)
    able = [w.id for w in scenario.workers if query.skill is None or query.skill in w.skills]
    slots = []
    for st in starts:
        s, e = epoch(st), epoch(st + duration)
        if any(a <= s and e <= b for w in able for a, b in gaps[w]):
            slots.append(Slot(st, st + duration))
    stats = ProbeStats(candidates=len(starts), seconds=time.perf_counter() - began)
    # Greedy believes the day is fine whatever it could not place: that is exactly its blind spot,
    # so the answer reports feasible_base from its own view (all placed) and lists the leftovers.
    return SlotAnswer(query, not unplaced, unplaced, slots, [], stats)
