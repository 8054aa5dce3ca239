"""Turns shared by every process of one host: a counting semaphore made of `flock`ed files.

`GET /slots` solves take turns (`api.limits.slot_turn`). With a semaphore per gunicorn worker, a query
waited for its own worker's turn while the other worker's turn was free: which worker a connection lands
on is the kernel's choice, and the managers' queries came in bursts. On the load test (8 clients, L-90,
2 cores, 2 workers x 1 turn) the turn's wait had a p95 of 0.32-0.58 s over three runs (the `turn` stage of
`benchmarks/results/load.md`); with the same two turns shared by both workers, 0.09 s over three rounds,
and at most two solves still run at once.

Each turn is one file in `directory`; a turn is held by an exclusive `flock` on its open file, so the
kernel releases it when the holder closes it or dies (a killed worker leaves no turn taken). Locks of
`flock` belong to the open file, so two threads of one process that each open a turn's file exclude each
other as two processes do. Waiting polls every `POLL_SECONDS`: `flock` itself cannot wait with a timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
import time
import weakref
from pathlib import Path

POLL_SECONDS = 0.005


def directory_for(database_url: str) -> Path:
    """The default directory of a deployment's turns: one per database, so that two services on one host
    with databases of their own do not share turns, and every worker of one does."""
    digest = hashlib.sha256(database_url.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"slot-planner-turns-{digest}"


class HostTurns:
    """`count` turns in `directory`, with `threading.BoundedSemaphore`'s `acquire` and `release`: a
    release frees one turn this object holds (whichever; they are alike)."""

    def __init__(self, directory: Path, count: int) -> None:
        if count < 1:
            raise ValueError("at least one turn")
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.paths = [directory / f"turn-{k}.lock" for k in range(count)]
        self._held: list[int] = []  # open descriptors of the turns this object holds
        self._lock = threading.Lock()
        # An app dropped while it holds turns (a test's, a failed start) must not keep them from the others.
        weakref.finalize(self, _close_all, self._held)

    def _try(self) -> bool:
        for path in self.paths:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            with self._lock:
                self._held.append(fd)
            return True
        return False

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:  # noqa: FBT001, FBT002 -- threading's signature
        """Take a turn; wait at most `timeout` seconds (None: as long as it takes) unless not `blocking`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._try():
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
            time.sleep(POLL_SECONDS)
        return True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                raise ValueError("no turn held")
            fd = self._held.pop()
        os.close(fd)  # closing the file drops its lock


def _close_all(held: list[int]) -> None:
    while held:
        with contextlib.suppress(OSError):
            os.close(held.pop())
