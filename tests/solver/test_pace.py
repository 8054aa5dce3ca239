"""Paced CP-SAT stages (solver.pace): a stage gets the seconds it would have had on an idle machine.

Behaviour, not speed: each test compares a stage's wall time with the waits the process saw, with wide
margins, against CPU-bound processes started here (one more than the machine has cores).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from ortools.sat.python import cp_model

from solver import pace
from solver.pace import Pace, waited


def _spin(stop: multiprocessing.synchronize.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


@contextmanager
def busy_machine() -> Iterator[None]:
    """One CPU-bound process more than there are cores, for the duration."""
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    procs = [ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(len(os.sched_getaffinity(0)) + 1)]
    for p in procs:
        p.start()
    time.sleep(0.2)  # let them take the cores
    try:
        yield
    finally:
        stop.set()
        for p in procs:
            p.join()


def pigeonhole(holes: int = 14) -> cp_model.CpModel:
    """holes + 1 pigeons, each in a hole, no two in one: infeasible, and a long search without presolve or LP."""
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{p}_{h}") for h in range(holes)] for p in range(holes + 1)]
    for row in x:
        model.add_exactly_one(row)
    for h in range(holes):
        model.add_at_most_one(row[h] for row in x)
    return model


def stalling_solver(workers: int = 2) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.cp_model_presolve = False
    solver.parameters.symmetry_level = 0
    solver.parameters.linearization_level = 0
    return solver


def test_a_thread_that_shares_the_cores_sees_its_waits() -> None:
    me = threading.get_native_id()
    before = waited().get(me)
    assert before is not None, "this machine's kernel reports no run-queue delays (/proc/self/task/*/schedstat)"
    with busy_machine():
        began = time.perf_counter()
        while time.perf_counter() - began < 0.6:
            sum(range(1_000))
        after = waited()[me]
    assert after - before > 0.1  # one core shared with at least one spinning process for 0.6 s


def test_on_a_busy_machine_a_paced_stage_runs_its_seconds_of_turns_not_of_the_clock() -> None:
    seconds = 0.3
    with busy_machine():
        p = Pace(deadline=time.perf_counter() + 30)
        solver = stalling_solver()
        began = time.perf_counter()
        code = p.solve(solver, pigeonhole(), seconds)
        wall = time.perf_counter() - began
    assert code == cp_model.UNKNOWN  # stopped, not decided
    assert p.taken > 0.05  # its threads waited for a CPU ...
    assert wall > seconds + 0.8 * p.taken  # ... and the stage ran on for about as long
    assert wall - p.taken < seconds + 0.25  # but no longer than its seconds of turns


def test_a_paced_stage_never_runs_past_the_deadline_or_its_slack() -> None:
    p = Pace(deadline=time.perf_counter() + 0.2)
    began = time.perf_counter()
    assert p.solve(stalling_solver(), pigeonhole(), 5.0) == cp_model.UNKNOWN
    assert time.perf_counter() - began < 1.5  # the deadline, not 5 s
    with busy_machine():
        p = Pace(deadline=time.perf_counter() + 30)
        began = time.perf_counter()
        p.solve(stalling_solver(), pigeonhole(), 0.2)
        assert time.perf_counter() - began < 0.2 * pace.SLACK + 0.5


def test_without_the_kernels_delays_a_stage_is_timed_by_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pace, "TASKS", "/nonexistent")
    assert waited() == {}
    with busy_machine():
        p = Pace(deadline=time.perf_counter() + 30)
        began = time.perf_counter()
        p.solve(stalling_solver(), pigeonhole(), 0.3)
        wall = time.perf_counter() - began
    assert p.taken == 0.0
    assert 0.25 < wall < 0.9


def test_spent_counts_the_python_work_between_stages_without_its_waits() -> None:
    with busy_machine():
        p = Pace(deadline=time.perf_counter() + 30)
        began = time.perf_counter()
        while time.perf_counter() - began < 0.6:
            sum(range(1_000))
        wall = time.perf_counter() - began
        spent = p.spent()
    assert spent < wall - 0.1  # the waits do not count
    assert spent > 0.05  # the turns it had do
