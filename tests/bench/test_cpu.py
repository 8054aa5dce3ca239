"""The load report's CPU breakdown: each group's CPU between two /proc snapshots, with the solver's reaped
children and a process that started meanwhile counted, and the machine's remainder as the rest."""

from __future__ import annotations

import os
import time

from benchmarks.cpu import GROUPS, Proc, Snapshot, breakdown, snapshot

SERVER, WORKER_A, WORKER_B, FORKSERVER, CHILD, POSTMASTER, BACKEND = 100, 101, 102, 103, 104, 200, 201
GUNICORN = "python gunicorn --workers 2"


def _procs(*rows: tuple[int, int, float, float, str]) -> dict[int, Proc]:
    return {pid: Proc(pid, ppid, own, reaped, cmd) for pid, ppid, own, reaped, cmd in rows}


def test_each_group_gets_its_processes_cpu_between_the_snapshots() -> None:
    before = Snapshot(machine=1000.0, clients=5.0, procs=_procs(
        (SERVER, 1, 1.0, 0.0, GUNICORN), (WORKER_A, SERVER, 10.0, 0.0, GUNICORN),
        (WORKER_B, SERVER, 20.0, 0.0, GUNICORN),
        (POSTMASTER, 1, 3.0, 50.0, "/usr/lib/postgresql/15/bin/postgres -D x"),
        (BACKEND, POSTMASTER, 2.0, 0.0, "postgres: 15/main: postgres load idle")))
    after = Snapshot(machine=1060.0, clients=6.0, procs=_procs(
        (SERVER, 1, 1.1, 0.0, GUNICORN), (WORKER_A, SERVER, 14.0, 0.0, GUNICORN),
        (WORKER_B, SERVER, 23.0, 0.0, GUNICORN),
        # Started during the load: counted from zero, with the 30 s of the solver children it reaped and the
        # 2 s of the one still running.
        (FORKSERVER, WORKER_A, 0.5, 30.0, "python -c from multiprocessing.forkserver import main"),
        (CHILD, FORKSERVER, 2.0, 0.0, "python -c from multiprocessing.forkserver import main"),
        (POSTMASTER, 1, 3.5, 52.0, "/usr/lib/postgresql/15/bin/postgres -D x"),
        (BACKEND, POSTMASTER, 4.0, 0.0, "postgres: 15/main: postgres load idle")))
    spent = breakdown(before, after, SERVER)
    assert list(spent) == list(GROUPS)
    assert spent["server request threads"] == 7.0  # the workers only, not the master
    assert spent["solver children"] == 32.5
    assert spent["PostgreSQL"] == 4.5  # 0.5 + 2 reaped by the postmaster + 2 of the live backend
    assert spent["load clients"] == 1.0
    assert abs(spent["rest of the machine"] - (60.0 - 7.0 - 32.5 - 4.5 - 1.0)) < 1e-9


def test_a_pid_reused_by_another_program_counts_from_zero() -> None:
    before = Snapshot(0.0, 0.0, _procs((SERVER, 1, 0.0, 0.0, GUNICORN),
                                       (WORKER_A, SERVER, 50.0, 0.0, "something else")))
    after = Snapshot(10.0, 0.0, _procs((SERVER, 1, 0.0, 0.0, GUNICORN), (WORKER_A, SERVER, 3.0, 0.0, GUNICORN)))
    assert breakdown(before, after, SERVER)["server request threads"] == 3.0


def test_a_live_snapshot_sees_this_process_and_the_machine_busy_while_it_burns_cpu() -> None:
    before = snapshot()
    assert before is not None and os.getpid() in before.procs
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    after = snapshot()
    assert after is not None
    assert after.clients - before.clients >= 0.25
    assert after.machine - before.machine >= 0.25
    assert after.procs[os.getpid()].own - before.procs[os.getpid()].own >= 0.25
