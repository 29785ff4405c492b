"""Local wall-clock time in an IANA zone ↔ UTC instants, with the DST choices made explicit."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import arrow

ONE_DAY = timedelta(days=1)
MINUTES_PER_DAY = 24 * 60


@lru_cache(maxsize=64)
def zone(tz: str) -> ZoneInfo:
    """The zone named `tz` (the same zoneinfo object arrow uses); raises for an unknown name."""
    return ZoneInfo(tz)


def local_date(at: datetime, tz: str) -> date:
    """The calendar date in `tz` at the aware instant `at`."""
    return at.astimezone(zone(tz)).date()


def minute_of(t: time) -> int:
    """Minutes since midnight of a wall-clock time (seconds ignored)."""
    return t.hour * 60 + t.minute


@lru_cache(maxsize=65536)
def wall_instants(tz: str, day: date, minute: int) -> tuple[datetime, ...]:
    """The UTC instants at which the clock in `tz` reads `day` + `minute` (0 ≤ minute ≤ 1440).

    Usually one; none inside the spring gap; two inside the repeated autumn hour (ascending).
    """
    if minute >= MINUTES_PER_DAY:
        day, minute = day + ONE_DAY, minute - MINUTES_PER_DAY
    found: list[datetime] = []
    for fold in (0, 1):
        local = arrow.Arrow(
            day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz, fold=fold
        )
        utc = local.to("UTC")
        if utc.to(tz).naive == local.naive:  # arrow accepts non-existent times silently
            instant = utc.datetime.astimezone(UTC)
            if instant not in found:
                found.append(instant)
    return tuple(sorted(found))


@lru_cache(maxsize=4096)
def _gap_end(tz: str, day: date, minute: int) -> datetime:
    """The instant the clock jumps over the non-existent local time `day` + `minute`."""
    parts = (day.year, day.month, day.day, minute // 60, minute % 60)
    lo = int(arrow.Arrow(*parts, tzinfo=tz, fold=1).to("UTC").timestamp())  # before the jump
    hi = int(arrow.Arrow(*parts, tzinfo=tz, fold=0).to("UTC").timestamp())  # after it
    after = datetime.fromtimestamp(hi, UTC).astimezone(zone(tz)).utcoffset()
    while hi - lo > 1:  # the first second whose offset is the new one
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(zone(tz)).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def local_instant(tz: str, day: date, minute: int, latest: bool = False) -> datetime:
    """The UTC instant at which `tz`'s clock reads `day` + `minute` (minute 1440 = next midnight).

    Repeated autumn times give the first occurrence, or the second with `latest`; a time skipped
    in spring gives the moment of the jump (so 02:00–03:00 on the spring Sunday is empty).
    """
    found = wall_instants(tz, day, minute)
    if not found:
        return _gap_end(tz, day, minute)
    return found[-1] if latest else found[0]


@lru_cache(maxsize=8192)
def slot_boundaries(tz: str, day: date, slot_minutes: int) -> tuple[datetime, ...]:
    """The instants of local date `day` whose wall-clock minute is a multiple of `slot_minutes`.

    Counted from each local midnight; skipped times are absent, repeated ones appear twice.
    """
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive")
    found = (
        instant
        for minute in range(0, MINUTES_PER_DAY, slot_minutes)
        for instant in wall_instants(tz, day, minute)
    )
    return tuple(sorted(found))


def align_up(at: datetime, tz: str, slot_minutes: int) -> datetime:
    """The first local slot boundary at or after `at` (UTC)."""
    day = local_date(at, tz)
    while True:
        bounds = slot_boundaries(tz, day, slot_minutes)
        i = bisect_left(bounds, at)
        if i < len(bounds):
            return bounds[i]
        day += ONE_DAY


def align_down(at: datetime, tz: str, slot_minutes: int) -> datetime:
    """The last local slot boundary at or before `at` (UTC)."""
    day = local_date(at, tz)
    while True:
        bounds = slot_boundaries(tz, day, slot_minutes)
        i = bisect_right(bounds, at)
        if i > 0:
            return bounds[i - 1]
        day -= ONE_DAY


def is_aligned(at: datetime, tz: str, slot_minutes: int) -> bool:
    """True when `at` is a local slot boundary of `tz`."""
    return align_down(at, tz, slot_minutes) == at


def next_month(first: date) -> date:
    """The 1st of the month after the one `first` lies in."""
    return (first.replace(day=1) + timedelta(days=31)).replace(day=1)


def previous_month(first: date) -> date:
    """The 1st of the month before the one `first` lies in."""
    return (first.replace(day=1) - timedelta(days=1)).replace(day=1)
