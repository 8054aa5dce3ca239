"""Seconds as an idle machine would have counted them: for CP-SAT stages tuned in seconds.

The window models' stages (`solver.neighbourhood`) were tuned in seconds on an idle machine. Timed by the
wall clock, a stage sharing the cores with other requests gets a fraction of its CPU, fails, and the probe
goes on to wider windows, which then fail the same way: on the load test's L-90 day a slot query that
took 1.05 s alone took 5.7 s (5.1 s of CPU) under load, and 10 s with 62 starts undecided beside three
CPU-bound processes.

A paced stage (`Pace.solve`) counts the wall clock minus the time this process's threads waited for a CPU
(Linux's run-queue delay per thread, `/proc/self/task/*/schedstat`): it then does the work it would have
done alone however busy the machine is, and on an idle machine it is timed exactly as before. The time
taken from the stage is the most any one of its threads waited (CP-SAT's workers run side by side, so the
stage is as late as its most delayed worker). Where the delays cannot be read, nothing is taken (wall clock).

Only timing changes, never what a verdict means: a stage stopped early answers UNKNOWN, as one that ran out
of wall time did. The query's budget stays on the wall clock (`deadline`), and `SLACK` bounds what one
stage may take by it.
"""

from __future__ import annotations

import os
import threading
import time

from ortools.sat.python import cp_model

SLACK = 4.0  # a paced stage of s seconds stops at 4 s by the wall clock, however little CPU it got
POLL_SECONDS = 0.003  # how often a stage's delays are read: a 20 ms stage still stops within ~3 ms of its due
TASKS = "/proc/self/task"


def waited() -> dict[int, float]:
    """Seconds each thread of this process has waited for a CPU so far (empty where unknown)."""
    out: dict[int, float] = {}
    try:
        tids = os.listdir(TASKS)
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"{TASKS}/{tid}/schedstat", encoding="ascii") as f:
                fields = f.read().split()
        except OSError:  # the thread ended meanwhile, or no schedstat here
            continue
        if len(fields) >= 2:  # noqa: PLR2004 -- on-CPU ns, run-queue ns, slices
            out[int(tid)] = int(fields[1]) / 1e9
    return out


class Pace:
    """The seconds a solve has spent since it began, less what its threads waited for a CPU."""

    def __init__(self, deadline: float, began: float | None = None) -> None:
        self.deadline = deadline  # the wall-clock instant (time.perf_counter) nothing may run past
        self.began = time.perf_counter() if began is None else began  # `began`: the solve's own start
        self.main = threading.get_native_id()
        self.mark = waited().get(self.main, 0.0)  # the main thread's waits when its Python work last resumed
        self.taken = 0.0  # seconds lost to waiting before `mark`

    def _between(self) -> float:
        """What the main thread has waited since `mark` (its Python work between stages: building, reading)."""
        return waited().get(self.main, self.mark) - self.mark

    def spent(self) -> float:
        return time.perf_counter() - self.began - self.taken - self._between()

    def solve(self, solver: cp_model.CpSolver, model: cp_model.CpModel, seconds: float) -> cp_model.CpSolverStatus:
        """`solver.solve(model)`, stopped once it has run `seconds` less what its threads waited, at the latest
        `SLACK` times `seconds` or the deadline by the wall clock."""
        solver.parameters.max_time_in_seconds = max(0.0, min(seconds * SLACK, self.deadline - time.perf_counter()))
        before = waited()
        self.taken += before.get(self.main, self.mark) - self.mark
        start = time.perf_counter()
        done = threading.Event()
        late = [0.0]

        def watch() -> None:
            # The main thread counts too: CP-SAT presolves (and with one worker, searches) on the calling thread.
            own = threading.get_native_id()
            while not done.wait(POLL_SECONDS):
                now = waited()
                late[0] = max((w - before.get(t, 0.0) for t, w in now.items() if t != own), default=0.0)
                if time.perf_counter() - start - late[0] >= seconds:
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, name="pace", daemon=True)
        watcher.start()
        try:
            code = solver.solve(model)
        finally:
            done.set()
            watcher.join()
        self.taken += late[0]
        self.mark = waited().get(self.main, self.mark)
        return code
