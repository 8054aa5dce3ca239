"""The greedy baseline (kept only for benchmarks) is wrong where the exact engine is right.

If greedy matched the exact answer on the seed's trap, the benchmark's contrast would be empty; these
cases pin down both of its failure modes: a missed slot and a false slot.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from solver_case_kit import d23, load_example, scenario, task, worker

from solver import find_slots, greedy_slots, load_scenario
from solver.domain import SlotAnswer, SlotQuery
from solver.greedy import greedy_gaps
from solver.options import SolverOptions

DAY = date(2026, 11, 23)
MSK = ZoneInfo("Europe/Moscow")


def msk_hhmm(ans: SlotAnswer) -> set[str]:
    """Slot starts as Moscow wall-clock HH:MM."""
    return {s.start.astimezone(MSK).strftime("%H:%M") for s in ans.slots}


def test_greedy_misses_a_slot_on_the_trap() -> None:
    sc = load_scenario(load_example("greedy-trap.json"))
    query = SlotQuery(DAY, 60, 30)
    exact = msk_hhmm(find_slots(sc, query, SolverOptions(verify=True)))
    greedy = msk_hhmm(greedy_slots(sc, query))
    # Greedy hands t1 to Anna (first in order) and t2 to Boris, then sees Anna free only 09-10 and
    # 12-13 and Boris 09-12: no hour at 11:30. Moving t1 to Boris frees Anna 11:30-12:30.
    assert exact - greedy == {"11:30"}
    assert greedy <= exact


def test_greedy_misses_two_slots_on_the_trap_at_90_minutes() -> None:
    sc = load_scenario(load_example("greedy-trap.json"))
    query = SlotQuery(DAY, 90, 30)
    assert msk_hhmm(find_slots(sc, query)) - msk_hhmm(greedy_slots(sc, query)) == {"11:00", "11:30"}


BORIS_FIRST = scenario([
    worker("boris", ["install"], (d23("09:00"), d23("17:00"))),
    worker("anna", ["install"], (d23("09:00"), d23("13:00"))),
], [
    task("t1", d23("10:00"), d23("12:00"), "install"),
    task("t2", d23("11:00"), d23("16:00"), "install"),
])


def test_greedy_strands_a_task_and_offers_false_slots() -> None:
    sc = load_scenario(BORIS_FIRST)
    # Greedy gives t1 to Boris (first in order); t2 11-16 then fits nobody.
    _, assignment, unplaced = greedy_gaps(sc)
    assert (assignment, unplaced) == ({"t1": ("boris",)}, ["t2"])
    query = SlotQuery(DAY, 60, 60)
    greedy = greedy_slots(sc, query)
    exact = find_slots(sc, query, SolverOptions(verify=True))
    # The day is fine (t2 on Boris, t1 on Anna): free Anna 09-10, 12-13 and Boris 09-11, 16-17.
    assert exact.feasible_base is True and greedy.feasible_base is False
    assert msk_hhmm(exact) == {"09:00", "10:00", "12:00", "16:00"}
    # Greedy offers Boris's 12-16 (t2's) and Anna's 11-12 (t1's): bookable, but nobody could do them.
    assert msk_hhmm(greedy) - msk_hhmm(exact) == {"11:00", "13:00", "14:00", "15:00"}


def test_greedy_misses_slots_on_the_demo_day() -> None:
    sc = load_scenario(load_example("demo-day.json"))
    query = SlotQuery(DAY, 90, 30)
    exact = msk_hhmm(find_slots(sc, query, SolverOptions(verify=True)))
    greedy = msk_hhmm(greedy_slots(sc, query))
    # Greedy fixes t1 on Anna (Boris keeps only 09-12 free before t2) and r1 on Vera (leaving her
    # 16:30-18 and Fyodor 15-17). Exact moves t1 to Boris (Anna free to 13:00) and r1 to Fyodor.
    assert exact - greedy == {"11:00", "11:30", "16:00"}
    assert greedy <= exact  # it placed every task, so its gaps are real: it only misses here
