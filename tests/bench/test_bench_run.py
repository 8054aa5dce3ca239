"""The runner: engines must agree where both decide, and a disagreement fails the run loudly."""

import pytest

from benchmarks.generate import generate_day
from benchmarks.report import load_results, scale_section
from benchmarks.run import (
    EXIT_DISAGREEMENT,
    CaseResult,
    CaseSpec,
    Disagreement,
    EngineResult,
    RunConfig,
    main,
    query_for,
    run_greedy,
    run_naive,
    run_suite,
    sample_step,
)

CFG = RunConfig(repeats=1, step=60)


@pytest.fixture(scope="module")
def day():
    return generate_day(6, 0.8, seed=5, name="gen-S-65")


def fake(engine, pattern):
    """A fake engine answering `pattern` (one verdict character per candidate, repeated)."""

    def run(inst, scenario, spec, cfg, progress):
        n = len(query_for(inst, cfg).candidates(scenario))
        return EngineResult(engine, walls=[0.01], cpus=[0.01], verdicts=(pattern * n)[:n], feasible_base=True,
                            solver_calls=0)

    return run


def test_disagreement_names_instance_and_candidate(day):
    engines = {"exact": fake("exact", "SN"), "naive": fake("naive", "SS")}
    with pytest.raises(Disagreement, match=r"gen-S-65: candidate 2026-11-23T04:00:00\+03:00 \(#1\) is not a slot"):
        run_suite([CaseSpec("gen-S-65", ("gen", "S", 65))], CFG, engines=engines, in_process=True,
                  show_progress=False, instances={"gen-S-65": day})


def test_undecided_and_unprobed_candidates_are_not_compared(day):
    engines = {"exact": fake("exact", "SNU"), "naive": fake("naive", "-US")}
    (case,) = run_suite([CaseSpec("gen-S-65", ("gen", "S", 65))], CFG, engines=engines, in_process=True,
                        show_progress=False, instances={"gen-S-65": day})
    assert case.agreement["disagreements"] == 0


def test_main_exits_non_zero_on_disagreement_and_still_writes_the_report(day, tmp_path, capsys):
    engines = {"exact": fake("exact", "N"), "naive": fake("naive", "S"), "greedy": run_greedy}
    out = tmp_path / "r.md"
    code = main(["--cases", "gen-S-65", "--in-process", "--no-progress", "--repeats", "1", "--out", str(out)],
                engines=engines, instances={"gen-S-65": day})
    assert code == EXIT_DISAGREEMENT
    assert "DISAGREEMENT: gen-S-65: candidate" in capsys.readouterr().err
    assert "RUN FAILED" in out.read_text()


def test_main_reports_agreeing_engines(day, tmp_path):
    engines = {"exact": fake("exact", "SN"), "naive": fake("naive", "S-"), "greedy": run_greedy}
    out = tmp_path / "r.md"
    code = main(["--cases", "gen-S-65", "--in-process", "--no-progress", "--out", str(out)],
                engines=engines, instances={"gen-S-65": day})
    assert code == 0
    text = out.read_text()
    assert "| gen-S-65 |" in text and "RUN FAILED" not in text
    assert (tmp_path / "r_time_per_query.png").stat().st_size > 0
    results, _, _, failure = load_results(tmp_path / "r.json")  # a report can be re-rendered from its JSON
    assert failure == "" and results[0].engines["naive"].verdicts.startswith("S-")


def test_sampled_naive_probes_a_coarser_grid_of_real_candidates_and_agrees_with_the_full_run(day):
    scenario = day.scenario()
    query = query_for(day, CFG)
    starts = query.candidates(scenario)
    step = sample_step(query, len(starts), 4)
    assert step % CFG.step == 0 and step > CFG.step
    full = run_naive(day, scenario, CaseSpec("gen-S-65", ("gen", "S", 65)), CFG, lambda done, total: None)
    sampled = run_naive(day, scenario, CaseSpec("gen-S-65", ("gen", "S", 65), naive_sample=4), CFG,
                        lambda done, total: None)
    assert sampled.estimated and not full.estimated and sampled.sampled >= 4
    assert sampled.sampled == len(sampled.verdicts) - sampled.verdicts.count("-")
    assert all(s in ("-", f) for s, f in zip(sampled.verdicts, full.verdicts, strict=True))
    assert sampled.solver_calls == 1 + len(starts) and sampled.walls[0] > 0


def _big_case(name: str, plan_wall: float, wall: float, undecided: int, rss: float):
    spec = CaseSpec(name, ("gen", "XXL", 90))
    exact = EngineResult("exact", walls=[wall], undecided=undecided, peak_rss_mib=rss, plan_wall=plan_wall,
                         plan_status="feasible", verdicts="S" * 3)
    return CaseResult(spec, {"name": name, "workers": 1000, "tasks": 6000}, ["a", "b", "c"], {"exact": exact})


def test_issue9_targets_are_computed_from_the_figures():
    met = "\n".join(scale_section([_big_case("gen-XXL-90", 4.0, 12.0, 0, 300.0)]))
    row = next(line for line in met.splitlines() if line.startswith("| 1,000 workers, 90 %, cold"))
    assert row.endswith("✅ |")
    for slow in (_big_case("gen-XXL-90", 6.0, 12.0, 0, 300.0), _big_case("gen-XXL-90", 4.0, 16.0, 0, 300.0),
                 _big_case("gen-XXL-90", 4.0, 12.0, 1, 300.0)):
        text = "\n".join(scale_section([slow]))
        row = next(line for line in text.splitlines() if line.startswith("| 1,000 workers, 90 %, cold"))
        assert row.endswith("❌ |"), row
    # A target whose cases did not run is not met.
    assert "0 undecided | 1 | gen-XXXL-90: not run | ❌ |" in met
