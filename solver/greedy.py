"""The classic greedy answer, kept only to measure against — never used to answer users.

Free gaps = each worker's shifts minus the tasks they took; untaken tasks, in start order, go to the
first worker (scenario order) with a gap that fits them (a crew: its seats first-fit, one after the
other); the slots are the candidates whose seats still fit remaining gaps of workers with the skills.
It misses slots (a bad early choice blocks a later gap) and offers false ones (a gap it thinks is free
is needed by a task it could not place).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from solver.domain import ProbeStats, Scenario, Slot, SlotAnswer, SlotQuery, Task
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


def _open_skills(task: Task, skills: dict[str, frozenset[str]]) -> list[str | None]:
    """The skills of a task's open seats, the holders seated first-come (greedy, like the rest)."""
    seats = [c.skill for c in task.crew for _ in range(c.count)]
    for h in task.holders:
        k = next((i for i, sk in enumerate(seats) if sk is None or sk in skills[h]), None)
        if k is not None:
            del seats[k]
    return seats[:task.open_seats]


@dataclass
class _Staff:
    """Workers in scenario order, their skills and their remaining gaps."""

    order: list[str]
    skills: dict[str, frozenset[str]]
    gaps: dict[str, list[Gap]]

    def first_fit(self, seats: list[str | None], s: int, e: int, busy: set[str]) -> list[str] | None:
        """Seats in order, each to the first worker (scenario order) with the skill and a gap that fits."""
        chosen: list[str] = []
        for skill in seats:
            w = next((w for w in self.order if w not in busy and w not in chosen and self._fits(w, skill, s, e)),
                     None)
            if w is None:
                return None
            chosen.append(w)
        return chosen

    def _fits(self, w: str, skill: str | None, s: int, e: int) -> bool:
        return (skill is None or skill in self.skills[w]) and any(a <= s and e <= b for a, b in self.gaps[w])


def greedy_gaps(scenario: Scenario) -> tuple[dict[str, list[Gap]], dict[str, tuple[str, ...]], list[str]]:
    """(remaining gaps per worker, greedy workers of each task's open seats, tasks it could not staff).

    Crews: a task's open seats are filled first-fit in crew order; a task it cannot fully staff keeps
    none of them. Daily limits are ignored, as a gap view does."""
    gaps: dict[str, list[Gap]] = {
        w.id: sorted((epoch(s.start), epoch(s.end)) for s in w.shifts) for w in scenario.workers
    }
    skills = {w.id: w.skills for w in scenario.workers}
    staff = _Staff([w.id for w in scenario.workers], skills, gaps)
    for t in scenario.tasks:
        for h in t.holders:
            gaps[h] = _subtract(gaps[h], epoch(t.start), epoch(t.end))
    assignment: dict[str, tuple[str, ...]] = {}
    unplaced: list[str] = []
    for t in sorted((t for t in scenario.tasks if t.open_seats), key=lambda t: (t.start, t.end, t.id)):
        s, e = epoch(t.start), epoch(t.end)
        chosen = staff.first_fit(_open_skills(t, skills), s, e, set(t.holders))
        if chosen is None:
            unplaced.append(t.id)
            continue
        for w in chosen:
            gaps[w] = _subtract(gaps[w], s, e)
        assignment[t.id] = tuple(chosen)
    return gaps, assignment, unplaced


def greedy_slots(scenario: Scenario, query: SlotQuery) -> SlotAnswer:
    began = time.perf_counter()
    gaps, _, unplaced = greedy_gaps(scenario)
    starts = query.candidates(scenario)
    duration = timedelta(minutes=query.duration_minutes)
    staff = _Staff([w.id for w in scenario.workers], {w.id: w.skills for w in scenario.workers}, gaps)
    seats = [c.skill for c in query.seats for _ in range(c.count)]
    slots = []
    for st in starts:
        s, e = epoch(st), epoch(st + duration)
        if staff.first_fit(seats, s, e, set()) is not None:
            slots.append(Slot(st, st + duration))
    stats = ProbeStats(candidates=len(starts), seconds=time.perf_counter() - began)
    # Greedy believes the day is fine whatever it could not place: that is exactly its blind spot,
    # so the answer reports feasible_base from its own view (all placed) and lists the leftovers.
    return SlotAnswer(query, not unplaced, unplaced, slots, [], stats)
