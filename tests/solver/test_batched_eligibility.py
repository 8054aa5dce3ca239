"""Property: the batched computations of a slot query equal the one-by-one definitions they replace.

- `Instance.eligible_many` (a day's compile and a query's candidates, one vectorised pass) equals
  `Instance.eligible_for` asked of each span;
- `solver.slots.equivalence_keys` (step 3's key of every candidate, as matrices) equals the key read off
  its definition here: each crew entry's eligible workers, and the open seats that overlap the candidate
  and share an eligible worker with it.

On random crew days with holders and limits (`test_crews_vs_brute_force`'s documents), for random crews
and lengths on a 30-minute grid of candidates over the day.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import load_scenario
from solver.instance import TICKS_PER_MINUTE, compile_scenario, epoch
from solver.slots import equivalence_keys
from tests.solver.test_crews_vs_brute_force import DAY, EXAMPLES, PROPERTY, SKILLS, valid_doc


def _spans(length_minutes: int) -> list[tuple[int, int]]:
    first = epoch(datetime.combine(DAY, time(3, 0), tzinfo=UTC))
    step = 30 * TICKS_PER_MINUTE
    return [(first + k * step, first + k * step + length_minutes * TICKS_PER_MINUTE)
            for k in range(int(timedelta(hours=24) / timedelta(minutes=30)))]


@settings(PROPERTY, max_examples=EXAMPLES)
@given(seed=st.integers(0, 10**9), length=st.sampled_from([30, 60, 90, 240]))
def test_batched_eligibility_and_keys_equal_their_definitions(seed: int, length: int) -> None:
    rnd = random.Random(seed)
    inst = compile_scenario(load_scenario(valid_doc(rnd, n_workers=(3, 6), n_tasks=(2, 12))))
    crew = [rnd.choice([None, *SKILLS]) for _ in range(rnd.randint(1, 3))]
    spans = _spans(length)
    per_entry = [inst.eligible_many(spans, skill) for skill in crew]
    for skill, batched in zip(crew, per_entry, strict=True):
        assert batched == [inst.eligible_for(s, e, skill) for s, e in spans]
    entry_workers = [[ws[k] for ws in per_entry] for k in range(len(spans))]
    keys = equivalence_keys(inst, spans, entry_workers)
    for (s, e), entries in zip(spans, entry_workers, strict=True):
        anyone = {w for ws in entries for w in ws}
        conflicts = frozenset(t for t in range(inst.n_tasks)
                              if inst.starts[t] < e and s < inst.ends[t] and anyone & set(inst.eligible[t]))
        assert keys[s, e] == (tuple(entries), conflicts)
