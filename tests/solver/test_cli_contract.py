"""The offline command as the contract specifies it, run as a user runs it (`python -m solver ...`).

Invalid input: exit status 2, nothing on standard output, exactly one line on standard error, and
that line names the offending ids or field. A good answer: exit 0 and exactly one JSON object with
the contract's fields.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from solver_case_kit import ANSWER_FIELDS, EXAMPLES, Doc, d23, load_example, run_cli, task

QUERY = ["--date", "2026-11-23", "--duration", "60", "--step", "30"]
ISO_MSK = re.compile(r"^2026-11-2[34]T\d\d:\d\d:00\+03:00$")

# The trap's answer for 60 minutes every 30 (worked out in test_seed_cases.py).
TRAP_60_STARTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
                  "15:30", "16:00", "16:30", "17:00"]


def trap() -> Doc:
    return load_example("greedy-trap.json")


def write(tmp_path: Path, doc: Doc | str) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def assert_rejected(proc: subprocess.CompletedProcess[str], *named: str) -> str:
    """Exit 2, empty stdout, one line on stderr that names every string in `named`."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    err = proc.stderr
    assert err.endswith("\n") and err.count("\n") == 1, f"expected one line on stderr, got {err!r}"
    for name in named:
        assert name in err, f"{name!r} not named in {err!r}"
    return err


# -- scenario rules: each mutation of the (valid) trap breaks exactly one rule -------------------------

def _worker(doc: Doc, wid: str) -> Doc:
    return next(w for w in doc["workers"] if w["id"] == wid)


def _task(doc: Doc, tid: str) -> Doc:
    return next(t for t in doc["tasks"] if t["id"] == tid)


def duplicate_worker(doc: Doc) -> None:
    doc["workers"].append(copy.deepcopy(_worker(doc, "anna")))


def duplicate_task(doc: Doc) -> None:
    doc["tasks"].append(task("t2", d23("17:00"), d23("17:30")))


def shift_start_after_end(doc: Doc) -> None:
    _worker(doc, "boris")["shifts"] = [{"start": d23("17:00"), "end": d23("09:00")}]


def shift_start_equals_end(doc: Doc) -> None:
    _worker(doc, "boris")["shifts"] = [{"start": d23("09:00"), "end": d23("09:00")}]


def task_start_after_end(doc: Doc) -> None:
    _task(doc, "t2").update(start=d23("16:00"), end=d23("12:00"))


def task_start_equals_end(doc: Doc) -> None:
    _task(doc, "t2").update(start=d23("12:00"), end=d23("12:00"))


def overlapping_shifts(doc: Doc) -> None:
    _worker(doc, "vera")["shifts"].append({"start": d23("17:00"), "end": d23("19:00")})


def unknown_worker_id(doc: Doc) -> None:
    _task(doc, "t1")["worker_id"] = "zoe"


def taken_outside_shifts(doc: Doc) -> None:
    # Anna works 09-13; a taken task 12-14 runs past her shift's end.
    _task(doc, "t1").update(start=d23("12:00"), end=d23("14:00"), worker_id="anna")


def taken_without_skill(doc: Doc) -> None:
    # Anna has "install" only; a repair inside her shift is still not hers to hold.
    doc["tasks"].append(task("t4", d23("09:00"), d23("10:00"), "repair", "anna"))


def taken_across_touching_shifts(doc: Doc) -> None:
    # 14-16 and 16-18 touch, but a task must lie inside one shift: t3 15:30-16:30 lies in neither.
    _worker(doc, "vera")["shifts"] = [{"start": d23("14:00"), "end": d23("16:00")},
                                      {"start": d23("16:00"), "end": d23("18:00")}]
    _task(doc, "t3").update(start=d23("15:30"), end=d23("16:30"))


def overlapping_taken(doc: Doc) -> None:
    _task(doc, "t1")["worker_id"] = "anna"
    doc["tasks"].append(task("t4", d23("11:00"), d23("12:30"), "install", "anna"))


