"""`solver.checker.assignment_problems` judges any plan by the contract's rules, apart from the engines."""

from __future__ import annotations

import pytest
from solver_case_kit import d23, load_example, scenario, task, worker

from solver import assert_feasible, assignment_problems, load_scenario, plan

SMALL = load_scenario(scenario([
    worker("w", ["install"], (d23("09:00"), d23("17:00"))),
    worker("v", ["repair"], (d23("09:00"), d23("18:00"))),
], [
    task("a", d23("10:00"), d23("11:00"), None, "w"),
    task("b", d23("10:30"), d23("11:30"), None),           # overlaps a (taken by w)
    task("c", d23("13:00"), d23("14:00"), "repair", None),  # w lacks repair
    task("d", d23("16:30"), d23("17:30"), None, None),     # runs past w's shift
]))
GOOD = {"b": "v", "c": "v", "d": "v"}


def test_a_valid_plan_has_no_problems() -> None:
    assert assignment_problems(SMALL, GOOD) == []
    assert_feasible(SMALL, GOOD)


@pytest.mark.parametrize(("change", "named"), [
    ({"b": "w"}, ("a", "b", "overlap")),
    ({"d": "w"}, ("d", "w", "does not fit")),
    ({"c": "w"}, ("c", "w", "does not fit")),
    ({"b": None}, ("b", "not assigned")),
    ({"a": "v"}, ("a", "taken by w")),
    ({"zz": "v"}, ("zz", "not a task")),
    ({"b": "nobody"}, ("b", "unknown worker")),
], ids=["overlap_on_a_worker", "outside_shifts", "missing_skill", "unassigned", "taken_task_moved",
        "unknown_task", "unknown_worker"])
def test_each_broken_rule_is_reported(change: dict[str, str | None], named: tuple[str, ...]) -> None:
    bad = {**GOOD, **change}
    bad = {t: w for t, w in bad.items() if w is not None}
    problems = assignment_problems(SMALL, bad)
    assert len(problems) == 1, problems
    for word in named:
        assert word in problems[0]
    with pytest.raises(AssertionError):
        assert_feasible(SMALL, bad)


def test_two_untaken_tasks_overlapping_on_one_worker() -> None:
    doc = scenario([worker("w", [], (d23("09:00"), d23("17:00")))],
                   [task("p", d23("10:00"), d23("11:00")), task("q", d23("10:59"), d23("12:00"))])
    assert assignment_problems(load_scenario(doc), {"p": "w", "q": "w"}) == ["p and q overlap on worker w"]


def test_back_to_back_is_not_an_overlap() -> None:
    doc = scenario([worker("w", [], (d23("09:00"), d23("17:00")))],
                   [task("p", d23("10:00"), d23("11:00")), task("q", d23("11:00"), d23("12:00"))])
    assert assignment_problems(load_scenario(doc), {"p": "w", "q": "w"}) == []


def test_the_trap_plan_passes_and_the_greedy_stranding_fails() -> None:
    sc = load_scenario(load_example("greedy-trap.json"))
    assert assignment_problems(sc, plan(sc).assignment) == []
    # t2 12-16 on Anna (09-13) is what a careless plan would do once Boris is "taken".
    assert assignment_problems(sc, {"t1": "boris", "t2": "anna"}) == ["t2 does not fit worker anna"]


# -- v2: crews, holders and limits ---------------------------------------------------------------------------

CREW = load_scenario(scenario([
    {**worker("ann", ["install"], (d23("09:00"), d23("17:00"))), "max_tasks": 1},
    worker("bob", ["install", "electric"], (d23("09:00"), d23("17:00"))),
    worker("eve", ["electric"], (d23("09:00"), d23("17:00"))),
], [
    {"id": "gas", "start": d23("10:00"), "end": d23("11:00"),
     "crew": [{"skill": "install", "count": 1}, {"skill": "electric", "count": 1}], "worker_ids": ["bob"]},
    task("late", d23("14:00"), d23("15:00"), "install"),
]))


@pytest.mark.parametrize(("assignment", "words"), [
    ({"gas": ["bob", "eve"], "late": "ann"}, None),
    ({"gas": ["bob", "ann"], "late": "bob"}, None),
    ({"gas": ["bob"], "late": "ann"}, "1 workers for 2 seats"),
    ({"gas": ["eve", "ann"], "late": "bob"}, "3 workers for 2 seats"),  # the holder stays on top of the two
    ({"gas": ["bob", "bob"], "late": "ann"}, "twice"),
    ({"gas": ["bob", "ann"], "late": "ann"}, "max_tasks 1"),
], ids=["holder_and_electrician", "holder_moves_to_the_electric_seat", "seat_left_open", "holder_dropped",
        "one_worker_two_seats", "limit"])
def test_crews_holders_and_limits_are_judged(assignment: dict, words: str | None) -> None:
    problems = assignment_problems(CREW, assignment)
    if words is None:
        assert problems == []
    else:
        assert any(words in p for p in problems), problems


def test_two_installers_cannot_fill_an_install_and_electric_crew() -> None:
    sc = load_scenario(scenario([worker("a", ["install"], (d23("09:00"), d23("17:00"))),
                                 worker("b", ["install"], (d23("09:00"), d23("17:00")))],
                                [{"id": "gas", "start": d23("10:00"), "end": d23("11:00"),
                                  "crew": [{"skill": "install", "count": 1}, {"skill": "electric", "count": 1}]}]))
    assert assignment_problems(sc, {"gas": ["a", "b"]}) == [
        "gas does not fit worker a, b (no seat for every worker by skill)"]
