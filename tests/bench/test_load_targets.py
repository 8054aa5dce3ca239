"""The load report's targets table (issue 11) is computed from the run's figures, and says when the run's
conditions are not the target's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import load
from benchmarks.load import Recorder, report, targets


def _result(slot_seconds: list[float], *, case: str = "L-90", statuses: dict[str, dict[int, int]] | None = None,
            lost: list[str] | None = None, feasible: bool | None = True) -> dict[str, Any]:
    rec = Recorder()
    rec.seconds["GET /slots"] = slot_seconds
    rec.statuses["GET /slots"].update({200: len(slot_seconds)})
    for label, codes in (statuses or {}).items():
        rec.seconds.setdefault(label, [0.1] * sum(codes.values()))
        rec.statuses[label].update(codes)
    return {"case": case, "day": "2026-11-23", "workers": 200, "tasks": 1312, "seconds": 30.0,
            "clients": {"manager": 3, "installer": 3, "planner": 2}, "rec": rec, "load_average": 0.5,
            "feasible_base": feasible, "lost": lost or [], "wrong_holder": []}


def test_fast_slots_without_errors_meet_every_target() -> None:
    verdicts = targets(_result([0.2] * 19 + [0.9]), cores=2)
    assert [t.met for t in verdicts] == [True, True, True, True]
    assert verdicts[0].measured == "0.900 s"


def test_a_slow_tail_a_5xx_a_lost_booking_and_a_stranded_day_each_miss_theirs() -> None:
    verdicts = targets(_result([0.2] * 10 + [2.5] * 2, statuses={"POST /tasks": {201: 3, 500: 1}},
                               lost=["t-7"], feasible=False), cores=2)
    assert [t.met for t in verdicts] == [False, False, False, False]
    assert verdicts[1].measured == "1"


def test_a_run_on_other_conditions_says_nothing_about_the_latency_target() -> None:
    assert targets(_result([0.1] * 5, case="M-90"), cores=2)[0].met is None
    assert targets(_result([0.1] * 5), cores=4)[0].met is None


def test_the_report_shows_the_table_with_computed_marks(tmp_path: Path) -> None:
    text = report(_result([3.0] * 4), tmp_path / "load.md")
    table = text.split("## Targets (issue 11)")[1].split("## Per endpoint")[0]
    assert "| `GET /slots` p95 <= 1 s" in table
    assert "❌" in table or "—" in table  # ❌ on 2 cores; on another machine the latency row says nothing
    assert (tmp_path / "load.md").read_text(encoding="utf-8") == text


def test_the_report_draws_each_request_over_the_run_and_links_the_picture(tmp_path: Path) -> None:
    result = _result([0.4, 0.6])
    rec: Recorder = result["rec"]
    rec.timeline += [(1.0, "GET /slots", 0.4), (2.5, "GET /slots", 0.6), (2.0, "POST /tasks", 0.3)]
    text = report(result, tmp_path / "load.md")
    assert (tmp_path / "load.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![time per request over the run](load.png)" in text
    empty = report(_result([0.4]), tmp_path / "other.md")  # no timeline (as before this chart): no picture
    assert not (tmp_path / "other.png").exists() and "![" not in empty


def test_the_report_says_where_the_cpu_went_as_shares_of_the_cores(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "machine", lambda: {"cores": 2})
    result = _result([0.4])
    result["cpu"] = {"server request threads": 12.0, "solver children": 30.0, "PostgreSQL": 6.0,
                     "load clients": 0.6, "rest of the machine": 1.4}
    text = report(result, tmp_path / "load.md")
    table = text.split("## Where the CPU went")[1]
    assert "| solver children | 30.0 | 50% |" in table  # of 2 cores x 30 s
    assert "| idle | 10.0 | 17% |" in table
    assert "## Where the CPU went" not in report(_result([0.4]), tmp_path / "other.md")  # off Linux: no table
