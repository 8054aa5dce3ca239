"""Where a request's solver call runs: a separate process, kept warm between calls, killed at its deadline.

Why a process at all: the solver's own limits bound most of its work, but not all of it (compiling,
heuristics before CP-SAT); a process can always be stopped. And a request thread running the solver's Python
would hold the GIL of its gunicorn worker, so every other request thread of that worker would wait for the
GIL after each database round trip (under mixed load a 10 ms `GET /tasks` took 0.7 s that way).

The processes are forked by a forkserver (a clean single-threaded process that has the solver imported,
never a gunicorn worker with live threads and locks) and then serve one call after another: a call takes an
idle process (or forks one when none is idle), sends it the function and its arguments, and waits at most
its seconds (+ `GRACE_SECONDS`). A process that misses its deadline is killed, so the work ends with the
call, as a fresh process per call did. One that answers goes back to the idle ones, unless `IDLE` are idle
already, or it has served `MAX_CALLS` calls, or its memory grew past `MAX_RSS_BYTES` (a long-lived process
keeps what a big scenario made it allocate): it is then stopped. So at most one process per request thread
runs, as before, and `IDLE` wait. Why warm processes: forking one per call cost ~20 ms of the request's time
and more of the machine's (the fork, then the copy-on-write faults of a process that has OR-Tools and numpy
imported), for each of the ~1,000 solver calls of a load-test run.

Background calls (what-if, and the explanation of a refused booking: work a client asked for beside the live
day's questions) run in processes of their own at `BACKGROUND_NICE`, so on busy cores they take the CPU the
live slot queries and change checks leave: a refused booking's explanation (up to 2 s of two CP-SAT threads on
the load test's day) otherwise slowed every slot query answered meanwhile. Only the order in which the cores
serve the work changes, never an answer; a background call short of CPU ends at its deadline like any other
(its unknowns honest).

A call's answer is exactly what the function returned in a process of its own: the solver is pure (its
inputs are arguments, its options passed explicitly), and what a process keeps between calls are caches
keyed by identity or by value (`solver.eligibility`, `solver.calendar`), never an answer.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from api.errors import Busy
from solver import packing

T = TypeVar("T")

GRACE_SECONDS = 1.0  # past the budget, what a process needs to return an answer it has already found
IDLE = 2  # warm processes kept per gunicorn worker
MAX_CALLS = 200  # calls a process serves before it is replaced
MAX_RSS_BYTES = 768 * 2**20  # a process whose resident memory is above this after a call is replaced
BACKGROUND_NICE = 10  # the niceness of background calls' processes (CPU weight ~1/10 of a live call's)
PRELOAD = ["api.solver_processes", "api.day_slots", "solver.slots", "solver.plan", "solver.takeable", "solver.explain",
           "solver.next_slots", "solver.availability"]


def _rss() -> int:
    """This process's resident memory in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn: Any, nice: int = 0) -> None:
    """A solver process (at niceness `nice` more than its parent's): answer each call sent on `conn` with
    (ok, value, retire) until the pipe closes."""
    if nice:
        os.nice(nice)
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):  # the gunicorn worker stopped or replaced this process
            return
        try:
            reply: tuple[bool, Any] = (True, fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the caller, which re-raises
            reply = (False, exc)
        retire = _rss() > MAX_RSS_BYTES
        try:
            conn.send((*reply, retire))
        except Exception:  # an answer or exception that does not pickle
            conn.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}"), True))


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


class _Process:
    """One solver process and the caller's end of its pipe."""

    def __init__(self, nice: int = 0) -> None:
        ctx = _context()
        self.nice = nice
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_serve, args=(child, nice), daemon=True)
        self.proc.start()
        child.close()
        self.calls = 0

    def stop(self) -> None:
        self.conn.close()  # an idle process then returns from its recv and exits
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()


class Pool:
    """The solver processes of one gunicorn worker (see the module docstring)."""

    def __init__(self, idle: int = IDLE, max_calls: int = MAX_CALLS) -> None:
        packing.register()  # scenarios go to the processes as flat tuples (`solver.packing`)
        self.idle_max = idle
        self.max_calls = max_calls
        self._lock = threading.Lock()
        self._idle: dict[int, list[_Process]] = {0: [], BACKGROUND_NICE: []}  # by niceness

    def _take(self, nice: int = 0) -> _Process:
        with self._lock:
            if self._idle[nice]:
                return self._idle[nice].pop()
        return _Process(nice)

    def _give_back(self, proc: _Process) -> None:
        with self._lock:
            if len(self._idle[proc.nice]) < self.idle_max:
                self._idle[proc.nice].append(proc)
                return
        proc.stop()

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], *, seconds: float,  # noqa: PLR0913
            timed_out: Callable[[], T], background: bool = False) -> T:
        """`fn(*args, **kwargs)` in a solver process (a background one if `background`), which is killed
        `seconds` (+ grace) from now if it has not answered by then: `timed_out()` is the answer then."""
        proc = self._take(BACKGROUND_NICE if background else 0)
        keep = False
        try:
            proc.conn.send((fn, args, kwargs))
            if not proc.conn.poll(seconds + GRACE_SECONDS):
                return timed_out()
            try:
                ok, value, retire = proc.conn.recv()
            except EOFError:  # the process died without answering (e.g. out of memory)
                raise Busy("the solver's process stopped unexpectedly; try again", retry_after=1) from None
            proc.calls += 1
            keep = not retire and proc.calls < self.max_calls
        finally:
            if keep:
                self._give_back(proc)
            else:
                proc.stop()
        if not ok:
            raise value
        return cast(T, value)

    def warm(self) -> None:
        """Fill the idle processes, each proven ready by one call (which returns only once the forkserver has
        imported the solver and forked it)."""
        while True:
            with self._lock:
                if len(self._idle[0]) >= self.idle_max:
                    return
            self._give_back(_ready(_Process()))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {nice: [] for nice in self._idle}
        for procs in idle.values():
            for proc in procs:
                proc.stop()


def _nothing() -> None:
    """A call with nothing to do."""


def _ready(proc: _Process) -> _Process:
    proc.conn.send((_nothing, (), {}))
    proc.conn.recv()
    return proc


_pools: dict[int, Pool] = {}  # by process id: a forked gunicorn worker must not use its parent's processes
_pools_lock = threading.Lock()


def pool() -> Pool:
    """This process's pool of solver processes."""
    with _pools_lock:
        found = _pools.get(os.getpid())
        if found is None:
            found = _pools[os.getpid()] = Pool()
        return found


def warm_solver_processes() -> None:
    """Start this process's forkserver and its idle solver processes now, rather than on the first request
    that needs the solver: the forkserver imports the solver (OR-Tools, numpy) once, about a second of CPU,
    and forks nothing before that. gunicorn calls it in each worker before it accepts requests
    (gunicorn.conf.py). Starting the forkserver without waiting for it was not enough: the load test's first
    slot query, sent as soon as the server answered, still spent 1.1 s of its 1.35 s waiting for the imports
    (its solve took 0.28 s), and the two queued behind it 1.2-1.3 s more."""
    pool().warm()


def isolated(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], *, seconds: float,  # noqa: PLR0913
             timed_out: Callable[[], T], background: bool = False) -> T:
    """`fn(*args, **kwargs)` in a solver process of this process's pool (a background one if `background`),
    stopped `seconds` (+ grace) from now; `timed_out()` gives the answer then (everything undecided)."""
    return pool().run(fn, args, kwargs, seconds=seconds, timed_out=timed_out, background=background)
