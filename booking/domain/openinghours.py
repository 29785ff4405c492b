"""Weekly opening rules and date exceptions, expanded to UTC intervals in the site's zone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from booking.domain.intervals import Interval, subtract
from booking.domain.localtime import ONE_DAY, local_date, local_instant, minute_of

MIDNIGHT = time(0, 0)
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")


def _close_minute(closes: time) -> int:
    """Minutes since midnight of a closing time, where 00:00 means 24:00."""
    return 24 * 60 if closes == MIDNIGHT else minute_of(closes)


def _check_hours(opens: time, closes: time) -> None:
    if opens.second or opens.microsecond or closes.second or closes.microsecond:
        raise ValueError("opening hours are whole minutes")
    if minute_of(opens) >= _close_minute(closes):
        raise ValueError("closes must be after opens (00:00 as closes means 24:00)")


@dataclass(frozen=True, slots=True)
class OpeningRule:
    """Open every `weekday` (1 = Monday … 7 = Sunday) from `opens` to `closes`, local wall time.

    `closes` 00:00 means 24:00; `valid_from`/`valid_to`: inclusive local dates, None = open-ended.
    Raises ValueError for a weekday outside 1–7, seconds, or `closes` not after `opens`.
    """

    weekday: int
    opens: time
    closes: time
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.weekday <= 7:
            raise ValueError("weekday must be 1 (Monday) … 7 (Sunday)")
        _check_hours(self.opens, self.closes)

    def applies_on(self, day: date) -> bool:
        return (
            day.isoweekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True, slots=True)
class OpeningException:
    """Hours for one local date that replace the weekly rules; `opens` None = closed all day.

    Several exceptions on one date add up (a closed one adds nothing). `closes` 00:00 = 24:00.
    Raises ValueError when only one of `opens`/`closes` is given or `closes` is not after `opens`.
    """

    date: date
    opens: time | None
    closes: time | None

    def __post_init__(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValueError("give both opens and closes, or neither for a closed day")
        if self.opens is not None and self.closes is not None:
            _check_hours(self.opens, self.closes)


@lru_cache(maxsize=65536)
def _local_span(tz: str, day: date, opens: int, closes: int) -> tuple[datetime, datetime] | None:
    start, end = local_instant(tz, day, opens), local_instant(tz, day, closes, True)
    return (start, end) if start < end else None


def parse_hhmm(text: str) -> time:
    """"HH:MM" (00:00–23:59, or "24:00" meaning end of day, returned as 00:00); ValueError else."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a time of day HH:MM: {text!r}")
    if match.group(1) is None:
        return MIDNIGHT
    return time(int(match.group(1)), int(match.group(2)))


def format_hhmm(t: time, *, is_close: bool = False) -> str:
    """"HH:MM"; a closing time of 00:00 is written "24:00" so it parses back to end of day."""
    if is_close and t == MIDNIGHT:
        return "24:00"
    return f"{t.hour:02d}:{t.minute:02d}"


def open_intervals(
    rules: Iterable[OpeningRule],
    exceptions: Iterable[OpeningException],
    window: Interval,
    tz: str,
) -> list[Interval]:
    """Opening hours within `window` as merged UTC intervals, computed in the IANA zone `tz`.

    A rule covers the instants whose local clock reads between `opens` and `closes` that day:
    real length varies in DST weeks; in the repeated autumn hour it opens at the first and closes
    at the second reading; a time skipped in spring maps to the moment of the jump (02:00–03:00 on
    the spring Sunday is empty). Days are iterated by local date; conversions are cached.
    """
    if window.is_empty:
        return []
    first, last = local_date(window.start, tz), local_date(window.end, tz)
    by_weekday: dict[int, list[tuple[int, int, OpeningRule]]] = {}
    for rule in rules:
        entry = (minute_of(rule.opens), _close_minute(rule.closes), rule)
        by_weekday.setdefault(rule.weekday, []).append(entry)
    for day_rules in by_weekday.values():
        day_rules.sort(key=lambda h: (h[0], h[1]))
    by_date: dict[date, list[tuple[int, int]]] = {}
    for exc in exceptions:
        if first <= exc.date <= last:
            day_hours = by_date.setdefault(exc.date, [])
            if exc.opens is not None and exc.closes is not None:
                day_hours.append((minute_of(exc.opens), _close_minute(exc.closes)))
    for day_hours in by_date.values():
        day_hours.sort()

    spans: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        hours = by_date.get(day)
        if hours is None:
            weekly = by_weekday.get(day.isoweekday(), ())
            hours = [(o, c) for o, c, rule in weekly if rule.applies_on(day)]
        for opens, closes in hours:
            span = _local_span(tz, day, opens, closes)
            if span is None:
                continue  # e.g. hours lying entirely in the skipped spring hour
            if spans and span[0] <= spans[-1][1]:
                if span[1] > spans[-1][1]:
                    spans[-1] = (spans[-1][0], span[1])
            else:
                spans.append(span)
        day += ONE_DAY

    lo, hi = window.start.astimezone(UTC), window.end.astimezone(UTC)
    return [Interval(max(s, lo), min(e, hi)) for s, e in spans if s < hi and e > lo]


DayHours = tuple[date, tuple[tuple[time, time], ...]]
"""A local date and the hours that replace its weekly rules (none: closed all day)."""


def leaves_hours(interval: Interval, days: Iterable[DayHours], tz: str) -> bool:
    """Whether some part of `interval` falling on one of `days` (local dates in `tz`) lies
    outside that day's new hours — what a date exception would leave a booking outside of."""
    for day, hours in days:
        window = Interval(local_instant(tz, day, 0), local_instant(tz, day + timedelta(days=1), 0))
        part = interval.intersect(window)
        if part is None:
            continue
        exceptions = [OpeningException(day, o, c) for o, c in hours] or [
            OpeningException(day, None, None)]
        if subtract([part], open_intervals((), exceptions, window, tz)):
            return True
    return False
