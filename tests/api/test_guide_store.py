"""`api.guides.GuideStore`: the most recently used queries' guides, bounded; a query that learned nothing
keeps the older guides; size 0 keeps nothing. (That guides never change an answer is specified in
tests/solver/test_slot_guides.py and, over HTTP, in test_slots_and_what_if.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime

from api.guides import GuideStore, key
from solver.domain import CrewEntry, Guides, SlotQuery

DAY = date(2026, 11, 23)


def _guides(tag: str) -> Guides:
    return Guides({"t": (tag,)}, {datetime(2026, 11, 23, 9, tzinfo=UTC): {"t": (tag,)}})


def test_the_least_recently_used_query_goes_first() -> None:
    store = GuideStore(2)
    store.put("a", _guides("a"))
    store.put("b", _guides("b"))
    assert store.get("a") == _guides("a")  # now "b" is the least recently used
    store.put("c", _guides("c"))
    assert store.get("b") is None
    assert store.get("a") == _guides("a") and store.get("c") == _guides("c")


def test_learning_nothing_keeps_the_older_guides_and_size_zero_keeps_none() -> None:
    store = GuideStore(1)
    store.put("a", _guides("a"))
    store.put("a", None)
    assert store.get("a") == _guides("a")
    off = GuideStore(0)
    off.put("a", _guides("a"))
    assert off.get("a") is None


def test_queries_share_guides_by_day_length_and_seats_not_by_step() -> None:
    assert key(SlotQuery(DAY, 60, 15)) == key(SlotQuery(DAY, 60, 30))
    assert key(SlotQuery(DAY, 60, 15)) != key(SlotQuery(DAY, 90, 15))
    assert key(SlotQuery(DAY, 60, 15, "install")) != key(SlotQuery(DAY, 60, 15))
    assert key(SlotQuery(DAY, 60, 15, None, (CrewEntry("install", 2),))) != key(SlotQuery(DAY, 60, 15, "install"))
