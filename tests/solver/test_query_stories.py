"""Hand-worked stories for takeable, explain and next with crews, holders and limits (one story each)."""

from __future__ import annotations

from datetime import date
from typing import Any

from solver_case_kit import d23, d24, scenario, task, worker

from solver import load_scenario
from solver.answers import dump_explanation, dump_next, dump_takeable
from solver.explain import explain
from solver.next_slots import next_slots
from solver.options import SolverOptions
from solver.queries import load_explain_query, load_next_query, load_takeable_query
from solver.takeable import takeable

Doc = dict[str, Any]


def limited(doc: Doc, **limits: int) -> Doc:
    return {**doc, **limits}


def crew_task(tid: str, start: str, end: str, crew: list[tuple[str | None, int]], holders: list[str] = ()) -> Doc:
    return {"id": tid, "start": start, "end": end, "crew": [{"skill": s, "count": c} for s, c in crew],
            "worker_ids": list(holders)}


def do_explain(doc: Doc, **query: Any) -> Doc:
    sc = load_scenario(doc)
    return dump_explanation(explain(sc, load_explain_query(query, sc)), sc)


def do_takeable(doc: Doc, **query: Any) -> Doc:
    sc = load_scenario(doc)
    return dump_takeable(takeable(sc, load_takeable_query(query, sc)))


def test_a_limit_binds_although_the_installer_is_free() -> None:
    """Ivan works 08-18 and may hold 90 minutes a day; a 120-minute job cannot be his, nor anybody's."""
    doc = scenario([limited(worker("ivan", ["install"], (d23("08:00"), d23("18:00"))), max_minutes=90)])
    out = do_explain(doc, start=d23("10:00"), duration_minutes=120, skill="install")
    assert (out["reason"], out["tasks"], out["workers"]) == ("conflict", [], ["ivan"])
    assert do_explain(doc, start=d23("10:00"), duration_minutes=90, skill="install")["slot"] is True


def test_a_task_at_0230_counts_in_the_previous_operational_day() -> None:
    """Olga may hold one task a day and holds one at 02:30 on the 24th, which is still the 23rd's: an evening
    task on the 23rd is refused because of it, and a morning task on the 24th is not."""
    olga = limited(worker("olga", [], (d23("18:00"), d24("10:00"))), max_tasks=1)
    doc = scenario([olga], [task("late", d24("02:30"), d24("03:30"), None, "olga")])
    refused = do_explain(doc, start=d23("20:00"), duration_minutes=60)
    assert (refused["reason"], refused["tasks"], refused["workers"]) == ("conflict", ["late"], ["olga"])
    assert do_explain(doc, start=d24("05:00"), duration_minutes=60)["slot"] is True
    assert do_takeable(doc, worker="olga")["takeable"] == []


def test_the_electrician_is_the_bottleneck_of_two_crews() -> None:
    """A gas connection needs an installer and the one certified fitter, Gena, who holds a 10-12 job with
    Anna: a 11:00 connection conflicts with that job alone; the installers are not the problem."""
    doc = scenario(
        [worker("anna", ["install"], (d23("08:00"), d23("18:00"))),
         worker("boris", ["install"], (d23("08:00"), d23("18:00"))),
         worker("gena", ["gas", "install"], (d23("08:00"), d23("18:00")))],
        [crew_task("job", d23("10:00"), d23("12:00"), [("install", 1), ("gas", 1)], ["gena"])])
    out = do_explain(doc, start=d23("11:00"), duration_minutes=60,
                     crew=[{"skill": "install", "count": 1}, {"skill": "gas", "count": 1}])
    assert (out["reason"], out["tasks"], out["workers"]) == ("conflict", ["job"], ["anna", "boris", "gena"])
    assert do_explain(doc, start=d23("12:00"), duration_minutes=60,
                      crew=[{"skill": "install", "count": 1}, {"skill": "gas", "count": 1}])["slot"] is True


