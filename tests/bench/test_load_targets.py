"""The load report's targets table (issue 11) is computed from the run's figures, and says when the run's
conditions are not the target's."""

from __future__ import annotations

import time
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
            "feasible_base": feasible, "lost": lost or [], "wrong_holder": [], "think": 0.0}


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


def _round(slot_seconds: list[float], seed: int, **kwargs: Any) -> dict[str, Any]:
    result = _result(slot_seconds, **kwargs)
    result["seed"] = seed
    result["rec"].booked.update({"t-1", "t-2"})  # ids restart each round
    result["rec"].timeline.append((1.0, "GET /slots", slot_seconds[0]))
    return result


def test_rounds_pool_their_requests_for_the_targets_and_keep_each_rounds_figures() -> None:
    fast, slow = _round([0.2] * 19 + [0.9], seed=1), _round([0.3] * 18 + [2.0] * 2, seed=2)
    assert targets(fast, cores=2)[0].met is True  # alone, the first round meets the latency target
    pooled = load.combine([fast, slow])
    verdicts = targets(pooled, cores=2)
    assert verdicts[0].met is False  # 40 queries pooled: the 95th percentile is one of the 2 s answers
    assert verdicts[0].measured.startswith("2.000 s over 2 rounds' 40 queries (each round's p95: 0.90, 2.00 s)")
    assert [r["p95"] for r in pooled["rounds"]] == [0.9, 2.0]
    assert pooled["seconds"] == 60.0 and len(pooled["rec"].booked) == 4 and len(pooled["rec"].timeline) == 2


def test_a_lost_write_or_a_stranded_day_in_any_round_misses_its_target(tmp_path: Path) -> None:
    pooled = load.combine([_round([0.2] * 5, seed=1), _round([0.2] * 5, seed=2, lost=["t-7"], feasible=False)])
    assert pooled["lost"] == ["round 2: t-7"] and pooled["feasible_base"] is False
    assert [t.met for t in targets(pooled, cores=2)][2:] == [False, False]
    text = report(pooled, tmp_path / "load.md")
    rounds = text.split("## Rounds")[1]
    assert "| 2 | 2 | 5 | 0.200 | 0.200 | 0.200 | 2 | 0.2 | 0 | 1 | False |" in rounds


def test_one_round_reports_as_before(tmp_path: Path) -> None:
    one = load.combine([_round([0.4] * 3, seed=1)])
    assert targets(one, cores=2)[0].measured == "0.400 s"
    assert "## Rounds" not in report(one, tmp_path / "load.md")


def test_rounds_are_bounded() -> None:
    with pytest.raises(SystemExit) as exc:
        load.main(["--rounds", "11"])
    assert exc.value.code == 2


def test_the_report_splits_the_slot_answers_time_inside_the_server_from_their_server_timing(tmp_path: Path) -> None:
    result = _result([0.5, 1.5])
    rec: Recorder = result["rec"]
    rec.stages[load.SLOTS].update({"turn": [0.0, 1.0], "read": [0.05, 0.06], "solve": [0.3, 0.4]})
    rec.stages["POST /tasks"].update({"lock": [0.2], "check": [0.1]})
    text = report(result, tmp_path / "load.md")
    table = text.split("## Inside the server")[1].split("##")[0]
    rows = {tuple(cell.strip("` ") for cell in line.strip("|").split("|")[:2]): line
            for line in table.splitlines() if line.startswith("| `")}
    assert rows[("GET /slots", "turn")].endswith("| 2 | 0.500 | 1.000 | 1.000 |")  # answers, p50, p95, max
    assert rows[("GET /slots", "solve")].endswith("| 2 | 0.350 | 0.400 | 0.400 |")
    assert rows[("POST /tasks", "lock")].endswith("| 1 | 0.200 | 0.200 | 0.200 |")  # a booking's stages too
    assert ("GET /slots", "shared") not in rows  # no query joined another
    assert list(rows)[0][0] == "GET /slots"  # the target's endpoint first
    assert "## Inside the server" not in report(_result([0.5]), tmp_path / "other.md")  # no header, no table


def test_the_spread_of_the_pooled_p95_comes_from_resampling_whole_rounds() -> None:
    alike = [[0.2] * 19 + [0.9]] * 5
    assert load.spread(alike) == (0.9, 0.9)  # rounds that agree leave no doubt
    one_slow = [[0.2] * 20] * 4 + [[0.2] * 15 + [3.0] * 5]
    lo, hi = load.spread(one_slow)
    assert lo == 0.2 and hi == 3.0  # noqa: PLR2004 -- with or without the slow round drawn
    assert load.spread(one_slow) == load.spread(one_slow, seed=0)  # seeded: the same rounds, the same interval


