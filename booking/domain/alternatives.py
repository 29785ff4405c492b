"""Free times near a refused request: where the same length fits, nearest first (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from booking.domain.intervals import Interval
from booking.domain.localtime import align_down


def nearest_fits(
    free: Sequence[Interval], wanted: Interval, tz: str, slot_minutes: int, count: int = 3
) -> list[Interval]:
    """At most `count` intervals as long as `wanted`, each inside one of the `free` windows
    (slot-aligned, as availability gives them) and starting on a local slot boundary, as
    close to `wanted.start` as each window allows; one per window, the nearest `count` in
    time order. None of them is `wanted` itself."""
    length = wanted.duration
    found: list[tuple[float, Interval]] = []
    for window in free:
        if window.duration < length:
            continue
        latest = window.end - length
        start: datetime = min(max(wanted.start, window.start), latest)
        start = max(align_down(start, tz, slot_minutes), window.start)
        if start + length > window.end:
            continue
        candidate = Interval(start, start + length)
        if candidate != wanted:
            found.append((abs((start - wanted.start).total_seconds()), candidate))
    nearest = sorted(found, key=lambda item: (item[0], item[1].start))[:count]
    return sorted((iv for _, iv in nearest), key=lambda iv: iv.start)
