"""Half-open intervals `[start, end)` of aware datetimes and their algebra."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open interval `[start, end)` of time-zone aware datetimes; empty when start >= end.

    Raises ValueError for naive datetimes, so no naive time can enter the domain.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("Interval needs time-zone aware datetimes")

    @property
    def duration(self) -> timedelta:
        """The real elapsed time (never negative)."""
        return max(self.end - self.start, timedelta(0))

    @property
    def is_empty(self) -> bool:
        return self.start >= self.end

    def overlaps(self, other: Interval) -> bool:
        """True when the two share any instant; adjacent and empty intervals overlap nothing."""
        return max(self.start, other.start) < min(self.end, other.end)

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def intersect(self, other: Interval) -> Interval | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Interval(start, end) if start < end else None

    def widen(self, before: timedelta, after: timedelta) -> Interval:
        """The interval grown by `before` at the start and `after` at the end (buffers)."""
        return Interval(self.start - before, self.end + after)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union; touching intervals are joined, empty ones dropped."""
    result: list[Interval] = []
    for iv in sorted(i for i in intervals if not i.is_empty):
        if result and iv.start <= result[-1].end:
            last = result[-1]
            if iv.end > last.end:
                result[-1] = Interval(last.start, iv.end)
        else:
            result.append(iv)
    return result


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """`base` minus `cuts`, as a sorted merged list; linear after sorting."""
    remaining = merge(base)
    holes = merge(cuts)
    result: list[Interval] = []
    j = 0
    for iv in remaining:
        start = iv.start
        while j < len(holes) and holes[j].end <= start:
            j += 1
        k = j
        while k < len(holes) and holes[k].start < iv.end:
            if holes[k].start > start:
                result.append(Interval(start, holes[k].start))
            start = max(start, holes[k].end)
            k += 1
        if start < iv.end:
            result.append(Interval(start, iv.end))
    return result


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """Each interval cut to `window`; those outside it dropped."""
    return [c for iv in intervals if (c := iv.intersect(window)) is not None]


def intersect_all(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The instants lying in both sets of intervals, merged."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        hit = left[i].intersect(right[j])
        if hit is not None:
            result.append(hit)
        if left[i].end < right[j].end:
            i += 1
        else:
            j += 1
    return result


def overlapping(intervals: Iterable[Interval], probe: Interval) -> list[Interval]:
    """Those of `intervals` that overlap `probe`."""
    return [iv for iv in intervals if iv.overlaps(probe)]


def total_duration(intervals: Iterable[Interval]) -> timedelta:
    """Length of the union of the intervals."""
    return sum((iv.duration for iv in merge(intervals)), timedelta(0))