def test_the_report_says_how_much_of_the_pooled_p95_is_the_rounds_luck(tmp_path: Path) -> None:
    pooled = load.combine([_round([0.2] * 20, seed=1), _round([0.2] * 15 + [3.0] * 5, seed=2)])
    text = report(pooled, tmp_path / "load.md")
    assert "the pooled `GET /slots` p95 falls between 0.20 and 3.00 s in 90 % of them" in text
    assert "rounds' luck" not in report(load.combine([_round([0.4] * 3, seed=1)]), tmp_path / "one.md")


def test_clients_that_think_before_acting_say_nothing_about_the_latency_target(tmp_path: Path) -> None:
    thinking = {**_result([0.1] * 5), "think": 2.0}
    verdict = targets(thinking, cores=2)[0]
    assert verdict.met is None and verdict.measured.endswith("(ran L-90, 8 clients, 2 cores, clients thinking 2 s)")
    assert targets({**thinking, "think": 0.0}, cores=2)[0].met is True
    assert "installers their day 2 s before acting" in report(thinking, tmp_path / "load.md")
    with pytest.raises(SystemExit) as exc:
        load.main(["--think", "11"])
    assert exc.value.code == 2


def test_the_report_splits_slot_answers_by_how_full_the_day_was(tmp_path: Path) -> None:
    result = _result([0.2, 0.3, 1.4])
    rec: Recorder = result["rec"]
    rec.by_fullness += [(3, 0.2), (20, 0.3), (61, 1.4)]  # bookings accepted when asked, seconds
    table = report(result, tmp_path / "load.md").split("## By how full the day was")[1]
    assert "| 0-24 | 2 | 0.250 |" in table
    assert "| 25-49 |" not in table  # no answer there: no row
    assert "| 50-74 | 1 | 1.400 | 1.400 | 1.400 |" in table
    assert "## By how full the day was" not in report(_result([0.4]), tmp_path / "other.md")


def test_a_recorded_answer_counts_what_its_stages_leave_as_the_rest() -> None:
    rec = Recorder()

    class Answer:
        status_code = 200
        headers = {"Server-Timing": "turn;dur=100, solve;dur=300"}

    class Session:
        def request(self, *args: Any, **kwargs: Any) -> Answer:
            time.sleep(0.5)
            return Answer()

    rec.call("GET /slots", Session(), "GET", "http://x", booked=7)  # type: ignore[arg-type]
    assert rec.stages["GET /slots"]["turn"] == [0.1]
    (rest,) = rec.stages["GET /slots"][load.REST]
    assert 0.09 <= rest < 0.5  # the client's ~0.5 s less the stages' 0.4 s
    assert rec.by_fullness[0][0] == 7


def test_rounds_ending_at_a_number_of_bookings_say_nothing_about_the_latency_target(tmp_path: Path) -> None:
    capped = {**_result([0.1] * 5), "bookings": 50}
    verdict = targets(capped, cores=2)[0]
    assert verdict.met is None
    assert verdict.measured.endswith("(ran L-90, 8 clients, 2 cores, rounds ending at 50 bookings)")
    assert "each round ends once 50 bookings are accepted" in report(capped, tmp_path / "load.md")
    pooled = load.combine([{**_round([0.2] * 3, seed=k), "bookings": 50} for k in (1, 2)])
    assert pooled["bookings"] == 50  # the pooled result keeps the rounds' condition
    with pytest.raises(SystemExit) as exc:
        load.main(["--bookings", "0"])
    assert exc.value.code == 2


def test_a_round_ends_once_its_bookings_are_accepted() -> None:
    rec = Recorder()
    clients = load.Clients(setup=None, base="", rec=rec, stop=time.monotonic() + 60, seed=1,  # type: ignore[arg-type]
                           bookings=2)
    assert not clients.over()
    rec.booked.update({"t-1", "t-2"})
    assert clients.over()
    assert not load.Clients(setup=None, base="", rec=rec, stop=time.monotonic() + 60, seed=1).over()  # type: ignore[arg-type]
    assert load.Clients(setup=None, base="", rec=Recorder(), stop=time.monotonic() - 1, seed=1).over()  # type: ignore[arg-type]
