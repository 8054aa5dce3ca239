"""Issue 8's targets table: every named case gets a ✅/❌ computed from the run's figures, never assumed."""

import pytest

from benchmarks.generate import generate_day
from benchmarks.records import CaseResult, CaseSpec, EngineResult, RunConfig
from benchmarks.report import targets_section
from benchmarks.run import FULL_PLAN, QUICK_PLAN, run_explain, run_next
from benchmarks.targets import required, verdicts


def _case(name: str, walls: list[float], *, witness: bool = False, undecided: int = 0, naive: float | None = None,
          naive_undecided: int = 0, engine: str = "exact") -> CaseResult:
    """A case's figures; its instance is the name without `-witness` (cold and witness cases share it)."""
    spec = CaseSpec(name, ("gen", "M", 90), use_witness=witness, engines=(engine,) if engine != "exact" else None)
    engines = {engine: EngineResult(engine, walls=walls, undecided=undecided, feasible_base=True, verdicts="SN")}
    if naive is not None:
        engines["naive"] = EngineResult("naive", walls=[naive], undecided=naive_undecided, feasible_base=True)
    return CaseResult(spec, {"name": name.removesuffix("-witness"), "workers": 50, "tasks": 300},
                      ["a", "b"], engines)


def _row(results: list[CaseResult], name: str) -> str:
    return next(line for line in targets_section(results) if line.startswith(f"| {name} |"))


def _verdict(results: list[CaseResult], name: str):
    return next(v for v in verdicts(results) if v.bound.case == name)


def test_a_cold_m_day_within_a_second_with_nothing_undecided_and_100x_naive_is_met():
    results = [_case("gen-M-65", [0.4, 0.5, 0.9], naive=60.0)]
    v = _verdict(results, "gen-M-65")
    assert (v.met, v.time_ok, v.undecided_ok, v.speedup_ok) == (True, True, True, True)
    assert v.speedup == pytest.approx(120.0)
    assert _row(results, "gen-M-65").endswith("| ✅ |")


@pytest.mark.parametrize(("walls", "undecided", "naive", "missed"), [
    ([1.2, 1.3, 0.2], 0, 500.0, "time_ok"),  # median 1.2 s > 1 s
    ([0.5], 3, 500.0, "undecided_ok"),  # fast, but 3 candidates undecided
    ([0.5], 0, 40.0, "speedup_ok"),  # only 80x naive
])
def test_a_cold_m_day_that_misses_any_one_target_is_not_met(walls, undecided, naive, missed):
    results = [_case("gen-M-90", walls, undecided=undecided, naive=naive)]
    v = _verdict(results, "gen-M-90")
    assert not v.met and getattr(v, missed) is False
    assert _row(results, "gen-M-90").endswith("| ❌ |")


def test_every_case_the_targets_name_is_listed_and_a_missing_one_is_not_run():
    table = "\n".join(targets_section([_case("gen-M-65", [0.1], naive=60.0)]))
    for bound in required():
        assert f"| {bound.case} |" in table
    assert _row([], "gen-crew-XL-90-witness").endswith("| not run | — | — | ❌ |")
    assert _row([], "next-L-90-witness").endswith("| not run | — | — | ❌ |")


def test_a_case_run_from_the_other_start_does_not_count():
    # An older run's gen-L-90 started from the witness: the cold target is not met by it.
    v = _verdict([_case("gen-L-90", [0.1], witness=True)], "gen-L-90")
    assert not v.met and v.missing.startswith("not run cold")


def test_a_witness_case_is_compared_with_naive_on_its_cold_case():
    cold = _case("gen-L-90", [1.5], naive=3000.0)
    warm = _case("gen-L-90-witness", [0.5], witness=True)
    v = _verdict([cold, warm], "gen-L-90-witness")
    assert v.met and v.speedup == pytest.approx(6000.0)


def test_a_naive_floor_below_100x_is_not_claimed_as_met():
    v = _verdict([_case("gen-M-80", [0.5], naive=10.0, naive_undecided=2)], "gen-M-80")
    assert v.speedup_floor and v.speedup_ok is False and not v.met


def test_explain_is_held_to_its_worst_refused_start_and_next_to_its_median():
    explain = _case("explain-M-90-witness", [0.2, 0.3, 1.4], witness=True, engine="explain")
    nxt = _case("next-L-90-witness", [1.0, 1.5, 2.5], witness=True, engine="next")
    assert not _verdict([explain], "explain-M-90-witness").met  # median 0.3 s, but one start took 1.4 s
    assert _verdict([nxt], "next-L-90-witness").met  # median 1.5 s (one slow run of 2.5 s)


def test_make_bench_runs_every_case_the_targets_name_from_the_start_they_name():
    plan = {c.name: c for c in FULL_PLAN}
    for bound in required():
        assert bound.case in plan, bound.case
        assert plan[bound.case].use_witness == bound.witness
        assert bound.engine in plan[bound.case].engine_names


def test_the_quick_run_passes_through_the_witness_crew_next_and_explain_paths():
    assert any(c.use_witness and c.engine_names == ("exact",) for c in QUICK_PLAN)
    assert any(c.source[0] == "crew" for c in QUICK_PLAN)
    assert {"next", "explain"} <= {e for c in QUICK_PLAN for e in c.engine_names}


@pytest.fixture(scope="module")
def day():
    return generate_day(6, 0.8, seed=5, name="gen-S-80")


def test_explain_engine_times_each_refused_start_and_names_its_reasons(day):
    spec = CaseSpec("explain-S-80-witness", ("gen", "S", 80), use_witness=True, engines=("explain",), samples=3)
    res = run_explain(day, day.scenario(), spec, RunConfig(step=30), lambda done, total: None)
    assert res.error == "" and len(res.walls) == res.sampled == min(3, res.stats["refused"]) > 0
    assert sum(res.stats["reasons"].values()) == len(res.walls)
    assert res.undecided == res.stats["reasons"].get("unknown", 0)


def test_next_engine_answers_over_fourteen_days(day):
    spec = CaseSpec("next-S-80-witness", ("gen", "S", 80), use_witness=True, engines=("next",), repeats=1)
    res = run_next(day, day.scenario(), spec, RunConfig(step=60), lambda done, total: None)
    assert len(res.walls) == 1 and res.stats["days"] == 14 and res.stats["limit"] == 10
    assert res.stats["tasks"] == 14 * len(day.scenario_doc["tasks"])
    assert res.feasible_base is True and res.undecided == 0
