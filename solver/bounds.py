"""Necessary conditions: cheap proofs that no plan exists.

Hall condition on cliques. Tasks alive at one instant pairwise overlap, so they need pairwise
distinct workers: a matching of those tasks into their eligible workers must cover all of them.
If for some instant no such matching exists, no plan exists. In an interval graph every maximal
clique is the set of tasks alive just after some task starts, so checking at task starts is enough
to cover every clique condition.

Crews and limits: the items are open seats, and seats alive at one instant (several of one task
among them) still need pairwise distinct workers, so the same matching bound holds for crews — a
b-matching of tasks with their seat counts, written as a matching of seats. A flexible task's seats
carry the union of its entries' workers and daily limits are ignored: both only widen the matching, so
the bound is a relaxation and stays sound for "no plan" (it just proves less).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from solver.instance import Instance


def augment(task: int, eligible: Callable[[int], Iterable[int]], holder: dict[int, int]) -> bool:
    """Find an augmenting path from unmatched `task` (Berge) and apply it; `holder`: worker -> task.

    Iterative DFS so that long alternating paths cannot overflow Python's stack.
    """
    seen: set[int] = set()
    # Each frame: (task, iterator over its workers); `via` remembers which worker led to a task.
    stack: list[tuple[int, Iterable[int]]] = [(task, iter(eligible(task)))]
    via: list[int] = []
    while stack:
        t, it = stack[-1]
        advanced = False
        for w in it:
            if w in seen:
                continue
            seen.add(w)
            if w not in holder:
                # Free worker: flip the path task -> w, walking back up the stack.
                holder[w] = t
                for (prev_t, _), prev_w in zip(reversed(stack[:-1]), reversed(via), strict=True):
                    holder[prev_w] = prev_t
                return True
            via.append(w)
            stack.append((holder[w], iter(eligible(holder[w]))))
            advanced = True
            break
        if not advanced:
            stack.pop()
            if via:
                via.pop()
    return False


def hall_violation(inst: Instance, tasks: Iterable[int] | None = None) -> list[int] | None:
    """A set of pairwise-overlapping tasks that cannot all get distinct workers, or None.

    Sweeps the day once, keeping a matching of the alive tasks: a starting task needs one augmenting
    path (the others are matched already), an ending task frees its worker.
    """
    todo = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    events = sorted([(inst.starts[t], 1, t) for t in todo] + [(inst.ends[t], 0, t) for t in todo])
    holder: dict[int, int] = {}  # worker -> alive task
    worker_of: dict[int, int] = {}
    alive: set[int] = set()
    eligible = inst.eligible.__getitem__
    for _, kind, t in events:  # ends (0) before starts (1) at equal times: half-open intervals
        if kind == 0:
            alive.discard(t)
            w = worker_of.pop(t, None)
            if w is not None and holder.get(w) == t:
                del holder[w]
            continue
        alive.add(t)
        if not augment(t, eligible, holder):
            return sorted(alive)
        worker_of.clear()
        worker_of.update((tt, ww) for ww, tt in holder.items())
    return None
