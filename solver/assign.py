"""Assignments of untaken tasks to workers in integer form, and the cheap ways to find or mend one.

An `Assignment` keeps, per worker, the tasks it holds, so "is worker w free during [s, e)?" is a
short scan. Nothing here can produce a wrong "feasible": every assignment returned is checked by
`is_valid` (and, at the public boundary, by the solver-independent `solver.checker`).
"""

from __future__ import annotations

from solver.instance import Instance


class Assignment:
    """task index -> worker index, with a per-worker index for overlap queries."""

    def __init__(self, inst: Instance, mapping: dict[int, int] | None = None) -> None:
        self.inst = inst
        self.of: dict[int, int] = {}
        self.on: dict[int, list[int]] = {}
        self.journal: list[tuple[int, int, int]] | None = None  # (+1 put / -1 remove, task, worker)
        for t, w in (mapping or {}).items():
            self.put(t, w)

    def copy(self) -> Assignment:
        other = Assignment.__new__(Assignment)
        other.inst = self.inst
        other.of = dict(self.of)
        other.on = {w: list(ts) for w, ts in self.on.items()}
        other.journal = None
        return other

    def put(self, t: int, w: int) -> None:
        self.of[t] = w
        self.on.setdefault(w, []).append(t)
        if self.journal is not None:
            self.journal.append((1, t, w))

    def remove(self, t: int) -> None:
        w = self.of.pop(t)
        self.on[w].remove(t)
        if self.journal is not None:
            self.journal.append((-1, t, w))

    def begin(self) -> int:
        """Start (or nest) recording changes; returns a mark for `rollback` / `commit` (cheaper than a copy)."""
        if self.journal is None:
            self.journal = []
        return len(self.journal)

    def rollback(self, mark: int) -> None:
        journal = self.journal or []
        while len(journal) > mark:
            kind, t, w = journal.pop()
            if kind == 1:
                del self.of[t]
                self.on[w].remove(t)
            else:
                self.of[t] = w
                self.on.setdefault(w, []).append(t)
        if mark == 0:
            self.journal = None

    def commit(self, mark: int) -> None:
        if mark == 0:  # the outermost change is kept: stop recording
            self.journal = None

    def clashes(self, w: int, start: int, end: int, ignore: int = -1) -> list[int]:
        """Tasks on worker w overlapping [start, end)."""
        s, e = self.inst.starts, self.inst.ends
        return [t for t in self.on.get(w, ()) if t != ignore and s[t] < end and start < e[t]]

    def is_free(self, w: int, start: int, end: int) -> bool:
        s, e = self.inst.starts, self.inst.ends
        return not any(s[t] < end and start < e[t] for t in self.on.get(w, ()))


def is_valid(inst: Instance, mapping: dict[int, int], tasks: list[int] | None = None) -> bool:
    """Every task (of `tasks`, default all) on an eligible worker, no two overlapping on one worker."""
    todo = range(inst.n_tasks) if tasks is None else tasks
    per: dict[int, list[int]] = {}
    for t in todo:
        w = mapping.get(t)
        if w is None or w not in inst.eligible[t]:
            return False
        per.setdefault(w, []).append(t)
    for ts in per.values():
        ts.sort(key=lambda t: inst.starts[t])
        for a, b in zip(ts, ts[1:], strict=False):
            if inst.starts[b] < inst.ends[a]:
                return False
    return True


def best_fit(inst: Instance, tasks: list[int] | None = None, seed: dict[int, int] | None = None) -> dict[int, int]:
    """A quick heuristic cover: tasks in start order, each to the eligible free worker that wastes
    least (latest previous end, then fewest eligible tasks). May leave tasks out; never overlaps."""
    todo = sorted(range(inst.n_tasks) if tasks is None else tasks, key=lambda t: (inst.starts[t], inst.ends[t]))
    last_end: dict[int, int] = {}
    out: dict[int, int] = {}
    a = Assignment(inst, seed)
    for t in todo:
        if t in a.of:
            continue
        best, best_key = None, None
        for w in inst.eligible[t]:
            if not a.is_free(w, inst.starts[t], inst.ends[t]):
                continue
            key = (-last_end.get(w, -(1 << 62)), len(inst.eligible[t]))
            if best_key is None or key < best_key:
                best, best_key = w, key
        if best is not None:
            a.put(t, best)
            last_end[best] = max(last_end.get(best, 0), inst.ends[t])
    out.update(a.of)
    return out


def move_out(a: Assignment, t: int, forbidden: set[int], depth: int, effort: list[int] | None = None) -> bool:
    """Move task t (currently on some worker) to another eligible worker not in `forbidden`, possibly
    pushing one task there onward (ejection chain of length `depth`). Mutates `a` only on success.
    `effort` is a one-element countdown of calls shared by a whole repair, so one repair stays cheap
    (giving up early is always safe: the caller falls back to an exact method)."""
    if effort is not None:
        if effort[0] <= 0:
            return False
        effort[0] -= 1
    inst = a.inst
    s, e = inst.starts[t], inst.ends[t]
    home = a.of[t]
    # Depth 1: a worker free for the whole task.
    for w in inst.eligible[t]:
        if w != home and w not in forbidden and a.is_free(w, s, e):
            a.remove(t)
            a.put(t, w)
            return True
    if depth <= 1:
        return False
    # Depth 2+: a worker with exactly one clashing task that can itself be moved on.
    for w in inst.eligible[t]:
        if w == home or w in forbidden:
            continue
        blockers = a.clashes(w, s, e)
        if len(blockers) != 1:
            continue
        a.remove(t)
        a.put(t, w)
        if move_out(a, blockers[0], forbidden | {w}, depth - 1, effort):
            return True
        a.remove(t)  # undo: move_out changed nothing on failure
        a.put(t, home)
    return False


def insert(a: Assignment, t: int, start: int, end: int, workers: tuple[int, ...], *, depth: int = 2,
           max_workers: int = 40, max_blockers: int = 3, effort: int | None = None) -> int | None:
    """Make room for task t ([start, end), eligible `workers`) on one worker by moving the tasks that
    block it elsewhere (ejection chains of length `depth`). Returns the freed worker, or None with `a`
    unchanged. Does not put t itself into `a` (the caller decides), so `a` stays valid without t."""
    ranked = sorted(workers, key=lambda w: len(a.clashes(w, start, end)))[:max_workers]
    left = None if effort is None else [effort]
    for w in ranked:
        blockers = a.clashes(w, start, end)
        if len(blockers) > max_blockers:
            break  # ranked by blocker count: every later worker has at least as many
        mark = a.begin()
        if all(move_out(a, b, {w}, depth, left) for b in blockers):
            a.commit(mark)
            return w
        a.rollback(mark)
    return None


HEURISTIC_EFFORT = 2000  # ejection-chain steps per left-out task; past it the window models take over


def heuristic_cover(inst: Instance, tasks: list[int] | None = None, seed: dict[int, int] | None = None,
                    depth: int = 3) -> dict[int, int]:
    """best_fit, then try to place each task it left out by ejection chains. May still leave some out."""
    todo = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    a = Assignment(inst, best_fit(inst, todo, seed))
    for t in todo:
        if t in a.of:
            continue
        w = insert(a, t, inst.starts[t], inst.ends[t], inst.eligible[t], depth=depth, effort=HEURISTIC_EFFORT)
        if w is not None:
            a.put(t, w)
    return a.of
