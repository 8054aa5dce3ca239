"""Hand-worked v2 cases, each with its story: crews, holders, daily limits, and the invalid inputs.

Every case runs on both engines (the `engine` fixture) and every slot's plan is re-checked by the
independent checker (`answer` verifies).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from solver_case_kit import answer, d23, d24, hhmm, scenario, task, worker

from solver import InvalidInput, find_slots, greedy_slots, load_scenario, load_slot_query, plan
from solver.checker import assignment_problems
from solver.domain import SlotQuery, Status
from solver.greedy import greedy_gaps
from solver.options import SolverOptions

Doc = dict[str, Any]


def crew(**counts: int) -> list[Doc]:
    """`crew(install=2, any=1)`: entries in the order given; `any` is the null skill."""
    return [{"skill": None if k == "any" else k, "count": n} for k, n in counts.items()]


def crew_task(tid: str, start: str, end: str, seats: list[Doc], holders: list[str] | None = None) -> Doc:
    out: Doc = {"id": tid, "start": start, "end": end, "crew": seats}
    if holders is not None:
        out["worker_ids"] = holders
    return out


def limited(doc: Doc, **limits: int) -> Doc:
    return {**doc, **limits}


def crew_answer(doc: Doc, *, duration: int, step: int, seats: list[Doc], day: str = "2026-11-23",
                engine: str = "exact") -> Doc:
    sc = load_scenario(doc)
    query = load_slot_query({"date": day, "duration_minutes": duration, "step_minutes": step, "crew": seats})
    ans = find_slots(sc, query, SolverOptions(engine=engine, verify=True))
    return {"feasible_base": ans.feasible_base, "uncovered": ans.uncovered,
            "slots": [s.start.astimezone(sc.zone).strftime("%H:%M") for s in ans.slots],
            "undecided": ans.undecided}


# -- two-person install --------------------------------------------------------------------------------------

TWO_INSTALLERS = scenario([
    worker("anna", ["install"], (d23("09:00"), d23("17:00"))),
    worker("boris", ["install"], (d23("09:00"), d23("13:00"))),
    worker("vera", [], (d23("09:00"), d23("17:00"))),
], [task("t1", d23("10:00"), d23("11:00"), "install")])


def test_two_person_install_needs_both_installers_free(engine: str) -> None:
    # A kitchen needs two installers: Anna and Boris both, so only while Boris works (to 13:00) and
    # after the one-person install t1 10-11, which one of them must do. Vera is free all day but
    # cannot install.
    ans = crew_answer(TWO_INSTALLERS, duration=90, step=30, seats=crew(install=2), engine=engine)
    assert ans["slots"] == ["11:00", "11:30"]
    # A one-person install fits whenever one of them is free of t1.
    one = answer(TWO_INSTALLERS, duration=90, step=30, skill="install", engine=engine)
    assert hhmm(one)[:4] == ["09:00", "09:30", "10:00", "10:30"]


def test_two_person_task_held_by_one_needs_one_more() -> None:
    doc = {**TWO_INSTALLERS, "tasks": [crew_task("k", d23("12:00"), d23("13:00"), crew(install=2), ["anna"])]}
    result = plan(load_scenario(doc))
    assert result.status is Status.FEASIBLE
    assert result.assignment == {"k": ("anna", "boris")}
    doc["tasks"].append(task("x", d23("12:30"), d23("14:00"), "install"))  # Anna holds k; Boris leaves at 13
    result = plan(load_scenario(doc))
    assert result.status is Status.INFEASIBLE and result.uncovered


# -- the electrician as the bottleneck -----------------------------------------------------------------------

ELECTRICIAN = scenario([
    worker("anna", ["install"], (d23("09:00"), d23("18:00"))),
    worker("boris", ["install"], (d23("09:00"), d23("18:00"))),
    worker("eli", ["electric"], (d23("09:00"), d23("18:00"))),
], [
    task("wiring", d23("12:00"), d23("14:00"), "electric", "eli"),
    task("meter", d23("15:00"), d23("16:00"), "electric"),
])


def test_electrician_is_the_bottleneck_of_a_gas_install(engine: str) -> None:
    # Installers are free all day; the one electrician holds wiring 12-14 and must do meter 15-16.
    ans = crew_answer(ELECTRICIAN, duration=60, step=60, seats=crew(install=1, electric=1), engine=engine)
    assert ans["slots"] == ["09:00", "10:00", "11:00", "14:00", "16:00", "17:00"]


# -- daily limits --------------------------------------------------------------------------------------------

def test_a_limit_binds_although_the_worker_is_free(engine: str) -> None:
    # Anna may hold two tasks a day and holds two already: she is free 10-11 and from 12, yet no slot.
    doc = scenario([limited(worker("anna", [], (d23("09:00"), d23("18:00"))), max_tasks=2)], [
        task("a", d23("09:00"), d23("10:00"), None, "anna"),
        task("b", d23("11:00"), d23("12:00"), None, "anna"),
    ])
    assert answer(doc, duration=60, step=60, engine=engine)["slots"] == []
    # With minutes instead: 120 held of 150, so 30 more minutes fit and 60 do not.
    doc["workers"][0] = limited(worker("anna", [], (d23("09:00"), d23("18:00"))), max_minutes=150)
    assert answer(doc, duration=60, step=60, engine=engine)["slots"] == []
    assert hhmm(answer(doc, duration=30, step=60, engine=engine)) == [
        "10:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]


def test_an_untaken_task_uses_up_the_limit_of_the_only_worker_who_can_do_it(engine: str) -> None:
    # Boris (limit 1) is the only repairer; r must go to him, so he has no room for anything else.
    doc = scenario([
        limited(worker("boris", ["repair"], (d23("09:00"), d23("18:00"))), max_tasks=1),
        worker("vera", [], (d23("09:00"), d23("10:00"))),
    ], [task("r", d23("16:00"), d23("17:00"), "repair")])
    ans = answer(doc, duration=60, step=60, engine=engine)
    assert hhmm(ans) == ["09:00"]  # Vera's hour only


def test_a_task_at_02_30_counts_in_the_previous_operational_day(engine: str) -> None:
    # Nina's night shift runs 20:00-06:00 and she may hold one task a day. Her task at 02:30 (before
    # the 03:00 day start) belongs to the 23rd, so the 23rd has no room left and the 24th starts empty.
    doc = scenario([limited(worker("nina", [], (d23("20:00"), d24("06:00"))), max_tasks=1)],
                   [task("night", d24("02:30"), d24("03:30"), None, "nina")])
    assert answer(doc, duration=60, step=30, engine=engine)["slots"] == []
    nxt = answer(doc, day="2026-11-24", duration=60, step=30, engine=engine)
    assert hhmm(nxt) == ["03:30", "04:00", "04:30", "05:00"]


# -- the crew greedy trap ------------------------------------------------------------------------------------

CREW_TRAP = scenario([
    worker("fay", ["electric", "install"], (d23("09:00"), d23("17:00"))),
    worker("ian", ["install"], (d23("09:00"), d23("17:00"))),
    worker("eve", ["electric"], (d23("09:00"), d23("17:00"))),
], [
    crew_task("gas", d23("10:00"), d23("12:00"), crew(install=1, electric=1)),
    task("meter", d23("10:00"), d23("12:00"), "electric"),
])


def test_crew_greedy_trap_flexible_worker_on_the_wrong_seat(engine: str) -> None:
    # First-fit seats Fay (first installer) on gas's install seat and Eve on its electric seat, and meter
    # (electric) is stranded. The day is fine: Ian installs, Fay and Eve do the electric work.
    _, staffed, stranded = greedy_gaps(load_scenario(CREW_TRAP))
    assert staffed == {"gas": ("fay", "eve")} and stranded == ["meter"]
    result = plan(load_scenario(CREW_TRAP))
    assert result.status is Status.FEASIBLE
    assert result.assignment["gas"][0] == "ian" and result.assignment["meter"] != ("ian",)
    ans = crew_answer(CREW_TRAP, duration=60, step=60, seats=crew(electric=1), engine=engine)
    # Both electricians are busy 10-12: no electric slot then; greedy thinks the day is broken.
    assert ans["feasible_base"] is True
    assert ans["slots"] == ["09:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    greedy = greedy_slots(load_scenario(CREW_TRAP), SlotQuery(date(2026, 11, 23), 60, 60, "electric"))
    assert greedy.feasible_base is False


def test_a_holder_with_two_skills_sits_where_the_others_cannot(engine: str) -> None:
    # Fay holds a seat of gas and could sit in either; only Ian (install) is left to join, so Fay must
    # take the electric seat. The plan says so, and a slot for an installer 10-12 is gone.
    doc = {**CREW_TRAP, "workers": CREW_TRAP["workers"][:2],
           "tasks": [crew_task("gas", d23("10:00"), d23("12:00"), crew(install=1, electric=1), ["fay"])]}
    result = plan(load_scenario(doc))
    assert result.status is Status.FEASIBLE and result.assignment == {"gas": ("fay", "ian")}
    assert assignment_problems(load_scenario(doc), result.assignment) == []
    ans = answer(doc, duration=60, step=60, skill="install", engine=engine)
    assert hhmm(ans) == ["09:00", "12:00", "13:00", "14:00", "15:00", "16:00"]


# -- honest unknowns -----------------------------------------------------------------------------------------

def test_an_undecided_base_is_unknown_never_infeasible() -> None:
    # One worker with a one-task limit and two tasks: infeasible, but only a solver sees it (no overlap,
    # so no matching argument). With no time for the solver the answer must say "unknown".
    doc = scenario([limited(worker("w", [], (d23("09:00"), d23("18:00"))), max_tasks=1)],
                   [task("a", d23("09:00"), d23("10:00")), task("b", d23("11:00"), d23("12:00"))])
    sc = load_scenario(doc)
    query = SlotQuery(date(2026, 11, 23), 60, 60)
    rushed = SolverOptions(base_time_limit=0)
    ans = find_slots(sc, query, rushed)
    assert ans.feasible_base is None and ans.uncovered == [] and ans.slots == []
    assert len(ans.undecided) == len(query.candidates(sc))
    assert plan(sc, rushed).status is Status.UNKNOWN and plan(sc, rushed).uncovered == []
    settled = find_slots(sc, query)
    assert settled.feasible_base is False and settled.uncovered
    assert plan(sc).status is Status.INFEASIBLE


def test_max_slots_stops_early() -> None:
    sc = load_scenario(TWO_INSTALLERS)
    query = SlotQuery(date(2026, 11, 23), 60, 60)
    assert [s.start for s in find_slots(sc, query, SolverOptions(max_slots=2)).slots] == [
        s.start for s in find_slots(sc, query).slots][:2]


# -- invalid input names the ids -----------------------------------------------------------------------------

BASE_WORKERS = [
    worker("a", ["install"], (d23("09:00"), d23("17:00"))),
    worker("b", ["electric"], (d23("09:00"), d23("17:00"))),
]


@pytest.mark.parametrize(("tasks", "workers", "named", "words"), [
    ([crew_task("k", d23("10:00"), d23("11:00"), [{"skill": "install", "count": 1}] * 2)], None, "k", "more than once"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(install=0))], None, "k", "between 1 and 20"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(install=21))], None, "k", "between 1 and 20"),
    ([crew_task("k", d23("10:00"), d23("11:00"), [])], None, "k", "empty"),
    ([{**crew_task("k", d23("10:00"), d23("11:00"), crew(install=1)), "skill": "install"}], None, "k", "both"),
    ([{**task("k", d23("10:00"), d23("11:00"), None, "a"), "worker_ids": ["a"]}], None, "k", "worker_ids"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(install=1), ["a", "b"])], None, "k", "more holders"),
    ([crew_task("k", d23("08:00"), d23("11:00"), crew(any=2), ["a"])], None, "k", "not fit"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(install=1, any=1), ["b", "b"])], None, "k", "more than once"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(install=1, any=1), ["b", "zed"])], None, "k", "unknown"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(electric=1, install=1), ["b", "b2"])],
     [worker("b2", ["electric"], (d23("09:00"), d23("17:00")))], "k", "distinct seats"),
    ([crew_task("k", d23("10:00"), d23("11:00"), crew(any=2), ["a"]),
      crew_task("m", d23("10:30"), d23("12:00"), crew(any=1), ["a"])], None, "m", "overlapping"),
    ([task("p", d23("10:00"), d23("11:00"), None, "a"), task("q", d23("12:00"), d23("13:00"), None, "a")],
     "limit", "a", "limit"),
])
def test_invalid_crews_and_holders_are_named(tasks: list[Doc], workers: Any, named: str, words: str) -> None:
    ws = list(BASE_WORKERS)
    if workers == "limit":
        ws[0] = limited(ws[0], max_tasks=1)
    elif workers:
        ws += workers
    with pytest.raises(InvalidInput) as exc:
        load_scenario(scenario(ws, tasks))
    assert named in exc.value.message and named in exc.value.ids
    assert words in exc.value.message


@pytest.mark.parametrize("body", [
    {"crew": crew(install=1), "skill": "install"},
    {"crew": []},
    {"crew": crew(install=30)},
])
def test_invalid_crew_queries(body: Doc) -> None:
    with pytest.raises(InvalidInput):
        load_slot_query({"date": "2026-11-23", "duration_minutes": 60, **body})
