"""slot-planner's pure core: domain, contract schemas, the CP-SAT model, slot probing, the greedy baseline.

No Flask, no database: dataclasses in, dataclasses out.
"""

from solver.checker import assert_feasible, assignment_problems
from solver.domain import (
    CrewEntry,
    InvalidInput,
    PlanResult,
    ProbeStats,
    Scenario,
    Shift,
    Slot,
    SlotAnswer,
    SlotQuery,
    Status,
    Task,
    Worker,
)
from solver.greedy import greedy_slots
from solver.options import SolverOptions
from solver.plan import plan
from solver.schema import dump_answer, load_scenario, load_slot_query
from solver.slots import find_slots

__all__ = [
    "CrewEntry", "InvalidInput", "PlanResult", "ProbeStats", "Scenario", "Shift", "Slot", "SlotAnswer", "SlotQuery",
    "SolverOptions",
    "Status", "Task", "Worker", "assert_feasible", "assignment_problems", "dump_answer", "find_slots",
    "greedy_slots", "load_scenario", "load_slot_query", "plan",
]
