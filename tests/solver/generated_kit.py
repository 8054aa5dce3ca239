"""A generated day (benchmarks.generate), optionally with crews, compiled and planned: the starting point of the
property tests of the plan-mending heuristics (`test_displace`, `test_pull_back`)."""

from __future__ import annotations

from benchmarks.crews import to_crews
from benchmarks.generate import generate_day
from solver.domain import Scenario, Status
from solver.instance import Instance, compile_scenario
from solver.plan import plan_instance


def planned_day(workers: int, utilisation: float, seed: int, *, crews_tag: str | None = None
                ) -> tuple[Scenario, Instance, dict[int, int]]:
    """The day, its instance and a plan of it (`crews_tag`: the day turned into a crew day under that name)."""
    bench = generate_day(workers, utilisation, seed)
    if crews_tag is not None:
        bench = to_crews(bench, crews_tag, seed)
    scenario = bench.scenario()
    inst = compile_scenario(scenario)
    found = plan_instance(inst)
    assert found.status is Status.FEASIBLE
    return scenario, inst, found.assignment
