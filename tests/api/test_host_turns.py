"""The host's slot turns (`api.host_turns`): a counting semaphore that every process of one host shares, so a
slot query waits only while every turn of the host is taken, not while its own worker's is."""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from api.host_turns import HostTurns, directory_for


def _hold_one(directory: str, held: multiprocessing.synchronize.Event) -> None:
    turns = HostTurns(Path(directory), 2)
    assert turns.acquire(blocking=False)
    held.set()
    time.sleep(60)  # until killed


def test_two_turns_admit_two_holders_whichever_object_or_process_holds_them(tmp_path: Path) -> None:
    here, there = HostTurns(tmp_path, 2), HostTurns(tmp_path, 2)  # two workers' views of the same turns
    assert here.acquire(blocking=False)
    assert there.acquire(blocking=False)
    assert not here.acquire(blocking=False) and not there.acquire(blocking=False)  # both turns taken
    there.release()
    assert here.acquire(blocking=False)  # the turn the other one freed
    here.release()
    here.release()
    with pytest.raises(ValueError, match="no turn held"):
        here.release()


def test_a_turn_held_by_another_process_is_freed_when_that_process_dies(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    held = ctx.Event()
    other = ctx.Process(target=_hold_one, args=(str(tmp_path), held))
    other.start()
    try:
        assert held.wait(30), "the other process never took its turn"
        turns = HostTurns(tmp_path, 2)
        assert turns.acquire(blocking=False)  # the second turn
        assert not turns.acquire(blocking=False)  # the first is the other process's
        other.kill()  # killed while holding it, as a worker past its timeout would be
        other.join(10)
        assert turns.acquire(timeout=5)  # the kernel dropped its lock with the process
    finally:
        other.kill()
        other.join(10)


def test_a_waiting_acquire_gets_the_turn_a_release_frees_and_gives_up_at_its_timeout(tmp_path: Path) -> None:
    turns = HostTurns(tmp_path, 1)
    assert turns.acquire()
    began = time.monotonic()
    assert not turns.acquire(timeout=0.2)
    assert 0.2 <= time.monotonic() - began < 2
    threading.Timer(0.2, turns.release).start()  # released by another thread, as a semaphore may be
    began = time.monotonic()
    assert turns.acquire(timeout=5)
    assert 0.15 <= time.monotonic() - began < 2
    turns.release()


def test_turns_an_object_held_when_it_was_dropped_go_back_to_the_host(tmp_path: Path) -> None:
    dropped = HostTurns(tmp_path, 1)
    assert dropped.acquire(blocking=False)
    del dropped
    gc.collect()
    assert HostTurns(tmp_path, 1).acquire(blocking=False)


def test_each_database_has_its_own_turns() -> None:
    a, b = directory_for("postgresql://x@h/one"), directory_for("postgresql://x@h/two")
    assert a != b and a == directory_for("postgresql://x@h/one")