SCENARIO_RULES: list[tuple[Callable[[Doc], None], tuple[str, ...]]] = [
    (duplicate_worker, ("anna",)),
    (duplicate_task, ("t2",)),
    (shift_start_after_end, ("boris",)),
    (shift_start_equals_end, ("boris",)),
    (task_start_after_end, ("t2",)),
    (task_start_equals_end, ("t2",)),
    (overlapping_shifts, ("vera",)),
    (unknown_worker_id, ("t1", "zoe")),
    (taken_outside_shifts, ("t1", "anna")),
    (taken_without_skill, ("t4", "anna")),
    (taken_across_touching_shifts, ("t3", "vera")),
    (overlapping_taken, ("t1", "t4", "anna")),
]


@pytest.mark.parametrize("command", [["slots", *QUERY], ["plan"]], ids=["slots", "plan"])
@pytest.mark.parametrize(("breaks", "named"), SCENARIO_RULES, ids=[f.__name__ for f, _ in SCENARIO_RULES])
def test_invalid_scenario_is_rejected_naming_the_ids(
    tmp_path: Path, command: list[str], breaks: Callable[[Doc], None], named: tuple[str, ...]
) -> None:
    doc = trap()
    breaks(doc)
    proc = run_cli(command[0], write(tmp_path, doc), *command[1:])
    assert_rejected(proc, *named)


def test_the_unmodified_trap_is_valid(tmp_path: Path) -> None:
    # Guards the table above: each rejection comes from the one mutation, not from the base document.
    assert run_cli("plan", write(tmp_path, trap())).returncode == 0


# -- document shape: JSON, zone, day_start ----------------------------------------------------------------

DOCUMENT_SHAPE: list[tuple[str, str, tuple[str, ...]]] = [
    ("malformed_json", '{"workers": [}', ("JSON",)),
    ("not_an_object", "[1, 2]", ("scenario",)),
    ("unknown_timezone", json.dumps({**trap(), "timezone": "Mars/Olympus_Mons"}),
     ("timezone", "Mars/Olympus_Mons")),
    ("day_start_without_leading_zero", json.dumps({**trap(), "day_start": "3:00"}), ("day_start",)),
    ("day_start_24_00", json.dumps({**trap(), "day_start": "24:00"}), ("day_start",)),
    ("day_start_with_seconds", json.dumps({**trap(), "day_start": "03:00:00"}), ("day_start",)),
    ("task_start_not_a_datetime", json.dumps({**trap(), "tasks": [task("t1", "ten", d23("12:00"))]}),
     ("tasks[0].start",)),
]


@pytest.mark.parametrize(("text", "named"), [(t, n) for _, t, n in DOCUMENT_SHAPE],
                         ids=[i for i, _, _ in DOCUMENT_SHAPE])
def test_malformed_document_is_rejected_naming_the_field(
    tmp_path: Path, text: str, named: tuple[str, ...]
) -> None:
    assert_rejected(run_cli("slots", write(tmp_path, text), *QUERY), *named)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    assert_rejected(run_cli("slots", str(tmp_path / "nope.json"), *QUERY), "nope.json")


# -- query rules -----------------------------------------------------------------------------------------

QUERY_RULES: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("duration_29", ["--date", "2026-11-23", "--duration", "29"], ("--duration",)),
    ("duration_241", ["--date", "2026-11-23", "--duration", "241"], ("--duration",)),
    ("duration_not_integer", ["--date", "2026-11-23", "--duration", "90.5"], ("--duration",)),
    ("duration_not_a_number", ["--date", "2026-11-23", "--duration", "ninety"], ("--duration",)),
    ("step_0", ["--date", "2026-11-23", "--duration", "90", "--step", "0"], ("--step",)),
    ("step_241", ["--date", "2026-11-23", "--duration", "90", "--step", "241"], ("--step",)),
    ("step_not_integer", ["--date", "2026-11-23", "--duration", "90", "--step", "7.5"], ("--step",)),
    ("date_not_iso", ["--date", "23.11.2026", "--duration", "90"], ("date",)),
    ("date_impossible", ["--date", "2026-02-30", "--duration", "90"], ("date",)),
    ("date_missing", ["--duration", "90"], ("--date",)),
]


@pytest.mark.parametrize(("args", "named"), [(a, n) for _, a, n in QUERY_RULES],
                         ids=[i for i, _, _ in QUERY_RULES])
