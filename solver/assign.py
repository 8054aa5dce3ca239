"""Assignments of open seats (items) to workers in integer form, and the cheap ways to find or mend one.

An `Assignment` keeps, per worker, the items it holds, so "is worker w free during [s, e)?" is a
short scan, and each limited worker's load per operational day. Every move here keeps no-overlap and
the limits; seats of a flexible task (a holder's entry undecided, see `solver.instance`) are never
placed or moved by these heuristics — the exact models place them — so a heuristic cover stays a valid
partial plan. Every certificate is checked by `is_valid` where it matters and, at the public boundary,
by the solver-independent `solver.checker`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from solver.instance import Instance, span_mask


class Assignment:
    """item -> worker, with a per-worker index for overlap queries and each limited worker's daily load.

    `busy[w]`: the time slots of w's items (`Instance.masks`) in one integer, so "is w free for item t?" is
    one AND (`busy[w] & masks[t] == 0`) where scanning w's items was most of a repair's time (the load
    test's slot queries and guard checks: the ejection chains test ~45 workers per move)."""

    def __init__(self, inst: Instance, mapping: dict[int, int] | None = None) -> None:
        self.inst = inst
        self.of: dict[int, int] = {}
        self.on: dict[int, list[int]] = {}
        self.busy: dict[int, int] = {}
        self.load: dict[tuple[int, int], list[int]] = {}  # (limited worker, day) -> [seats, ticks]
        self.journal: list[tuple[int, int, int]] | None = None  # (+1 put / -1 remove, item, worker)
        self.depth = 0
        for t, w in (mapping or {}).items():
            self.put(t, w)

    def copy(self) -> Assignment:
        other = Assignment.__new__(Assignment)
        other.inst = self.inst
        other.of = dict(self.of)
        other.on = {w: list(ts) for w, ts in self.on.items()}
        other.busy = dict(self.busy)
        other.load = {k: list(v) for k, v in self.load.items()}
        other.journal = None
        other.depth = 0
        return other

    @contextmanager
    def extended(self, inst: Instance) -> Iterator[Assignment]:
        """Work on `inst` (this instance plus a new task's items, `Instance.with_task`) for a while; restored
        however it ends. Both share their time slots (`Instance.masks`), so `busy` holds for both."""
        old = self.inst
        if inst.time_breaks is not old.time_breaks:  # not derived from this instance: slots of its own
            raise ValueError("an assignment extends only to an instance derived from its own (with_task)")
        self.inst = inst
        try:
            yield self
        finally:
            self.inst = old

    def _add(self, t: int, w: int, sign: int) -> None:
        inst = self.inst
        if w in inst.limits:
            row = self.load.setdefault((w, inst.days[t]), [0, 0])
            row[0] += sign
            row[1] += sign * (inst.ends[t] - inst.starts[t])
        masks = inst.masks
        if sign > 0:
            self.of[t] = w
            self.on.setdefault(w, []).append(t)
            self.busy[w] = self.busy.get(w, 0) | masks[t]
        else:
            del self.of[t]
            items = self.on[w]
            items.remove(t)
            busy = 0  # from what is left: two items on w may share slots for a moment (an ejection chain)
            for u in items:
                busy |= masks[u]
            self.busy[w] = busy

    def put(self, t: int, w: int) -> None:
        self._add(t, w, 1)
        if self.journal is not None:
            self.journal.append((1, t, w))

    def remove(self, t: int) -> None:
        w = self.of[t]
        self._add(t, w, -1)
        if self.journal is not None:
            self.journal.append((-1, t, w))

    def begin(self) -> int:
        """Start (or nest) recording changes; returns a mark for `rollback` / `commit` (cheaper than a copy).
        Every `begin` is closed by exactly one `rollback` or `commit`, innermost first."""
        if self.journal is None:
            self.journal = []
        self.depth += 1
        return len(self.journal)

    def _close(self) -> None:
        self.depth -= 1
        if self.depth == 0:  # the outermost change is settled: stop recording
            self.journal = None

    def rollback(self, mark: int) -> None:
        journal = self.journal or []
        while len(journal) > mark:
            kind, t, w = journal.pop()
            self._add(t, w, -kind)
        self._close()

    def commit(self, mark: int) -> None:  # noqa: ARG002  (the mark documents which change is kept)
        self._close()

    def clashes(self, w: int, start: int, end: int, ignore: int = -1) -> list[int]:
        """Items on worker w overlapping [start, end)."""
        s, e = self.inst.starts, self.inst.ends
        return [t for t in self.on.get(w, ()) if t != ignore and s[t] < end and start < e[t]]

    def is_free(self, w: int, start: int, end: int) -> bool:
        # A plain loop, not any(<generator>): the hottest line of repair, about twice as fast so.
        s, e = self.inst.starts, self.inst.ends
        for t in self.on.get(w, ()):  # noqa: SIM110 -- the loop is the point (speed), see above
            if s[t] < end and start < e[t]:
                return False
        return True

    def free_for(self, w: int, mask: int) -> bool:
        """Worker w holds nothing in these time slots (`Instance.masks`, `span_mask`): `is_free` in one AND."""
        return not self.busy.get(w, 0) & mask

    def has_room(self, w: int, t: int) -> bool:
        """Worker w stays within its daily limits if it also takes item t (True for unlimited workers)."""
        return self.room_on(w, self.inst.days[t], self.inst.ends[t] - self.inst.starts[t])

    def room_on(self, w: int, day: int, length: int, inst: Instance | None = None) -> bool:
        """Worker w can hold one more seat of `length` ticks on `day` within its limits (True if unlimited).
        `inst`: the limits to read, when they are a wider instance's (a new task's day and seats)."""
        inst = inst or self.inst
        if w not in inst.limits:
            return True
        max_seats, max_ticks = inst.cap(w, day)
        seats, ticks = self.load.get((w, day), (0, 0))
        return (max_seats is None or seats + 1 <= max_seats) and (max_ticks is None or ticks + length <= max_ticks)

    def within_limits(self, w: int, day: int) -> bool:
        max_seats, max_ticks = self.inst.cap(w, day)
        seats, ticks = self.load.get((w, day), (0, 0))
        return (max_seats is None or seats <= max_seats) and (max_ticks is None or ticks <= max_ticks)

    def can_take(self, w: int, t: int) -> bool:
        return self.is_free(w, self.inst.starts[t], self.inst.ends[t]) and self.has_room(w, t)


def _limits_ok(inst: Instance, per: dict[int, list[int]]) -> bool:
    for w, ts in per.items():
        if w not in inst.limits:
            continue
        by_day: dict[int, list[int]] = {}
        for t in ts:
            by_day.setdefault(inst.days[t], []).append(t)
        for day, items in by_day.items():
            max_seats, max_ticks = inst.cap(w, day)
            if max_seats is not None and len(items) > max_seats:
                return False
            if max_ticks is not None and sum(inst.ends[t] - inst.starts[t] for t in items) > max_ticks:
                return False
    return True


def _crews_ok(inst: Instance, mapping: dict[int, int], todo: Iterable[int]) -> bool:
    """Flexible tasks whose seats are all placed: holders and seat workers get distinct seats by skill."""
    skills = [c.skills for c in inst.calendars]
    for t in {inst.owner[i] for i in todo if inst.entry[i] < 0}:
        info = inst.tasks[t]
        if all(i in mapping for i in info.seats) and not info.crew_ok([mapping[i] for i in info.seats], skills):
            return False
    return True


def is_valid(inst: Instance, mapping: dict[int, int], tasks: list[int] | None = None) -> bool:
    """Every item (of `tasks`, default all) on an eligible worker, no two overlapping on one worker,
    limits kept (counting only these items and the holders), flexible crews seated."""
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
    return _limits_ok(inst, per) and _crews_ok(inst, mapping, todo)


def best_fit(inst: Instance, tasks: list[int] | None = None, seed: dict[int, int] | None = None) -> dict[int, int]:
    """A quick heuristic cover: tasks in start order, each to the eligible free worker that wastes
    least (latest previous end, then fewest eligible tasks). May leave tasks out; never overlaps."""
    todo = sorted(range(inst.n_tasks) if tasks is None else tasks, key=lambda t: (inst.starts[t], inst.ends[t]))
    last_end: dict[int, int] = {}
    out: dict[int, int] = {}
    a = Assignment(inst, seed)
    for t in todo:
        if t in a.of or inst.entry[t] < 0:
            continue
        best, best_key = None, None
        for w in inst.eligible[t]:
            if not a.can_take(w, t):
                continue
            key = (-last_end.get(w, -(1 << 62)), len(inst.eligible[t]))
            if best_key is None or key < best_key:
                best, best_key = w, key
        if best is not None:
            a.put(t, best)
            last_end[best] = max(last_end.get(best, 0), inst.ends[t])
    out.update(a.of)
    return out


def move_out(a: Assignment, t: int, forbidden: set[int], depth: int, effort: list[int] | None = None,  # noqa: C901, PLR0912, PLR0913 -- hot loops inlined
             blockers: int = 1) -> bool:
    """Move task t (currently on some worker) to another eligible worker not in `forbidden`, possibly
    pushing the tasks there onward (ejection chains of length `depth`; at most `blockers` tasks pushed from
    one worker). Mutates `a` only on success.
    `effort` is a one-element countdown of calls shared by a whole repair, so one repair stays cheap
    (giving up early is always safe: the caller falls back to an exact method).
    Every put is checked against the occupancy as it is then (t sits on its new worker while the tasks it
    displaces move on, so none of them, and nothing else, can come back over it), so the result keeps
    no-overlap and the limits whatever the chain."""
    if effort is not None:
        if effort[0] <= 0:
            return False
        effort[0] -= 1
    inst = a.inst
    if inst.entry[t] < 0:  # a flexible task's seat: only the exact models move it
        return False
    s, e = inst.starts[t], inst.ends[t]
    home = a.of[t]
    starts, ends, on, busy, m = inst.starts, inst.ends, a.on, a.busy, inst.masks[t]
    # Depth 1: a worker free for the whole task (and with room for it under its limits): one AND of time
    # slots (`Assignment.busy`). This loop ran ~500,000 times per slot query on the load test's day.
    for w in inst.eligible[t]:
        if w == home or w in forbidden or busy.get(w, 0) & m:
            continue
        if a.has_room(w, t):
            a.remove(t)
            a.put(t, w)
            return True
    if depth <= 1:
        return False
    # Depth 2+: a worker with at most `blockers` clashing tasks that can each be moved on.
    for w in inst.eligible[t]:
        if w == home or w in forbidden or not busy.get(w, 0) & m:
            continue  # (a free worker was tried above)
        clashing = [u for u in on.get(w, ()) if starts[u] < e and s < ends[u]]
        if not clashing or len(clashing) > blockers:
            continue
        mark = a.begin()
        a.remove(t)
        a.put(t, w)
        if all(move_out(a, u, forbidden, depth - 1, effort, blockers) for u in clashing) and \
                a.within_limits(w, inst.days[t]):
            a.commit(mark)
            return True
        a.rollback(mark)
    return False


def insert(a: Assignment, t: int, start: int, end: int, workers: tuple[int, ...], *, depth: int = 2,  # noqa: PLR0913 -- keyword-only effort knobs
           max_workers: int = 40, max_blockers: int = 3, effort: int | list[int] | None = None,
           inner_blockers: int = 1) -> int | None:
    """Make room for task t ([start, end), eligible `workers`) on one worker by moving the tasks that
    block it elsewhere (ejection chains of length `depth`, each link pushing on at most `inner_blockers`
    tasks). Returns the freed worker, or None with `a` unchanged. Does not put t itself into `a` (the caller
    decides), so `a` stays valid without t. `effort`: steps for this call, or a countdown (one-element list)
    shared with the caller's other work.
    While its blockers move, t sits on the worker (when t is an item of `a`'s instance at [start, end), on a
    day without limits), so a blocker's chain may pass tasks onto that worker around t, and nothing over it;
    otherwise the worker is simply not used by the chains. (With limits, opening it cost more than it found:
    crew L-90 cold 0.6 -> 1.3-1.9 s per query, the passed-on seats using up the room `make_room` then had to
    win back.)"""
    ranked = sorted(workers, key=lambda w: len(a.clashes(w, start, end)))[:max_workers]
    left = effort if isinstance(effort, list) else None if effort is None else [effort]
    inst = a.inst
    placeable = (not inst.limits and t < inst.n_tasks and t not in a.of
                 and inst.starts[t] == start and inst.ends[t] == end)
    for w in ranked:
        blockers = a.clashes(w, start, end)
        if len(blockers) > max_blockers:
            break  # ranked by blocker count: every later worker has at least as many
        mark = a.begin()
        if placeable:
            a.put(t, w)
            moved = all(move_out(a, b, set(), depth, left, inner_blockers) for b in blockers)
            a.remove(t)
        else:
            moved = all(move_out(a, b, {w}, depth, left, inner_blockers) for b in blockers)
        if moved and make_room(a, w, t, depth, left):
            a.commit(mark)
            return w
        a.rollback(mark)
    return None


def _lone_clash(a: Assignment, w: int, start: int, end: int, mask: int = -1) -> int:
    """The one item on worker w overlapping [start, end): -1 if none, -2 if several. `mask`: the interval's
    time slots (`Instance.masks`), to answer a free worker without a scan (the default scans)."""
    if not a.busy.get(w, 0) & mask:
        return -1
    starts, ends = a.inst.starts, a.inst.ends
    found = -1
    for x in a.on.get(w, ()):
        if starts[x] < end and start < ends[x]:
            if found >= 0:
                return -2
            found = x
    return found


def displace(a: Assignment, t: int, start: int, end: int, workers: tuple[int, ...], *,
             max_nodes: int) -> int | None:
    """Make room for item t ([start, end), eligible `workers`) by one chain of displacements of any length: t
    goes to a worker where it overlaps a single movable item u1, u1 to another worker where it overlaps a single
    item u2, and so on, until one lands on a worker free at its time with room. Breadth first over the items
    (each reached once, so the shortest chain this finds comes first; at most `max_nodes` expanded), no worker
    twice in a chain. Returns the worker freed for t, with the chain's moves applied to `a`
    (t itself not put, as in `insert`), or None with `a` unchanged.

    Why: `insert`'s ejection trees stop at two links, and on a tight day the starts they could not free went to
    CP-SAT windows of 130-1,000 items; a chain that shifts one task along each of five or ten workers is found
    here in milliseconds (see `SolverOptions.chain_nodes` for the measurement).

    Soundness: the workers of a chain are distinct, so each loses exactly its one item overlapping the item
    that comes to it and gains exactly that item; applied from the far end, each item lands on a worker that
    the item overlapping it has just left (or that was free there), and each put is checked first (`can_take`:
    free, within its limits), so every step keeps `a` a valid plan; a failed check rolls the chain back."""
    inst = a.inst
    starts, ends, eligible, entry, days = inst.starts, inst.ends, inst.eligible, inst.entry, inst.days
    masks, own = inst.masks, span_mask(inst.time_breaks, start, end)
    parent: dict[int, tuple[int, int]] = {}  # item -> (the item that comes to its worker, that worker)
    queue, reached = deque([t]), {t}
    found: tuple[int, int] | None = None  # (the chain's last item, the free worker it goes to)
    expanded = 0
    while queue and found is None and expanded < max_nodes:
        u = queue.popleft()
        expanded += 1
        s, e, m = (start, end, own) if u == t else (starts[u], ends[u], masks[u])
        used, v = {a.of.get(u, -1)}, u
        while v in parent:  # the chain's workers so far
            v, w_used = parent[v]
            used.add(w_used)
        for w in workers if u == t else eligible[u]:
            if w in used:
                continue
            blocker = _lone_clash(a, w, s, e, m)
            if blocker == -1 and a.room_on(w, days[u], e - s):
                found = (u, w)
                break
            if blocker >= 0 and blocker not in reached and entry[blocker] >= 0:
                reached.add(blocker)
                parent[blocker] = (u, w)
                queue.append(blocker)
    if found is None:
        return None
    u, w = found
    mark = a.begin()
    while u != t:
        a.remove(u)
        if not a.can_take(w, u):
            a.rollback(mark)
            return None
        a.put(u, w)
        u, w = parent[u]
    if not (a.is_free(w, start, end) and a.room_on(w, days[t], end - start)):
        a.rollback(mark)
        return None
    a.commit(mark)
    return w


def towards(a: Assignment, moves: dict[int, int], *, depth: int = 2, effort: int | None = None,
            chain_nodes: int = 0) -> Assignment | None:
    """A copy of plan `a` with the items of `moves` (item -> worker; e.g. how an earlier plan differed from
    the day's plan then) on those workers where possible: a worker there is cleared of the items `a` put on
    it by moving them on (ejection chains); an item that still does not fit goes back to its worker in `a`
    or wherever `insert` makes room. None if one fits nowhere. Every step keeps the copy a valid plan.
    `effort`: ejection-chain steps for the whole call (a guide far from today's plan gives up early)."""
    inst = a.inst
    starts, ends, eligible = inst.starts, inst.ends, inst.eligible
    todo = [t for t, w in moves.items() if a.of.get(t, w) != w and inst.entry[t] >= 0 and w in eligible[t]]
    b = a.copy()
    for t in todo:
        b.remove(t)
    moving = set(todo)
    budget = None if effort is None else [effort]
    left = []
    for t in todo:
        w = moves[t]
        blockers = b.clashes(w, starts[t], ends[t])
        if blockers:
            if any(u in moving for u in blockers):
                left.append(t)
                continue
            mark = b.begin()
            if all(move_out(b, u, {w}, depth, budget) for u in blockers):
                b.commit(mark)
            else:
                b.rollback(mark)
                left.append(t)
                continue
        if b.has_room(w, t):
            b.put(t, w)
        else:
            left.append(t)
    return b if _place_left(b, left, a.of, depth, budget, chain_nodes) else None


def _place_left(b: Assignment, left: list[int], fallback: dict[int, int], depth: int,  # noqa: PLR0913
                budget: list[int] | None, chain_nodes: int = 0) -> bool:
    """Put each item of `left` on its `fallback` worker if that is eligible, free and has room, else wherever
    `insert` makes room, else (`chain_nodes` > 0) where `displace` does; False as soon as one fits nowhere (`b`
    then holds the items placed so far)."""
    inst = b.inst
    starts, ends, eligible = inst.starts, inst.ends, inst.eligible
    for t in left:
        w = fallback.get(t, -1)
        if w not in eligible[t] or not (b.is_free(w, starts[t], ends[t]) and b.has_room(w, t)):
            found = insert(b, t, starts[t], ends[t], eligible[t], depth=depth, effort=budget)
            if found is None and chain_nodes > 0:
                found = displace(b, t, starts[t], ends[t], eligible[t], max_nodes=chain_nodes)
            if found is None:
                return False
            w = found
        b.put(t, w)
    return True


def rebuilt(inst: Instance, plan: dict[int, int], fallback: dict[int, int], *, depth: int = 2,
            effort: int | None = None, chain_nodes: int = 0) -> Assignment | None:
    """A plan of every item of `inst` as close to `plan` (item -> worker, e.g. an earlier day's plan) as today
    allows: in start order, each item on its `plan` worker where that worker is eligible, free and has room;
    then each item left over on its `fallback` worker (today's plan) if that is free, else wherever `insert`
    makes room. None if one fits nowhere. Seats of flexible tasks keep their `fallback` workers (these
    heuristics never place them). Every `put` keeps no-overlap and the limits, so what it returns is a valid
    plan whatever `plan` says."""
    starts, eligible, entry, masks = inst.starts, inst.eligible, inst.entry, inst.masks
    b = Assignment(inst)
    for t, w in fallback.items():
        if entry[t] < 0:
            b.put(t, w)
    left = []
    for t in sorted(range(inst.n_tasks), key=starts.__getitem__):
        if t in b.of:
            continue
        to = plan.get(t, -1)
        if to in eligible[t] and b.free_for(to, masks[t]) and b.has_room(to, t):
            b.put(t, to)
        else:
            left.append(t)
    return b if _place_left(b, left, fallback, depth, None if effort is None else [effort], chain_nodes) else None


def pull_back(a: Assignment, towards: dict[int, int]) -> int:
    """Put items of `a` that sit elsewhere than on their `towards` worker back there: an item whose worker is
    free for it (with room) moves back; one whose worker holds exactly one item in its way that also sits
    off its own `towards` worker swaps places with it (if each fits the other's place). Again while any
    changes; returns the items moved back. Seats of flexible tasks stay. Every move and swap keeps
    no-overlap and the limits, so a valid plan stays valid.

    Why: a window model's plan is any plan CP-SAT finds, mostly far from its hint (workers rotated among the
    window's items). On the load test's late day the plans slot probes found by windows moved 85-363 of the
    day's items where the repairs' moved 2-10, and the guard's plan after a change moved up to ~100; kept
    as guides and as the stored plan, such moves no longer fitted the next query's day plan (15-29 items
    left over per start, which then took windows again). Measured on one load-test round's 72 slot
    queries replayed in order with the guides each answer learned (2 cores, two runs each): the windows'
    plans moved 122 items (median; 90th percentile 249) before, 92 (179) after; 16.2-16.9 s of solving in
    all before, 14.6-15.9 s after. The guard's plans on that round's 148 checks (every third replayed): 811
    items moved in all, 95 at the 90th percentile, before; 434 and 40 after."""
    inst = a.inst
    starts, ends, eligible, entry, days = inst.starts, inst.ends, inst.eligible, inst.entry, inst.days
    of = a.of

    def off(t: int) -> bool:
        w = towards.get(t)
        return w is not None and of[t] != w and entry[t] >= 0 and w in eligible[t]

    moved = [t for t in of if off(t)]
    count = 0
    while moved:
        before = count
        for t in moved:
            if not off(t):
                continue
            w, home = towards[t], of[t]
            s, e = starts[t], ends[t]
            blockers = a.clashes(w, s, e)
            if not blockers:
                if a.has_room(w, t):
                    a.remove(t)
                    a.put(t, w)
                    count += 1
                continue
            if len(blockers) > 1 or not off(u := blockers[0]) or home not in eligible[u]:
                continue
            if a.clashes(home, starts[u], ends[u], ignore=t):
                continue
            mark = a.begin()
            a.remove(t)
            a.remove(u)
            a.put(t, w)
            a.put(u, home)
            if a.within_limits(w, days[t]) and a.within_limits(home, days[u]):
                a.commit(mark)
                count += 1 + (towards[u] == home)
            else:
                a.rollback(mark)
        if count == before:
            break
        moved = [t for t in moved if off(t)]
    return count


ROOM_TRIES = 4  # same-day seats of a limited worker tried for moving elsewhere to make room


def make_room(a: Assignment, w: int, t: int, depth: int, effort: list[int] | None) -> bool:
    """Worker w gets room under its daily limits for item t, if need be by moving one of its seats of
    t's day to another worker (an ejection chain). Mutates `a` only on success."""
    if a.has_room(w, t):
        return True
    inst = a.inst
    day = inst.days[t]
    same_day = [u for u in a.on.get(w, ()) if inst.days[u] == day and u != t]
    for u in sorted(same_day, key=lambda u: inst.starts[u] - inst.ends[u])[:ROOM_TRIES]:  # longest first
        mark = a.begin()
        if move_out(a, u, {w}, depth, effort) and a.has_room(w, t):
            a.commit(mark)
            return True
        a.rollback(mark)
    return False


HEURISTIC_EFFORT = 2000  # ejection-chain steps per left-out task; past it the window models take over


def heuristic_cover(inst: Instance, tasks: list[int] | None = None, seed: dict[int, int] | None = None,
                    depth: int = 3, effort: int = HEURISTIC_EFFORT) -> dict[int, int]:
    """best_fit, then try to place each item it left out by ejection chains. May still leave some out
    (always the seats of flexible tasks)."""
    todo = list(range(inst.n_tasks)) if tasks is None else list(tasks)
    a = Assignment(inst, best_fit(inst, todo, seed))
    for t in todo:
        if t in a.of or inst.entry[t] < 0:
            continue
        w = insert(a, t, inst.starts[t], inst.ends[t], inst.eligible[t], depth=depth, effort=effort)
        if w is not None:
            a.put(t, w)
    return a.of
