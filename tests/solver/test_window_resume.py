"""A slot probe that a first pass cut off resumes at the window it was in (`solver.neighbourhood.settle`'s
`skip`): the narrower windows are not tried again, and what the wider one finds is still a valid plan. And after
a window without a plan the next tried is one at least `growth` times as wide, or the widest."""

from __future__ import annotations

from solver import load_scenario
from solver.assign import Assignment, is_valid
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


def test_after_a_window_without_a_plan_only_a_window_twice_as_wide_or_the_widest_is_tried(monkeypatch) -> None:  # noqa: ANN001
    inst, a, leftover = _setup()
    sizes = [len(items) for items, _, _ in windows(inst, TimeIndex(inst), a, [leftover], SolverOptions())]
    tried: list[int] = []

    def no_plan(inst: Instance, base: Assignment, free: list[int], **_: object) -> None:
        tried.append(len(free))  # as CP-SAT finding no plan in its time

    monkeypatch.setattr("solver.neighbourhood.restricted", no_plan)
    for growth, expected in ((0.0, sizes), (2.0, _grown(sizes, 2.0)), (100.0, [sizes[0], sizes[-1]])):
        tried.clear()
        assert settle(inst, TimeIndex(inst), a, [leftover], SolverOptions(), time_left=lambda: 5.0,
                      growth=growth) is None
        assert tried == expected


def _grown(sizes: list[int], growth: float) -> list[int]:
    """The windows tried when none finds a plan: the first, then each at least `growth` times the last tried,
    and the widest whatever its size."""
    out = [sizes[0]]
    for k, size in enumerate(sizes[1:], 1):
        if size >= growth * out[-1] or k == len(sizes) - 1:
            out.append(size)
    return out
