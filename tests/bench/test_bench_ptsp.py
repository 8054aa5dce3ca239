"""The PTSP reader: the format, the mapping to a scenario, and the tight variant."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.ptsp import ORIGIN, PTSP_DIR, largest, parse_dat, query_job, read_dat, short_name, tighten, to_instance
from benchmarks.run import LARGEST_PTSP
from solver.checker import assignment_problems

# A copy of the smallest published instance, so these tests do not depend on where the data set lives.
SMALL = Path(__file__).parent / "data" / "Data_137__data_2_24_40_33.dat"


@pytest.fixture(scope="module")
def small():
    return read_dat(SMALL)  # a missing data set is a failure, not a skip


def test_reads_the_small_instance(small):
    assert small.name == "data_2_24_40_33"
    assert len(small.jobs) == 40 and len(small.qualifications) == 24
    assert small.jobs[0] == (14, 619) and small.jobs[-1] == (739, 1225)
    assert small.qualifications[0] == (5, 12, 7, 13, 21, 22, 31, 32, 33, 39)
    assert len(small.qualifications[1]) == 16


def test_maps_to_a_scenario(small):
    inst = to_instance(small)
    scenario = inst.scenario()
    assert scenario.timezone == "UTC" and scenario.day_start.hour == 3
    assert len(scenario.workers) == 24 and len(scenario.tasks) == 40
    assert all(t.worker_id is None for t in scenario.tasks)
    j0 = scenario.tasks[0]
    assert (j0.id, j0.skill) == ("j0", "j0")
    assert j0.start == datetime(2026, 11, 23, 3, 14, tzinfo=UTC) and j0.end == ORIGIN + timedelta(minutes=619)
    q0 = scenario.workers[0]
    assert q0.skills == frozenset(f"j{j}" for j in (5, 12, 7, 13, 21, 22, 31, 32, 33, 39))
    (shift,) = q0.shifts
    assert shift.start == ORIGIN and shift.end == ORIGIN + timedelta(days=1)  # whole operational day
    k = query_job(small)
    assert inst.skill == f"j{k}"
    qualified = [sum(1 for q in small.qualifications if j in q) for j in range(40)]
    assert qualified[k] == max(qualified)


def test_tight_variant_drops_workers_and_keeps_a_valid_witness(small):
    inst = tighten(small, seed=1)
    assert inst.n_workers < 24 and inst.meta["dropped"] == 24 - inst.n_workers
    assert assignment_problems(inst.scenario(), inst.witness) == []
    assert tighten(small, seed=1).scenario_doc == inst.scenario_doc  # deterministic


@pytest.mark.parametrize("text, where", [
    ("Type = 1\nJobs = 1\n 5 3\nQualifications = 0\n", "line 3"),
    ("Type = 1\nJobs = 1\n 0 10\nQualifications = 1\n 2: 0\n", "line 5"),
    ("Type = 1\nJobs = 1\n 0 10\nQualifications = 1\n 1: 4\n", "line 5"),
    ("Type = 1\nJob = 1\n", "line 2"),
])
def test_rejects_malformed_files_naming_the_line(text, where):
    with pytest.raises(ValueError, match=where):
        parse_dat(text, "bad")


def test_comments_are_skipped():
    data = parse_dat("# hello\nType = 1\nJobs = 2\n 0 10\n 5 20\n# mid\nQualifications = 1\n 2: 1 0\n")
    assert data.jobs == ((0, 10), (5, 20)) and data.qualifications == ((1, 0),)


def test_the_full_bench_uses_the_largest_instance():
    # The published data set is not part of the repository (a clone has only tests/bench/data).
    if not any(PTSP_DIR.glob("*.dat")):
        pytest.skip(f"the PTSP data set is not at {PTSP_DIR}; set PTSP_DIR to check LARGEST_PTSP")
    assert short_name(largest()) == LARGEST_PTSP
