"""The seed notes' test data, case by case, with answers worked out by hand from the contract.

Unless a case says otherwise: zone Europe/Moscow (+03:00 all year), day_start 03:00, operational day
2026-11-23 (runs 2026-11-23 03:00 to 2026-11-24 03:00). Each comment gives the reasoning behind the
expected slots, so a failure shows which side is wrong. Every case runs on both engines.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from solver_case_kit import MSK, answer, d23, d24, hhmm, load_example, scenario, starts, task, worker

from solver import InvalidInput, find_slots, load_scenario, plan
from solver.checker import assignment_problems
from solver.domain import SlotQuery, Status
from solver.options import SolverOptions


def msk(day_time: str) -> str:
    """How the answer prints a Moscow wall-clock time."""
    return f"{day_time}:00+03:00"


# -- the 10-12 / 12-16 trap ---------------------------------------------------------------------------
# Anna 09-13, Boris 09-17, Vera 14-18 holding t3 14:30-15:30. Untaken t1 10-12 and t2 12-16 (install).
# Only Boris's shift holds t2, so Boris is busy 12-16; t1 goes to Anna or (back to back) Boris.
# Free time that some plan leaves: Anna 09-13 (t1 on Boris), Boris 09-12 (t1 on Anna) and 16-17,
# Vera 14:00-14:30 and 15:30-18:00. Nobody is free 12:30-15:30 for an hour.

def test_trap_60_minutes(engine: str) -> None:
    ans = answer(load_example("greedy-trap.json"), duration=60, step=30, engine=engine)
    # 11:30-12:30 is a slot only with t1 on Boris and the new task on Anna: a view that fixes t1 on
    # Anna (the first free worker) misses it. 12:00-13:00 sits on Anna, right after t1 if she has it.
    assert hhmm(ans) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
                         "15:30", "16:00", "16:30", "17:00"]
    assert (ans["feasible_base"], ans["uncovered"], ans["undecided"]) == (True, [], [])


def test_trap_90_minutes(engine: str) -> None:
    ans = answer(load_example("greedy-trap.json"), duration=90, step=30, engine=engine)
    # 90 minutes: Anna up to 11:30-13:00; Boris's 16-17 is too short; Vera from 15:30 up to 16:30-18:00.
    assert hhmm(ans) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "15:30", "16:00", "16:30"]


def test_trap_repair_only_vera(engine: str) -> None:
    ans = answer(load_example("greedy-trap.json"), duration=60, step=30, skill="repair", engine=engine)
    # Vera alone has "repair": 14:00-14:30 is too short before t3, then 15:30-18:00.
    assert hhmm(ans) == ["15:30", "16:00", "16:30", "17:00"]


def test_trap_full_iso_times() -> None:
    ans = answer(load_example("greedy-trap.json"), duration=60, step=30)
    assert ans["slots"][5] == {"start": msk("2026-11-23T11:30"), "end": msk("2026-11-23T12:30")}


# -- a worker who is off that day ------------------------------------------------------------------------

OFF_DAY = scenario([
    worker("oleg", ["install", "electric"], (d23("09:00"), d23("18:00"))),
    # Pavel works the 22nd and the 24th, not the 23rd.
    worker("pavel", ["electric"], ("2026-11-22T09:00", "2026-11-22T18:00"), (d24("09:00"), d24("18:00"))),
], [task("o1", d23("09:00"), d23("17:00"), None, "oleg")])


def test_worker_off_that_day_offers_nothing(engine: str) -> None:
    ans = answer(OFF_DAY, duration=60, step=60, engine=engine)
    # Oleg's only hour left is 17-18; Pavel's shifts on other days count for nothing on the 23rd.
    assert hhmm(ans) == ["17:00"]


def test_worker_off_that_day_still_works_the_next(engine: str) -> None:
    ans = answer(OFF_DAY, day="2026-11-24", duration=240, step=60, engine=engine)
    assert starts(ans) == [msk(f"2026-11-24T{h:02d}:00") for h in range(9, 15)]


# -- a fully loaded worker ----------------------------------------------------------------------------

FULLY_LOADED = scenario([
    # Lena's 08-12 is covered back to back: two taken tasks and one untaken that only she can do.
    worker("lena", ["install", "electric"], (d23("08:00"), d23("12:00"))),
    worker("mark", ["install"], (d23("11:00"), d23("13:00"))),
], [
    task("l1", d23("08:00"), d23("09:30"), "install", "lena"),
    task("l2", d23("09:30"), d23("10:00"), None, "lena"),
    task("l3", d23("10:00"), d23("12:00"), "electric", None),
])


def test_fully_loaded_worker_offers_nothing(engine: str) -> None:
    ans = answer(FULLY_LOADED, duration=30, step=30, engine=engine)
    # Only Mark: 11:00 to 12:30 (the last half hour ends with his shift).
    assert hhmm(ans) == ["11:00", "11:30", "12:00", "12:30"]


def test_fully_loaded_worker_with_the_only_skill_means_no_slot(engine: str) -> None:
    ans = answer(FULLY_LOADED, duration=30, step=30, skill="electric", engine=engine)
    assert ans["slots"] == [] and ans["feasible_base"] is True


# -- a fully free worker -----------------------------------------------------------------------------

FULLY_FREE = scenario([worker("nina", [], (d23("09:00"), d23("18:00")))])


def test_fully_free_worker_takes_every_candidate_inside_the_shift(engine: str) -> None:
    ans = answer(FULLY_FREE, duration=90, step=30, engine=engine)
    # 09:00 up to 16:30 (16:30 + 90 min = 18:00, the shift's end): 16 starts.
    assert hhmm(ans) == [f"{m // 60:02d}:{m % 60:02d}" for m in range(9 * 60, 16 * 60 + 31, 30)]
    assert len(ans["slots"]) == 16
    assert ans["slots"][-1]["end"] == msk("2026-11-23T18:00")


def test_fully_free_worker_without_the_skill_offers_nothing(engine: str) -> None:
    assert answer(FULLY_FREE, duration=90, step=30, skill="install", engine=engine)["slots"] == []


# -- 30-minute tasks ----------------------------------------------------------------------------------

HALF_HOURS = scenario([
    worker("olga", ["repair"], (d23("09:00"), d23("11:00"))),
    worker("misha", ["install"], (d23("09:00"), d23("10:00"))),
], [
    task("h1", d23("09:00"), d23("09:30"), "repair", None),
    task("h2", d23("09:30"), d23("10:00"), "repair", None),
    task("h3", d23("10:30"), d23("11:00"), "repair", "olga"),
])


def test_half_hour_tasks_leave_one_repair_gap(engine: str) -> None:
    ans = answer(HALF_HOURS, duration=30, step=15, skill="repair", engine=engine)
    # Olga alone repairs; h1, h2 fill 09-10 and h3 holds 10:30-11. Exactly 10:00-10:30 is left.
    assert hhmm(ans) == ["10:00"]


def test_half_hour_tasks_any_skill(engine: str) -> None:
    ans = answer(HALF_HOURS, duration=30, step=30, engine=engine)
    # Misha cannot take h1/h2 (repair) but can take a task with no skill: 09:00 and 09:30.
    assert hhmm(ans) == ["09:00", "09:30", "10:00"]


# -- a shift across midnight, inside the 03:00 day --------------------------------------------------

ACROSS_MIDNIGHT = scenario([worker("pyotr", ["install"], (d23("22:00"), d24("02:00")))],
                           [task("p1", d23("23:30"), d24("00:00"), "install", "pyotr")])


def test_shift_across_midnight_belongs_to_the_day_it_started(engine: str) -> None:
    ans = answer(ACROSS_MIDNIGHT, duration=60, step=30, engine=engine)
    # 22:00 and 22:30 (ends as p1 starts), then from midnight (p1's end) up to 01:00-02:00.
    assert starts(ans) == [msk("2026-11-23T22:00"), msk("2026-11-23T22:30"), msk("2026-11-24T00:00"),
                           msk("2026-11-24T00:30"), msk("2026-11-24T01:00")]


def test_shift_across_midnight_is_not_in_the_next_day(engine: str) -> None:
    assert answer(ACROSS_MIDNIGHT, day="2026-11-24", duration=60, step=30, engine=engine)["slots"] == []


# -- a night shift across the 03:00 boundary ----------------------------------------------------------

NIGHT = scenario([worker("igor", ["electric"], (d23("20:00"), d24("04:00")))])


def test_night_shift_candidates_stop_at_the_days_end(engine: str) -> None:
    ans = answer(NIGHT, duration=60, step=30, engine=engine)
    # Igor works on to 04:00, but the day ends at 03:00: the last candidate is 02:00-03:00.
    assert starts(ans)[0] == msk("2026-11-23T20:00")
    assert starts(ans)[-1] == msk("2026-11-24T02:00")
    assert ans["slots"][-1]["end"] == msk("2026-11-24T03:00")
    assert len(ans["slots"]) == 13  # 20:00, 20:30, ..., 02:00


def test_night_shift_after_03_00_belongs_to_the_next_day(engine: str) -> None:
    ans = answer(NIGHT, day="2026-11-24", duration=60, step=30, engine=engine)
    assert starts(ans) == [msk("2026-11-24T03:00")]


NIGHT_WITH_TASK_ACROSS_03 = scenario(
    NIGHT["workers"], [task("n1", d24("02:30"), d24("03:30"), "electric", None)])


def test_task_across_03_00_blocks_both_days(engine: str) -> None:
    # n1 is no candidate of either day, but only Igor can do it, so it holds him 02:30-03:30.
    first = answer(NIGHT_WITH_TASK_ACROSS_03, duration=30, step=30, engine=engine)
    assert starts(first)[-1] == msk("2026-11-24T02:00")  # 02:00-02:30 ends as n1 starts
    assert len(first["slots"]) == 13  # 20:00 ... 02:00
    second = answer(NIGHT_WITH_TASK_ACROSS_03, day="2026-11-24", duration=30, step=30, engine=engine)
    assert starts(second) == [msk("2026-11-24T03:30")]


# -- split shifts ---------------------------------------------------------------------------------------

SPLIT = scenario([worker("fyodor", ["install"], (d23("07:00"), d23("11:00")), (d23("15:00"), d23("19:00")))])


def test_split_shift_break_is_not_a_slot(engine: str) -> None:
    ans = answer(SPLIT, duration=60, step=60, engine=engine)
    assert hhmm(ans) == ["07:00", "08:00", "09:00", "10:00", "15:00", "16:00", "17:00", "18:00"]


def test_split_shift_task_must_fit_one_part(engine: str) -> None:
    ans = answer(SPLIT, duration=120, step=60, engine=engine)
    # 10:00-12:00 starts in the morning part but runs into the break.
    assert hhmm(ans) == ["07:00", "08:00", "09:00", "15:00", "16:00", "17:00"]


def test_split_shift_untaken_task_in_the_break_is_uncoverable(engine: str) -> None:
    doc = scenario(SPLIT["workers"], [task("b1", d23("12:00"), d23("13:00"), "install", None)])
    ans = answer(doc, duration=60, step=60, engine=engine)
    assert (ans["feasible_base"], ans["uncovered"], ans["slots"]) == (False, ["b1"], [])


def test_touching_shifts_do_not_merge(engine: str) -> None:
    # 09-12 and 12-15 touch (allowed: half-open), yet a task must lie inside one of them.
    doc = scenario([worker("zoya", [], (d23("09:00"), d23("12:00")), (d23("12:00"), d23("15:00")))])
    ans = answer(doc, duration=60, step=30, engine=engine)
    assert hhmm(ans) == ["09:00", "09:30", "10:00", "10:30", "11:00",  # not 11:30: it would span both
                         "12:00", "12:30", "13:00", "13:30", "14:00"]


# -- a rare skill -------------------------------------------------------------------------------------------

RARE = scenario([
    worker("anna", ["install"], (d23("09:00"), d23("13:00"))),
    worker("boris", ["install"], (d23("09:00"), d23("17:00"))),
    # Ivan alone has "electric": free 09-10 and 11:30-12 once i1 (his) and i2 (only he can) are counted.
    worker("ivan", ["install", "electric"], (d23("09:00"), d23("12:00"))),
], [
    task("i1", d23("10:00"), d23("11:00"), "electric", "ivan"),
    task("i2", d23("11:00"), d23("11:30"), "electric", None),
])


def test_rare_skill_restricts_to_its_one_worker(engine: str) -> None:
    assert hhmm(answer(RARE, duration=60, step=30, skill="electric", engine=engine)) == ["09:00"]
    half_hours = answer(RARE, duration=30, step=30, skill="electric", engine=engine)
    assert hhmm(half_hours) == ["09:00", "09:30", "11:30"]


def test_common_skill_is_offered_all_day(engine: str) -> None:
    # Boris is free 09-17: every start from 09:00 to 16:00.
    expected = [f"{m // 60:02d}:{m % 60:02d}" for m in range(9 * 60, 16 * 60 + 1, 30)]
    assert hhmm(answer(RARE, duration=60, step=30, skill="install", engine=engine)) == expected
    assert hhmm(answer(RARE, duration=60, step=30, engine=engine)) == expected


def test_skill_nobody_has_gives_no_slot(engine: str) -> None:
    ans = answer(RARE, duration=30, step=30, skill="plumbing", engine=engine)
    assert (ans["feasible_base"], ans["slots"]) == (True, [])


# -- exact-fit edges: end == start is not an overlap -------------------------------------------------------

EDGES = scenario([worker("kira", [], (d23("09:00"), d23("12:00")))], [
    task("k1", d23("09:00"), d23("10:00"), None, "kira"),  # starts as the shift starts
    task("k2", d23("11:00"), d23("12:00"), None, "kira"),  # ends as the shift ends
])


def test_exact_fit_between_two_taken_tasks(engine: str) -> None:
    # 10:00-11:00 ends as k2 starts and starts as k1 ends; 10:30 would overlap k2.
    assert hhmm(answer(EDGES, duration=60, step=30, engine=engine)) == ["10:00"]


def test_exact_fit_at_the_shift_end(engine: str) -> None:
    doc = scenario([worker("kira", [], (d23("09:00"), d23("12:00")))],
                   [task("k1", d23("09:00"), d23("10:00"), None, "kira")])
    # The last slot ends at 12:00 exactly with the shift; 11:30 would run past it.
    assert hhmm(answer(doc, duration=60, step=30, engine=engine)) == ["10:00", "10:30", "11:00"]


def test_exact_fit_untaken_tasks_back_to_back(engine: str) -> None:
    # Three hours of untaken work in a three-hour shift fit back to back, leaving nothing.
    doc = scenario([worker("kira", [], (d23("09:00"), d23("12:00")))], [
        task("u1", d23("09:00"), d23("10:00")), task("u2", d23("10:00"), d23("11:00")),
        task("u3", d23("11:00"), d23("12:00")),
    ])
    ans = answer(doc, duration=30, step=30, engine=engine)
    assert (ans["feasible_base"], ans["slots"]) == (True, [])


def test_sub_second_times_are_not_rounded_into_a_false_slot(engine: str) -> None:
    # The shift starts half a second after 09:00, so 09:00-10:00 does not lie inside it. Refusing
    # sub-second input would also be honest; offering 09:00 is a slot nobody can take.
    doc = scenario([worker("w", [], ("2026-11-23T09:00:00.5", d23("11:00")))])
    try:
        sc = load_scenario(doc)
    except InvalidInput:
        return
    ans = find_slots(sc, SlotQuery(date(2026, 11, 23), 60, 60), SolverOptions(engine=engine))  # unverified, as the CLI
    assert [s.start.astimezone(ZoneInfo(MSK)).strftime("%H:%M") for s in ans.slots] == ["10:00"]


# -- an infeasible base ----------------------------------------------------------------------------------

def test_two_overlapping_untaken_tasks_for_one_worker(engine: str) -> None:
    doc = scenario([worker("solo", ["install"], (d23("09:00"), d23("13:00")))], [
        task("x", d23("10:00"), d23("11:00"), "install"),
        task("y", d23("10:30"), d23("11:30"), "install"),
        task("z", d23("12:00"), d23("12:30"), "install"),
    ])
    ans = answer(doc, duration=30, step=30, engine=engine)
    assert ans["feasible_base"] is False and ans["slots"] == [] and ans["undecided"] == []
    # One of x, y has to go; z is fine. A smallest set has one task.
    assert len(ans["uncovered"]) == 1 and ans["uncovered"][0] in {"x", "y"}


def test_three_mutually_overlapping_tasks_leave_two_uncovered(engine: str) -> None:
    doc = scenario([worker("solo", [], (d23("09:00"), d23("13:00")))], [
        task("a", d23("10:00"), d23("11:00")), task("b", d23("10:15"), d23("11:15")),
        task("c", d23("10:30"), d23("11:30")),
    ])
    ans = answer(doc, duration=30, step=30, engine=engine)
    assert ans["feasible_base"] is False and len(ans["uncovered"]) == 2


def test_task_nobody_can_take_is_named() -> None:
    doc = scenario(
        [worker("solo", ["install"], (d23("09:00"), d23("13:00")))],
        [task("ok", d23("09:00"), d23("10:00"), "install"),
         task("wire", d23("10:00"), d23("11:00"), "electric")],
    )
    result = plan(load_scenario(doc))
    assert result.status is Status.INFEASIBLE
    assert (result.uncovered, result.optimal, result.assignment) == (["wire"], True, {})


def test_untaken_task_clashing_with_the_only_workers_taken_task() -> None:
    doc = scenario(
        [worker("solo", ["repair"], (d23("09:00"), d23("13:00")))],
        [task("mine", d23("10:00"), d23("11:00"), None, "solo"),
         task("late", d23("10:30"), d23("11:30"), "repair")],
    )
    assert answer(doc, duration=30, step=30)["uncovered"] == ["late"]


# -- defaults and offsets -----------------------------------------------------------------------------------

def test_defaults_are_utc_and_03_00(engine: str) -> None:
    doc = {"workers": [{"id": "w", "shifts": [{"start": "2026-11-23T01:00", "end": "2026-11-23T05:00"}]}]}
    ans = answer(doc, duration=60, step=60, engine=engine)
    # The day starts at 03:00 UTC: 01:00 and 02:00 belong to the 22nd.
    assert starts(ans) == ["2026-11-23T03:00:00+00:00", "2026-11-23T04:00:00+00:00"]


def test_times_with_an_offset_are_taken_as_given(engine: str) -> None:
    # 06:00Z-09:00Z is 09:00-12:00 in Moscow and the task 10:00-11:00 (its end given in +01:00);
    # the answer speaks Moscow time.
    doc = scenario([worker("w", [], ("2026-11-23T06:00+00:00", "2026-11-23T09:00+00:00"))],
                   [task("a", "2026-11-23T10:00+03:00", "2026-11-23T09:00+01:00", None, "w")])
    expected = [msk("2026-11-23T09:00"), msk("2026-11-23T11:00")]
    assert starts(answer(doc, duration=60, step=60, engine=engine)) == expected


# -- the demo day ----------------------------------------------------------------------------------------

def test_demo_day_plan_is_feasible_and_checked() -> None:
    doc = load_example("demo-day.json")
    result = plan(load_scenario(doc))
    assert result.status is Status.FEASIBLE
    assert assignment_problems(load_scenario(doc), result.assignment) == []
    # Forced by the seed's trap and the rare skills: t2 only fits Boris, n2 only Igor, r2 only Fyodor.
    assert {k: result.assignment[k] for k in ("t2", "n2", "r2", "f2")} == {
        "t2": ("boris",), "n2": ("igor",), "r2": ("fyodor",), "f2": ("fyodor",)}


def test_demo_day_90_minutes(engine: str) -> None:
    ans = answer(load_example("demo-day.json"), duration=90, step=30, engine=engine)
    # Morning: f2 08-10 holds Fyodor, Elena is fully booked, Anna/Boris share t1 -> 09:00 to 11:30.
    # Midday: Dmitry (free 12-16, no install needed for a skill-less task) -> 12:00 to 14:30.
    # Afternoon: Fyodor's second part / Vera with r1 moved between them -> 15:00 to 16:30;
    # r2 17:00-18:30 pins Fyodor, Vera ends at 18 -> nothing from 17:00 to 19:59.
    # Night: Igor 20:00-23:00 before n1, 00:30-02:30 after it; n2 02:30 blocks 01:30-03:00.
    assert hhmm(ans) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "12:00", "12:30", "13:00", "13:30", "14:00", "14:30",
        "15:00", "15:30", "16:00", "16:30",
        "20:00", "20:30", "21:00", "21:30",
        "00:30", "01:00",
    ]
