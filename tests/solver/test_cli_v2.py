"""The v2 offline commands (`slots --crew`, `takeable`, `explain`, `next`) exactly as the contract spells them.

Invalid input: exit 2, nothing on standard output, one line on standard error naming the flag. A good
answer: exit 0 and one JSON object with the contract's fields in the contract's order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from solver_case_kit import Doc, d23, load_example, run_cli, scenario, task, worker

from solver.cli import EXIT_INVALID, main

TRAP = "examples/greedy-trap.json"
EXPLAIN_FIELDS_SLOT = ["start", "end", "slot", "plan"]
EXPLAIN_FIELDS_REFUSED = ["start", "end", "slot", "reason", "tasks", "workers"]
NEXT_FIELDS = ["from", "days", "duration_minutes", "step_minutes", "skill", "crew", "feasible_base", "uncovered",
               "slots", "undecided"]
TAKEABLE_FIELDS = ["worker", "date", "feasible_base", "takeable", "undecided"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`python -m solver ARGV` in this process (fast), as (exit status, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def rejected(argv: list[str], capsys: pytest.CaptureFixture[str], *named: str) -> str:
    code, out, err = run(argv, capsys)
    assert code == EXIT_INVALID, (code, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, f"expected one line, got {err!r}"
    for name in named:
        assert name in err, f"{name!r} not named in {err!r}"
    return err


def answer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Doc:
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert out.endswith("\n") and out.count("\n") == 1
    return json.loads(out)


# -- invalid input: every rule, each naming its flag ------------------------------------------------------

EXPLAIN = ["explain", TRAP, "--start", "2026-11-23T11:00", "--duration", "60"]
NEXT = ["next", TRAP, "--from", "2026-11-23", "--days", "3", "--duration", "60"]
SLOTS = ["slots", TRAP, "--date", "2026-11-23", "--duration", "60"]


@pytest.mark.parametrize(("argv", "named"), [
    # --crew's text form, in every command that takes it
    ([*SLOTS, "--crew", "install:x"], "--crew"),
    ([*SLOTS, "--crew", "install:0"], "--crew"),
    ([*SLOTS, "--crew", "install:21"], "--crew"),
    ([*SLOTS, "--crew", "install,install:2"], "--crew"),
    ([*SLOTS, "--crew", "*,*:2"], "--crew"),
    ([*SLOTS, "--crew", ""], "--crew"),
    ([*SLOTS, "--crew", "install,,repair"], "--crew"),
    ([*SLOTS, "--crew", ":2"], "--crew"),
    ([*SLOTS, "--crew", "install", "--skill", "install"], "--crew"),
    ([*EXPLAIN, "--crew", "repair:-1"], "--crew"),
    ([*EXPLAIN, "--crew", "install", "--skill", "repair"], "--crew"),
    ([*NEXT, "--crew", "install:2,install:1"], "--crew"),
    ([*NEXT, "--crew", "install", "--skill", "install"], "--crew"),
    # next's days, limit, step, duration and date
    ([*NEXT[:5], "0", *NEXT[6:]], "--days"),
    ([*NEXT[:5], "63", *NEXT[6:]], "--days"),
    ([*NEXT[:5], "two", *NEXT[6:]], "--days"),
    ([*NEXT, "--limit", "0"], "--limit"),
    ([*NEXT, "--limit", "1001"], "--limit"),
    ([*NEXT, "--limit", "ten"], "--limit"),
    ([*NEXT, "--step", "0"], "--step"),
    ([*NEXT, "--step", "241"], "--step"),
    ([*NEXT[:7], "29"], "--duration"),
    ([*NEXT[:7], "241"], "--duration"),
    (["next", TRAP, "--from", "2026-02-30", "--days", "3", "--duration", "60"], "--from"),
    (["next", TRAP, "--from", "23.11.2026", "--days", "3", "--duration", "60"], "--from"),
    # explain's start and duration
    (["explain", TRAP, "--start", "2026-11-24T02:00", "--duration", "90"], "--start"),
    (["explain", TRAP, "--start", "2026-11-24T02:59", "--duration", "30"], "--start"),
    (["explain", TRAP, "--start", "tomorrow", "--duration", "90"], "--start"),
    (["explain", TRAP, "--start", "2026-11-23T10:00", "--duration", "241"], "--duration"),
    (["explain", TRAP, "--start", "2026-11-23T10:00", "--duration", "29"], "--duration"),
    (["explain", TRAP, "--start", "2026-11-23T10:00", "--duration", "1.5"], "--duration"),
    # takeable's worker and date
    (["takeable", TRAP, "--worker", "nobody"], "nobody"),
    (["takeable", TRAP, "--worker", "anna", "--date", "2026-13-01"], "--date"),
    # a flag missing altogether (argparse's own line)
    (["takeable", TRAP], "--worker"),
    (["next", TRAP, "--from", "2026-11-23", "--duration", "60"], "--days"),
])
def test_invalid_input_is_one_line_naming_the_flag(argv: list[str], named: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rejected(argv, capsys, named)


def test_explain_refuses_a_scenario_task_named_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = load_example("greedy-trap.json")
    doc["tasks"][0]["id"] = "new"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rejected(["explain", str(path), "--start", "2026-11-23T10:00", "--duration", "60"], capsys, "new")


def test_a_start_that_ends_exactly_at_the_day_end_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer(["explain", TRAP, "--start", "2026-11-24T02:00", "--duration", "60"], capsys)
    assert (out["slot"], out["reason"]) == (False, "no_fit")


# -- answers: the contract's fields, in order -------------------------------------------------------------

def test_explain_slot_gives_a_plan_of_every_task_with_the_new_one_as_new(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer(["explain", TRAP, "--start", "2026-11-23T09:00", "--duration", "60"], capsys)
    assert list(out) == EXPLAIN_FIELDS_SLOT
    assert out["start"] == "2026-11-23T09:00:00+03:00" and out["end"] == "2026-11-23T10:00:00+03:00"
    assert out["slot"] is True
    assert sorted(out["plan"]) == ["new", "t1", "t2", "t3"]
    assert out["plan"]["t3"] == ["vera"] and out["plan"]["t2"] == ["boris"] and out["plan"]["t1"] == ["anna"]


def test_explain_names_the_trap_task_that_holds_boris(capsys: pytest.CaptureFixture[str]) -> None:
    """12:00-14:00: only Boris works all of it, and t2 (12-16) can go to nobody else."""
    out = answer(["explain", TRAP, "--start", "2026-11-23T12:00", "--duration", "120"], capsys)
    assert list(out) == EXPLAIN_FIELDS_REFUSED
    assert (out["slot"], out["reason"], out["tasks"], out["workers"]) == (False, "conflict", ["t2"], ["boris"])


def test_explain_two_person_install_in_the_morning(capsys: pytest.CaptureFixture[str]) -> None:
    """10:00-11:00 for two installers: Anna and Boris are the only ones on shift, and t1 needs one of them."""
    out = answer([*EXPLAIN[:3], "2026-11-23T10:00", *EXPLAIN[4:], "--crew", "install:2"], capsys)
    assert (out["reason"], out["tasks"], out["workers"]) == ("conflict", ["t1"], ["anna", "boris"])


def test_explain_no_fit_when_nobody_has_the_skill_on_shift(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer([*EXPLAIN, "--skill", "repair"], capsys)
    assert (out["slot"], out["reason"], out["tasks"], out["workers"]) == (False, "no_fit", [], [])


def test_next_answer_shape_and_order(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer([*NEXT, "--step", "60", "--limit", "3", "--crew", "*:1"], capsys)
    assert list(out) == NEXT_FIELDS
    assert out["from"] == "2026-11-23" and out["days"] == int(NEXT[5]) and out["skill"] is None
    assert out["crew"] == [{"skill": None, "count": 1}]
    assert [s["start"] for s in out["slots"]] == ["2026-11-23T09:00:00+03:00", "2026-11-23T10:00:00+03:00",
                                                 "2026-11-23T11:00:00+03:00"]
    assert all(s["date"] == "2026-11-23" for s in out["slots"])


def test_next_starts_on_the_first_day_with_slots(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer(["next", TRAP, "--from", "2026-11-21", "--days", "5", "--duration", "240", "--step", "60"], capsys)
    # Nobody works on the 21st and 22nd; on the 23rd the 4-hour slots are the trap's.
    assert [s["date"] for s in out["slots"]] == ["2026-11-23"] * len(out["slots"]) and out["slots"]


def test_takeable_shape_and_time_order(capsys: pytest.CaptureFixture[str]) -> None:
    out = answer(["takeable", TRAP, "--worker", "boris", "--date", "2026-11-23"], capsys)
    assert list(out) == TAKEABLE_FIELDS
    assert out == {"worker": "boris", "date": "2026-11-23", "feasible_base": True, "takeable": ["t1", "t2"],
                   "undecided": []}
    assert answer(["takeable", TRAP, "--worker", "anna"], capsys)["takeable"] == ["t1"]
    assert answer(["takeable", TRAP, "--worker", "vera"], capsys)["takeable"] == []
    assert answer(["takeable", TRAP, "--worker", "boris", "--date", "2026-11-24"], capsys)["takeable"] == []


def test_takeable_on_an_infeasible_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = scenario([worker("a", [], (d23("09:00"), d23("12:00")))],
                   [task("t1", d23("09:00"), d23("10:00")), task("t2", d23("09:30"), d23("10:30"))])
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = answer(["takeable", str(path), "--worker", "a"], capsys)
    assert (out["feasible_base"], out["takeable"]) == (False, [])
    out = answer(["explain", str(path), "--start", "2026-11-23T11:00", "--duration", "30"], capsys)
    assert (out["reason"], len(out["tasks"])) == ("infeasible_base", 1)


def test_the_commands_run_as_a_user_runs_them() -> None:
    proc = run_cli("explain", TRAP, "--start", "2026-11-23T12:00", "--duration", "120")
    assert proc.returncode == 0 and json.loads(proc.stdout)["tasks"] == ["t2"]
    proc = run_cli("next", TRAP, "--from", "2026-11-23", "--days", "0", "--duration", "60")
    assert proc.returncode == EXIT_INVALID and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "--days" in proc.stderr
