"""Where a benchmark's CPU went, from Linux's /proc: the server's request threads, its solver children, the
database, the benchmark's own clients, and the rest of the machine.

Why from /proc and not from the server: the solver runs in processes forked by a forkserver
(`api.solver_processes`), which reaps them when they stop, so their CPU is the forkservers' children's time
(`cutime` + `cstime`) plus the own time of those still running; a PostgreSQL backend that exits is likewise
reaped by the postmaster. Two snapshots, before and
after the load, give each group's CPU seconds in between. Off Linux, `snapshot` returns None and the
report leaves the table out.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
GROUPS = ("server request threads", "solver children", "PostgreSQL", "load clients", "rest of the machine")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    own: float  # seconds of CPU: user + system
    reaped: float  # seconds of CPU of its children that it has waited for
    cmd: str


@dataclass(frozen=True)
class Snapshot:
    machine: float  # seconds of busy CPU since boot, all cores
    clients: float  # this process's own seconds (the load's client threads)
    procs: dict[int, Proc] = field(default_factory=dict)


def _ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def _proc(pid: int, hz: float) -> Proc | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        cmd = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # gone meanwhile
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state is fields[0]
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return Proc(pid, ppid, (utime + stime) / hz, (cutime + cstime) / hz, cmd)


def snapshot() -> Snapshot | None:
    """Every process's CPU so far and the machine's busy time, or None off Linux."""
    if not (PROC / "stat").exists():
        return None
    hz = _ticks()
    cpu = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, *rest = (int(x) for x in cpu[:8])
    busy = (user + nice + system + sum(rest)) / hz  # irq, softirq, steal; idle and iowait are not busy
    procs = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (p := _proc(int(entry.name), hz)) is not None:
            procs[p.pid] = p
    me = resource.getrusage(resource.RUSAGE_SELF)
    return Snapshot(busy, me.ru_utime + me.ru_stime, procs)


def _descendants(procs: dict[int, Proc], root: int) -> set[int]:
    out: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {p.pid for p in procs.values() if p.ppid in frontier} - out
        out |= frontier
    return out


def _spent(before: Snapshot, after: Snapshot, pids: set[int], *, reaped: bool) -> float:
    """CPU seconds of `pids` between the snapshots (a pid new since `before` counts from zero); with `reaped`,
    their reaped children's too."""
    total = 0.0
    for pid in pids:
        now = after.procs.get(pid)
        if now is None:
            continue
        then = before.procs.get(pid)
        same = then is not None and then.cmd == now.cmd
        total += now.own - (then.own if same and then else 0.0)
        if reaped:
            total += now.reaped - (then.reaped if same and then else 0.0)
    return max(0.0, total)


def breakdown(before: Snapshot, after: Snapshot, server: int) -> dict[str, float]:
    """CPU seconds per group (`GROUPS`) between the snapshots; `server` is the gunicorn master's pid.

    Request threads: the gunicorn workers (the master's children) themselves. Solver children: everything
    below the workers (the forkservers, and the children they reaped or still run). PostgreSQL: every
    process whose command line starts with "postgres" and what the postmaster reaped. The clients: this
    process. The rest: the machine's busy time not in any group (other work, the kernel's own)."""
    tree = _descendants(after.procs, server)
    workers = {p.pid for p in after.procs.values() if p.ppid == server}
    below = tree - workers
    postgres = {p.pid for p in after.procs.values() if p.cmd.startswith(("postgres", "/usr/lib/postgresql"))}
    out = {
        GROUPS[0]: _spent(before, after, workers, reaped=False),
        GROUPS[1]: _spent(before, after, below, reaped=True),
        GROUPS[2]: _spent(before, after, postgres, reaped=True),
        GROUPS[3]: max(0.0, after.clients - before.clients),
    }
    out[GROUPS[4]] = max(0.0, (after.machine - before.machine) - sum(out.values()))
    return out
