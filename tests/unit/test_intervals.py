"""Interval algebra: table cases and hypothesis properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain.intervals import (
    Interval,
    clip,
    intersect_all,
    merge,
    overlapping,
    subtract,
    total_duration,
)

T0 = datetime(2027, 3, 28, tzinfo=UTC)


def iv(a: int, b: int) -> Interval:
    """Hours after 2027-03-28 00:00 UTC."""
    return Interval(T0 + timedelta(hours=a), T0 + timedelta(hours=b))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (iv(1, 3), iv(2, 4), True),  # partial overlap
        (iv(1, 3), iv(3, 5), False),  # adjacent bookings do not overlap
        (iv(1, 5), iv(2, 3), True),  # containment
        (iv(1, 3), iv(1, 3), True),  # identical
        (iv(1, 2), iv(4, 5), False),  # apart
        (iv(2, 2), iv(1, 3), False),  # an empty interval overlaps nothing
        (iv(3, 1), iv(0, 5), False),  # neither does a reversed (empty) one
    ],
)
def test_overlaps(a: Interval, b: Interval, expected: bool) -> None:
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        Interval(datetime(2027, 1, 1), datetime(2027, 1, 2))


def test_equal_instants_in_different_zones_are_equal() -> None:
    cest = timezone(timedelta(hours=2))
    assert Interval(T0, T0 + timedelta(hours=1)) == Interval(
        T0.astimezone(cest), (T0 + timedelta(hours=1)).astimezone(cest)
    )


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ([iv(1, 2), iv(2, 3)], [iv(1, 3)]),  # touching intervals join
        ([iv(3, 4), iv(1, 2)], [iv(1, 2), iv(3, 4)]),  # sorted, gaps kept
        ([iv(1, 5), iv(2, 3)], [iv(1, 5)]),  # contained one absorbed
        ([iv(2, 2), iv(4, 3)], []),  # empty ones dropped
    ],
)
def test_merge(given_: list[Interval], expected: list[Interval]) -> None:
    assert merge(given_) == expected


@pytest.mark.parametrize(
    ("base", "cuts", "expected"),
    [
        ([iv(0, 10)], [iv(2, 3), iv(5, 6)], [iv(0, 2), iv(3, 5), iv(6, 10)]),  # two holes
        ([iv(0, 10)], [iv(-5, 15)], []),  # cut covers everything
        ([iv(0, 4), iv(6, 10)], [iv(3, 7)], [iv(0, 3), iv(7, 10)]),  # one cut across two bases
        ([iv(0, 4)], [iv(4, 6)], [iv(0, 4)]),  # adjacent cut removes nothing
    ],
)
def test_subtract(base: list[Interval], cuts: list[Interval], expected: list[Interval]) -> None:
    assert subtract(base, cuts) == expected


def test_clip_overlapping_and_total() -> None:
    items = [iv(0, 2), iv(1, 3), iv(5, 6)]
    assert clip(items, iv(1, 5)) == [iv(1, 2), iv(1, 3)]
    assert overlapping(items, iv(2, 5)) == [iv(1, 3)]
    assert total_duration(items) == timedelta(hours=4)


# --- properties --------------------------------------------------------------------------

intervals = st.builds(
    lambda a, n: Interval(T0 + timedelta(minutes=15 * a), T0 + timedelta(minutes=15 * (a + n))),
    st.integers(-50, 300),
    st.integers(0, 40),
)
interval_lists = st.lists(intervals, max_size=8)


def contains_instant(items: list[Interval], at: datetime) -> bool:
    return any(i.start <= at < i.end for i in items)


@settings(max_examples=200, deadline=None)
@given(interval_lists, interval_lists)
def test_subtract_algebra(a: list[Interval], b: list[Interval]) -> None:
    rest = subtract(a, b)
    assert intersect_all(rest, b) == []  # nothing of b survives
    assert merge(rest + intersect_all(a, b)) == merge(a)  # (a − b) ∪ (a ∩ b) == a
    assert total_duration(rest) + total_duration(intersect_all(a, b)) == total_duration(a)


@settings(max_examples=200, deadline=None)
@given(interval_lists, st.integers(-60, 1300))
def test_merge_keeps_every_instant(a: list[Interval], minute: int) -> None:
    at = T0 + timedelta(minutes=minute)
    merged = merge(a)
    assert contains_instant(merged, at) == contains_instant(a, at)
    assert all(x.end < y.start for x, y in pairwise(merged))


@settings(max_examples=200, deadline=None)
@given(interval_lists, interval_lists, st.integers(-60, 1300))
def test_intersect_all_pointwise(a: list[Interval], b: list[Interval], minute: int) -> None:
    at = T0 + timedelta(minutes=minute)
    both = intersect_all(a, b)
    assert contains_instant(both, at) == (contains_instant(a, at) and contains_instant(b, at))
    assert both == merge(both)
