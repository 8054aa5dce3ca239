"""Solver processes are kept warm between calls, and a call that overruns still ends with its process
(`api.solver_processes`)."""

from __future__ import annotations

import os
import time

import pytest

from api.errors import Busy
from api.solver_processes import BACKGROUND_NICE, Pool


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def pool() -> Pool:
    p = Pool(idle=1, max_calls=3)
    yield p
    p.close()


def call(pool: Pool, fn, *args, seconds: float = 10.0):  # noqa: ANN001, ANN201 -- any function, its answer
    return pool.run(fn, args, {}, seconds=seconds, timed_out=lambda: "timed out")


def test_consecutive_calls_share_one_warm_process_until_it_has_served_max_calls(pool: Pool) -> None:
    first = [call(pool, os.getpid) for _ in range(3)]
    assert len(set(first)) == 1 and first[0] != os.getpid()
    assert not alive(first[0])  # its third call was its last (max_calls 3)
    assert call(pool, os.getpid) not in first


def test_an_overrunning_call_is_answered_by_timed_out_and_its_process_is_killed(pool: Pool) -> None:
    pid = call(pool, os.getpid)
    began = time.monotonic()
    assert call(pool, time.sleep, 30, seconds=0.2) == "timed out"  # the deadline is 0.2 s + the grace
    assert time.monotonic() - began < 5
    assert not alive(pid)  # the sleeping process was the warm one, and it is gone: the work ended
    assert call(pool, os.getpid) != pid


def test_an_error_in_the_call_is_raised_here_and_the_process_serves_on(pool: Pool) -> None:
    pid = call(pool, os.getpid)
    with pytest.raises(ValueError, match="invalid literal"):
        call(pool, int, "not a number")
    assert call(pool, os.getpid) == pid


def test_a_process_that_dies_mid_call_is_503_busy_and_replaced(pool: Pool) -> None:
    pid = call(pool, os.getpid)
    with pytest.raises(Busy):
        call(pool, os._exit, 3)
    assert not alive(pid)
    assert call(pool, os.getpid) != pid


def test_processes_beyond_the_idle_ones_stop_after_their_call(pool: Pool) -> None:
    a = pool._take()  # noqa: SLF001 -- two calls at once: the second forks a process of its own
    b = pool._take()  # noqa: SLF001
    pool._give_back(a)  # noqa: SLF001
    pool._give_back(b)  # noqa: SLF001 -- one idle place (idle=1): b is stopped
    assert alive(a.proc.pid) and not alive(b.proc.pid)


def niceness() -> int:
    return os.nice(0)


def test_background_calls_run_niced_in_processes_of_their_own(pool: Pool) -> None:
    live = pool.run(niceness, (), {}, seconds=10.0, timed_out=lambda: None)
    background = pool.run(niceness, (), {}, seconds=10.0, timed_out=lambda: None, background=True)
    assert live == os.nice(0)
    assert background == min(19, live + BACKGROUND_NICE)
    assert pool.run(niceness, (), {}, seconds=10.0, timed_out=lambda: None) == live  # not a niced process
    pids = {pool.run(os.getpid, (), {}, seconds=10.0, timed_out=lambda: None, background=flag)
            for flag in (False, True)}
    assert len(pids) == 2  # the kinds never share a process
