"""Reader for the published Personnel Task Scheduling instances (../shared/ptsp/*.dat).

Mapping to the scenario contract (as in the data set's README):
- one worker `q<w>` per qualification line, with one shift covering the whole horizon (from the
  origin to the end of the last operational day any job touches);
- job i becomes an untaken task `j<i>` with skill `j<i>`, unique to it; worker w gets skill `j<i>`
  when job i is in its list;
- minute m is ORIGIN + m, ORIGIN = 2026-11-23T03:00 UTC, so minute 0 is the start of the queried
  operational day (day_start 03:00, zone UTC). Times past 1440 fall on the next operational day(s).

The slot query asks for a new task "like job k" (skill `j<k>`) on the first operational day, where k
is the job with the most qualified workers (ties: lowest index) — the realistic question "where can I
book one more of our most common kind of job", and the one with the most candidates to decide.

Tight variants (`tighten`): the originals are loose (every worker is available all the time), so we
find a plan with `solver.plan.plan`, then try to drop workers one at a time, those doing fewest jobs
first (ties in a seeded random order). A drop is kept when the dropped worker's jobs can be re-homed
in the current plan: each to a free qualified worker, or to one whose single blocking job moves to
a free qualified worker. The final plan passes `solver.checker` and is stored as the witness.
Re-homing is a plain deterministic search, not CP-SAT under a time limit, so the same seed gives the
same tight instance on any machine at any load; it may stop short of the fewest workers possible,
which only matters for how tight "tight" is (the instance records how many workers were dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from benchmarks.common import FORMAT_VERSION, BenchInstance, cached_version, instance_path, save_instance
from solver.checker import assignment_problems
from solver.domain import Scenario, Shift, Status, Task, Worker
from solver.options import SolverOptions
from solver.plan import plan


def _ptsp_dir() -> Path:
    """The shared data set: $PTSP_DIR, else ../shared/ptsp beside the repository, else /work/shared/ptsp
    (where this workplace keeps it, so a clone elsewhere — CI's — still finds it)."""
    if os.environ.get("PTSP_DIR"):
        return Path(os.environ["PTSP_DIR"])
    for candidate in (Path(__file__).resolve().parents[2] / "shared" / "ptsp", Path("/work/shared/ptsp")):
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "ptsp"


PTSP_DIR = _ptsp_dir()
ORIGIN = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DAY_MINUTES = 24 * 60
DEFAULT_SEED = 1


@dataclass(frozen=True)
class PtspData:
    """A parsed .dat file: jobs as [start, end) minutes, and each worker's list of job indices."""

    name: str
    jobs: tuple[tuple[int, int], ...]
    qualifications: tuple[tuple[int, ...], ...]


def parse_dat(text: str, name: str = "ptsp") -> PtspData:
    """Parse the PTSP text format; raises ValueError naming the line when it does not follow it."""
    lines = [(no, ln.strip()) for no, ln in enumerate(text.splitlines(), 1)]
    lines = [(no, ln) for no, ln in lines if ln and not ln.startswith("#")]
    it = iter(lines)

    def header(key: str) -> int:
        no, ln = next(it, (0, ""))
        m = re.fullmatch(rf"{key}\s*=\s*(\d+)", ln)
        if not m:
            raise ValueError(f"{name}: line {no}: expected '{key} = <n>', got {ln!r}")
        return int(m.group(1))

    if header("Type") != 1:
        raise ValueError(f"{name}: only Type = 1 instances are supported")
    jobs = []
    for _ in range(header("Jobs")):
        no, ln = next(it, (0, ""))
        parts = ln.split()
        if len(parts) != 2:
            raise ValueError(f"{name}: line {no}: expected '<start> <end>', got {ln!r}")
        s, e = int(parts[0]), int(parts[1])
        if not s < e:
            raise ValueError(f"{name}: line {no}: job start must be before its end")
        jobs.append((s, e))
    quals = []
    for _ in range(header("Qualifications")):
        no, ln = next(it, (0, ""))
        count, _, rest = ln.partition(":")
        ids = tuple(int(x) for x in rest.split())
        if not count.strip().isdigit() or int(count) != len(ids) or any(not 0 <= j < len(jobs) for j in ids):
            raise ValueError(f"{name}: line {no}: bad qualification line {ln!r}")
        quals.append(ids)
    return PtspData(name, tuple(jobs), tuple(quals))


def read_dat(path: Path) -> PtspData:
    return parse_dat(path.read_text(), short_name(path))


def short_name(path: Path) -> str:
    """`Data_137__data_2_24_40_33.dat` -> `data_2_24_40_33`."""
    return path.stem.split("__")[-1]


def _iso(minute: int) -> str:
    return (ORIGIN + timedelta(minutes=minute)).isoformat()


def query_job(data: PtspData, workers: list[int] | None = None) -> int:
    """The job with the most qualified workers (among `workers`, default all); ties: lowest index."""
    count = [0] * len(data.jobs)
    for w in range(len(data.qualifications)) if workers is None else workers:
        for j in data.qualifications[w]:
            count[j] += 1
    return max(range(len(data.jobs)), key=lambda j: (count[j], -j))


def _shift_end(data: PtspData) -> int:
    """End of the one shift, in minutes: whole operational days, so a candidate late on the first day
    is never refused just because the data's horizon ends early."""
    horizon_end = max(e for _, e in data.jobs)
    return -(-max(horizon_end, DAY_MINUTES) // DAY_MINUTES) * DAY_MINUTES


def to_instance(data: PtspData, workers: list[int] | None = None, *, name: str | None = None,
                witness: dict[str, str] | None = None, meta: dict | None = None) -> BenchInstance:
    """The scenario of `data` with only `workers` (qualification-line indices, default all)."""
    keep = list(range(len(data.qualifications))) if workers is None else sorted(workers)
    shift = {"start": _iso(0), "end": _iso(_shift_end(data))}
    doc_workers = [
        {"id": f"q{w}", "skills": sorted(f"j{j}" for j in set(data.qualifications[w])), "shifts": [dict(shift)]}
        for w in keep
    ]
    doc_tasks = [
        {"id": f"j{i}", "start": _iso(s), "end": _iso(e), "skill": f"j{i}", "worker_id": None}
        for i, (s, e) in enumerate(data.jobs)
    ]
    k = query_job(data, keep)
    doc = {"timezone": "UTC", "day_start": "03:00", "workers": doc_workers, "tasks": doc_tasks}
    info = {"source": data.name, "jobs": len(data.jobs), "workers_original": len(data.qualifications),
            "workers": len(keep), "query_job": k,
            "query_job_qualified": sum(1 for w in keep if k in data.qualifications[w]), **(meta or {})}
    return BenchInstance(name or f"ptsp-{data.name}", "ptsp", doc, ORIGIN.date().isoformat(), f"j{k}",
                         witness, info)


def _scenario(data: PtspData, keep: list[int]) -> Scenario:
    """The same scenario as `to_instance(data, keep).scenario()`, built directly (no JSON round trip)."""
    shift = Shift(ORIGIN, ORIGIN + timedelta(minutes=_shift_end(data)))
    workers = tuple(Worker(f"q{w}", None, frozenset(f"j{j}" for j in data.qualifications[w]), (shift,))
                    for w in keep)
    tasks = tuple(Task(f"j{i}", ORIGIN + timedelta(minutes=s), ORIGIN + timedelta(minutes=e), f"j{i}", None)
                  for i, (s, e) in enumerate(data.jobs))
    return Scenario("UTC", dtime(3, 0), workers, tasks)


class _Schedule:
    """Jobs per worker, for the deterministic re-homing used when tightening."""

    def __init__(self, data: PtspData, of: dict[int, int]) -> None:
        self.data = data
        self.of = dict(of)  # job -> worker
        self.jobs: dict[int, set[int]] = {}
        for j, w in of.items():
            self.jobs.setdefault(w, set()).add(j)
        self.qualified: dict[int, list[int]] = {}
        for w, quals in enumerate(data.qualifications):
            for j in quals:
                self.qualified.setdefault(j, []).append(w)

    def blockers(self, w: int, j: int) -> list[int]:
        s, e = self.data.jobs[j]
        return [k for k in self.jobs.get(w, ()) if self.data.jobs[k][0] < e and s < self.data.jobs[k][1]]

    def move(self, j: int, w: int) -> None:
        old = self.of.get(j)
        if old is not None:
            self.jobs[old].discard(j)
        self.of[j] = w
        self.jobs.setdefault(w, set()).add(j)

    def place(self, j: int, allowed: set[int]) -> bool:
        """Give job j to an allowed qualified worker: a free one, else one whose single blocking job
        moves to a free allowed worker (an ejection chain of length 1). Lowest worker index wins."""
        cands = [w for w in self.qualified.get(j, []) if w in allowed]
        for w in cands:
            if not self.blockers(w, j):
                self.move(j, w)
                return True
        for w in cands:
            blocking = self.blockers(w, j)
            if len(blocking) != 1:
                continue
            b = blocking[0]
            for y in self.qualified.get(b, []):
                if y != w and y in allowed and not self.blockers(y, b):
                    self.move(b, y)
                    self.move(j, w)
                    return True
        return False


def tighten(data: PtspData, seed: int = DEFAULT_SEED) -> BenchInstance:
    """A tight variant: drop workers while every job still has a worker (see the module docstring)."""
    began = time.perf_counter()
    keep = list(range(len(data.qualifications)))
    first = plan(_scenario(data, keep), SolverOptions(base_time_limit=60))
    if first.status is not Status.FEASIBLE:
        raise ValueError(f"{data.name}: no plan with all workers ({first.status.value})")
    sched = _Schedule(data, {int(t[1:]): int(ws[0][1:]) for t, ws in first.assignment.items()})
    load = {w: len(sched.jobs.get(w, ())) for w in keep}
    rng = random.Random(f"ptsp-tighten/{seed}/{data.name}")
    tiebreak = {w: rng.random() for w in keep}
    kept = set(keep)
    dropped = 0
    for w in sorted(keep, key=lambda w: (load[w], tiebreak[w])):
        trial = _Schedule(data, sched.of)
        allowed = kept - {w}
        if all(trial.place(j, allowed) for j in sorted(sched.jobs.get(w, ()), key=lambda j: data.jobs[j])):
            sched, kept = trial, allowed
            dropped += 1
    keep = sorted(kept)
    witness = {f"j{j}": f"q{w}" for j, w in sched.of.items()}
    problems = assignment_problems(_scenario(data, keep), witness)
    if problems:  # the independent checker judges the re-homing like any other engine
        raise AssertionError(f"{data.name}: tightening produced an invalid plan: {problems[:3]}")
    meta = {"tightened": True, "seed": seed, "dropped": dropped,
            "tighten_seconds": round(time.perf_counter() - began, 1)}
    return to_instance(data, keep, name=f"ptsp-{data.name}-tight", witness=witness, meta=meta)


def dat_files(directory: Path = PTSP_DIR) -> list[Path]:
    return sorted(directory.glob("*.dat"))


def largest(directory: Path = PTSP_DIR) -> Path:
    """The instance with the most jobs (the day size that matters for slot search)."""
    return max(dat_files(directory), key=lambda p: (len(read_dat(p).jobs), p.name))


def smallest(directory: Path = PTSP_DIR) -> Path:
    return min(dat_files(directory), key=lambda p: (len(read_dat(p).jobs), p.name))


def find(source: str, directory: Path = PTSP_DIR) -> Path:
    """A .dat file by short name (`data_2_24_40_33`), or 'largest' / 'smallest'."""
    if source == "largest":
        return largest(directory)
    if source == "smallest":
        return smallest(directory)
    hits = [p for p in dat_files(directory) if short_name(p) == source or p.name == source]
    if not hits:
        raise ValueError(f"no PTSP instance {source!r} in {directory}")
    return hits[0]


def ptsp_instance(source: str, *, tight: bool, seed: int = DEFAULT_SEED, force: bool = False) -> BenchInstance:
    """The cached scenario of a PTSP file (original or tight variant), built and stored if missing."""
    from benchmarks.common import load_instance

    path = find(source)
    data = read_dat(path)
    name = f"ptsp-{data.name}" + ("-tight" if tight else "")
    cache = instance_path(name)
    if not force and cached_version(cache) == FORMAT_VERSION:
        inst = load_instance(cache)
        if not tight or inst.meta.get("seed") == seed:
            return inst
    inst = tighten(data, seed) if tight else to_instance(data)
    save_instance(inst)
    return inst


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Convert PTSP .dat files to cached benchmark scenarios.")
    ap.add_argument("sources", nargs="*", default=["smallest", "largest"],
                    help="short names (data_2_24_40_33), or 'smallest' / 'largest'")
    ap.add_argument("--tight", action="store_true", help="also build the tight variant")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args(argv)
    for src in args.sources:
        for tight in (False, True) if args.tight else (False,):
            inst = ptsp_instance(src, tight=tight, seed=args.seed, force=args.force)
            print(f"{inst.name}: {inst.n_workers} workers, {inst.n_tasks} tasks, query skill {inst.skill}"
                  f" ({inst.meta['query_job_qualified']} qualified)"
                  + (f", dropped {inst.meta['dropped']} in {inst.meta['tighten_seconds']} s" if tight else ""))


if __name__ == "__main__":
    main()
