"""Half-open spans [lo, hi) on a timeline (ticks or datetimes): the one place they are merged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

P = TypeVar("P", int, datetime)


def merged(spans: Iterable[tuple[P, P]]) -> list[tuple[P, P]]:
    """Overlapping or touching spans joined, sorted (the same points, as few spans as possible)."""
    out: list[tuple[P, P]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