def test_a_two_person_install_strands_nobody_only_if_the_flexible_worker_stays_free() -> None:
    """Kitchen install 10-12 needs two installers and has Anna; Boris and Vera could take the other seat,
    but only Vera can do the 11-13 repair, so only Boris can take the kitchen."""
    doc = scenario(
        [worker("anna", ["install"], (d23("08:00"), d23("18:00"))),
         worker("boris", ["install"], (d23("08:00"), d23("18:00"))),
         worker("vera", ["install", "repair"], (d23("08:00"), d23("18:00")))],
        [crew_task("kitchen", d23("10:00"), d23("12:00"), [("install", 2)], ["anna"]),
         task("repair", d23("11:00"), d23("13:00"), "repair")])
    assert do_takeable(doc, worker="boris")["takeable"] == ["kitchen"]
    assert do_takeable(doc, worker="vera")["takeable"] == ["repair"]
    assert do_takeable(doc, worker="anna")["takeable"] == []  # she holds the kitchen; the repair is not hers


def test_next_skips_a_day_whose_only_worker_is_at_the_limit() -> None:
    """Pavel may hold one task a day; he holds one on the 23rd, so the next slot is on the 24th."""
    pavel = limited(worker("pavel", [], (d23("09:00"), d23("17:00")), (d24("09:00"), d24("17:00"))), max_tasks=1)
    doc = scenario([pavel], [task("t1", d23("09:00"), d23("10:00"), None, "pavel")])
    sc = load_scenario(doc)
    query = load_next_query({"from": "2026-11-23", "days": 2, "duration_minutes": 60, "step_minutes": 60,
                             "limit": 2})
    out = dump_next(next_slots(sc, query), sc)
    assert [s["start"] for s in out["slots"]] == ["2026-11-24T09:00:00+03:00", "2026-11-24T10:00:00+03:00"]
    assert {s["date"] for s in out["slots"]} == {date(2026, 11, 24).isoformat()}


def test_next_frees_the_neighbouring_day_when_a_pin_is_in_the_way() -> None:
    """Near 03:00 the stored plan has f1 (01:00-03:30, day 23) on Anna and p1 (03:00-04:30, day 24) on
    Boris. A new 01:00 job needs Anna's skill. With p1 kept on Boris, f1 cannot leave Anna and the job
    looks impossible; the truth (p1 to Anna, f1 to Boris) makes 01:00, 01:30 and 02:00 slots, and `next`
    must list them: the pinned scenario over the neighbouring days settles it."""
    doc = scenario(
        [worker("anna", ["x"], (d24("01:00"), d24("05:00"))), worker("boris", [], (d24("01:00"), d24("05:00")))],
        [task("f1", d24("01:00"), d24("03:30")), task("p1", d24("03:00"), d24("04:30"))])
    sc = load_scenario(doc)
    query = load_next_query({"from": "2026-11-23", "days": 1, "duration_minutes": 60, "step_minutes": 30,
                             "skill": "x", "limit": 5})
    out = dump_next(next_slots(sc, query, witness={"f1": "anna", "p1": "boris"}), sc)
    assert [(s["date"], s["start"]) for s in out["slots"]] == [
        ("2026-11-23", "2026-11-24T01:00:00+03:00"), ("2026-11-23", "2026-11-24T01:30:00+03:00"),
        ("2026-11-23", "2026-11-24T02:00:00+03:00")]


def test_next_lists_the_days_its_budget_did_not_search_as_undecided() -> None:
    """The base plan is the stored witness (no search), but a spent budget searches no day: every candidate
    of both days is open, none is claimed, and none is silently dropped (which would read "no slot")."""
    doc = scenario([worker("anna", [], (d23("09:00"), d23("17:00")), (d24("09:00"), d24("17:00")))],
                   [task("t1", d23("09:00"), d23("10:00"))])
    sc = load_scenario(doc)
    query = load_next_query({"from": "2026-11-23", "days": 2, "duration_minutes": 60, "step_minutes": 60})
    out = dump_next(next_slots(sc, query, SolverOptions(budget=0.0), witness={"t1": "anna"}), sc)
    assert out["feasible_base"] is True and out["slots"] == []
    assert len(out["undecided"]) == 2 * 24  # every hourly start of both operational days
    unbounded = dump_next(next_slots(sc, query, witness={"t1": "anna"}), sc)
    assert unbounded["slots"][0]["start"] == "2026-11-23T10:00:00+03:00"  # so there was something to find
