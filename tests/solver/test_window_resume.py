"""A slot probe that a first pass cut off resumes at the window it was in (`solver.neighbourhood.settle`'s
`skip`): the narrower windows are not tried again, and what the wider one finds is still a valid plan. And after
a window CP-SAT proved without a plan (in at least `growth_after` seconds) the next tried is one at least
`growth` times as wide, or the widest."""

from __future__ import annotations

import pytest

from solver import load_scenario
from solver.assign import Assignment, is_valid
from solver.domain import Status
from solver.instance import Instance, TimeIndex, compile_scenario
from solver.model import solve
from solver.neighbourhood import settle, windows
from solver.options import SolverOptions

# Two installers on one morning, four untaken tasks: the last one is left out of the plan, so a window
# around it must place it (three windows: 1 h, 3 h and 8 h around it).
DOC = {
    "timezone": "UTC", "day_start": "03:00",
    "workers": [{"id": w, "skills": ["install"], "shifts": [{"start": "2026-11-23T08:00", "end": "2026-11-23T14:00"}]}
                for w in ("anna", "boris")],
    "tasks": [{"id": f"t{k}", "start": f"2026-11-23T{h}", "end": f"2026-11-23T{e}", "skill": "install"}
              for k, (h, e) in enumerate([("08:00", "10:00"), ("09:00", "11:00"), ("10:00", "12:00"),
                                          ("11:00", "13:00")])],
}


def _setup() -> tuple[Instance, Assignment, int]:
    inst = compile_scenario(load_scenario(DOC))
    plan = solve(inst).assignment
    leftover = max(plan)
    a = Assignment(inst, {t: w for t, w in plan.items() if t != leftover})
    return inst, a, leftover


def test_a_resumed_probe_starts_at_its_window() -> None:
    inst, a, leftover = _setup()
    options = SolverOptions()
    count = len(list(windows(inst, TimeIndex(inst), a, [leftover], options)))
    assert count == 3
    for skip in range(count):
        tried: list[int] = []
        found = settle(inst, TimeIndex(inst), a, [leftover], options, time_left=lambda: 5.0, skip=skip,
                       on_window=tried.append)
        assert tried and tried[0] == skip  # nothing narrower than where it resumed
        assert isinstance(found, dict)
        placed = {**a.of, **found}
        assert leftover in placed
        assert is_valid(inst, placed)


@pytest.mark.parametrize("proof", [Status.INFEASIBLE, None])
def test_after_a_window_proved_without_a_plan_only_a_window_twice_as_wide_or_the_widest_is_tried(
        monkeypatch: pytest.MonkeyPatch, proof: Status | None) -> None:
    """The growth rule skips windows only after CP-SAT *proved* a window's pins leave no plan, and spent at least
    `growth_after` seconds on it; a window that merely ran out of time (None) skips nothing."""
    inst, a, leftover = _setup()
    sizes = [len(items) for items, _, _ in windows(inst, TimeIndex(inst), a, [leftover], SolverOptions())]
    tried: list[int] = []
    clock = [0.0]

    def no_plan(inst: Instance, base: Assignment, free: list[int], **_: object) -> Status | None:
        tried.append(len(free))
        clock[0] += 0.5  # each model half a second
        return proof

    monkeypatch.setattr("solver.neighbourhood.restricted", no_plan)
    monkeypatch.setattr("solver.neighbourhood.time.perf_counter", lambda: clock[0])
    cases = [(0.0, 0.0, sizes), (2.0, 0.3, _grown(sizes, 2.0) if proof else sizes),
             (2.0, 0.6, sizes),  # proofs quicker than 0.6 s: nothing skipped
             (100.0, 0.0, [sizes[0], sizes[-1]] if proof else sizes)]
    for growth, after, expected in cases:
        tried.clear()
        assert settle(inst, TimeIndex(inst), a, [leftover], SolverOptions(), time_left=lambda: 5.0,
                      growth=growth, growth_after=after) is None
        assert tried == expected


def _grown(sizes: list[int], growth: float) -> list[int]:
    """The windows tried when none finds a plan: the first, then each at least `growth` times the last tried,
    and the widest whatever its size."""
    out = [sizes[0]]
    for k, size in enumerate(sizes[1:], 1):
        if size >= growth * out[-1] or k == len(sizes) - 1:
            out.append(size)
    return out