def test_invalid_query_is_rejected_naming_the_parameter(args: list[str], named: tuple[str, ...]) -> None:
    assert_rejected(run_cli("slots", str(EXAMPLES / "greedy-trap.json"), *args), *named)


@pytest.mark.parametrize(("duration", "step"), [("30", "1"), ("240", "240")])
def test_range_ends_are_accepted(duration: str, step: str) -> None:
    proc = run_cli("slots", str(EXAMPLES / "greedy-trap.json"), "--date", "2026-11-23",
                   "--duration", duration, "--step", step)
    assert proc.returncode == 0, proc.stderr


# -- a good answer ---------------------------------------------------------------------------------------

def test_answer_is_one_json_object_with_the_contract_fields() -> None:
    proc = run_cli("slots", str(EXAMPLES / "greedy-trap.json"), *QUERY)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.count("\n") == 1 and proc.stdout.endswith("\n")
    out = json.loads(proc.stdout)
    assert list(out) == ANSWER_FIELDS
    assert out["date"] == "2026-11-23"
    assert (out["duration_minutes"], out["step_minutes"], out["skill"]) == (60, 30, None)
    assert (out["feasible_base"], out["uncovered"], out["undecided"]) == (True, [], [])
    for slot in out["slots"]:
        assert list(slot) == ["start", "end"]
        assert ISO_MSK.match(slot["start"]) and ISO_MSK.match(slot["end"]), slot
    assert [s["start"] for s in out["slots"]] == [f"2026-11-23T{t}:00+03:00" for t in TRAP_60_STARTS]
    assert out["slots"][0]["end"] == "2026-11-23T10:00:00+03:00"


def test_default_step_is_15_minutes() -> None:
    proc = run_cli("slots", str(EXAMPLES / "greedy-trap.json"), "--date", "2026-11-23", "--duration", "240")
    out = json.loads(proc.stdout)
    assert out["step_minutes"] == 15
    # Four hours fit only Anna's whole shift 09-13 (t1 then goes to Boris): Boris must hold t2 12-16,
    # and Vera is free 15:30-18:00 at most. At 09:15 Anna's shift is already too short.
    assert [s["start"] for s in out["slots"]] == ["2026-11-23T09:00:00+03:00"]


def test_dash_reads_the_scenario_from_standard_input() -> None:
    text = (EXAMPLES / "greedy-trap.json").read_text(encoding="utf-8")
    from_stdin = run_cli("slots", "-", *QUERY, stdin=text)
    from_file = run_cli("slots", str(EXAMPLES / "greedy-trap.json"), *QUERY)
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout


def test_dash_reports_invalid_standard_input_like_a_file() -> None:
    assert_rejected(run_cli("plan", "-", stdin="{"), "JSON")


@pytest.mark.parametrize("command", ["slots", "plan"])
def test_help_exits_0(command: str) -> None:
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    assert "usage:" in proc.stdout and "scenario" in proc.stdout


def test_plan_prints_the_workers_of_every_task() -> None:
    proc = run_cli("plan", str(EXAMPLES / "greedy-trap.json"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["feasible"] is True and out["uncovered"] == []
    assert set(out["assignment"]) == {"t1", "t2", "t3"}  # every task, the taken one with its holder
    assert out["assignment"]["t2"] == ["boris"]  # nobody else's shift holds 12-16
    assert out["assignment"]["t3"] == ["vera"]


def test_demo_day_answers_with_slots_and_refusals() -> None:
    # `make demo`: a realistic day must show both what can be booked and what cannot.
    proc = run_cli("slots", str(EXAMPLES / "demo-day.json"), "--date", "2026-11-23", "--duration", "90",
                   "--step", "30")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["feasible_base"] is True and out["undecided"] == []
    candidates = (24 * 60 - 90) // 30 + 1  # 03:00 up to 01:30 the next morning
    assert 0 < len(out["slots"]) < candidates
    assert all(ISO_MSK.match(s["start"]) for s in out["slots"])
    plan_out = json.loads(run_cli("plan", str(EXAMPLES / "demo-day.json")).stdout)
    assert plan_out["feasible"] is True and plan_out["uncovered"] == []
