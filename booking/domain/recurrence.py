"""Expansion of an RFC 5545 RRULE into occurrences that keep their local wall-clock times."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import arrow
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

from booking.domain.errors import Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_instant

_FIELD = "recurrence.rrule"
_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6}Z?)?", re.IGNORECASE)
_PARTS = frozenset({
    "FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
    "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST",
})
_EXAMPLE = "e.g. FREQ=WEEKLY;COUNT=10"


def _invalid(message: str, **params: str | int) -> RuleViolation:
    return RuleViolation([Reason("invalid_rrule", message, params=dict(params))], field_name=_FIELD)


def _check_parts(text: str, limit: int) -> None:
    """Refuse what dateutil would misread or answer with Python internals: parts that are not
    NAME=VALUE, unknown or repeated names, a COUNT or INTERVAL below 1, COUNT with UNTIL."""
    seen: set[str] = set()
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        name, value = name.strip().upper(), value.strip()
        if not sep or not name or not value:
            raise _invalid(f"'{part.strip()}' is not NAME=VALUE ({_EXAMPLE})")
        if name not in _PARTS:
            raise _invalid(f"unknown rule part {name} ({_EXAMPLE})")
        if name in seen:
            raise _invalid(f"{name} appears twice")
        seen.add(name)
        if name in ("COUNT", "INTERVAL") and not (value.isdigit() and int(value) >= 1):
            raise _invalid(f"{name} must be a whole number of at least 1")
        if name == "COUNT" and int(value) > limit:
            raise _invalid(f"more than {limit} occurrences", limit=limit)
    if "FREQ" not in seen:
        raise _invalid(f"FREQ is missing ({_EXAMPLE})")
    if {"COUNT", "UNTIL"} <= seen:
        raise _invalid("give COUNT or UNTIL, not both")


def _readable(exc: Exception) -> str:
    """dateutil's own messages ("invalid 'BYDAY': XX") are fit to show; Python's are not."""
    text = str(exc)
    if isinstance(exc, ValueError) and text.startswith(("invalid", "unknown")):
        return f"cannot read the recurrence rule: {text}"
    return f"cannot read the recurrence rule ({_EXAMPLE})"


def _local_until(text: str, tz: str) -> str:
    """UNTIL as a floating local time: a UTC value converted to `tz`, a bare date made inclusive."""

    def replace(match: re.Match[str]) -> str:
        day, clock = match.group(1), (match.group(2) or "").upper()
        if not clock:
            return f"UNTIL={day}T235959"
        if clock.endswith("Z"):
            utc = arrow.get(day + clock[:-1], "YYYYMMDDTHHmmss", tzinfo="UTC")
            return "UNTIL=" + utc.to(tz).format("YYYYMMDDTHHmmss")
        return f"UNTIL={day}{clock}"

    return _UNTIL.sub(replace, text)


def _to_instant(wall: datetime, tz: str, latest: bool) -> datetime:
    minute = wall.hour * 60 + wall.minute
    return local_instant(tz, wall.date(), minute, latest) + timedelta(seconds=wall.second)


def expand_rrule(
    rrule: str,
    first: Interval,
    tz: str,
    *,
    limit: int = 200,
    until: datetime | None = None,
) -> list[Interval]:
    """The occurrences of `rrule` (with or without "RRULE:") starting from `first`, in UTC.

    DTSTART is `first.start` as local time in `tz`; each occurrence keeps the local start and the
    local (wall-clock) duration of `first`, so its UTC shifts across DST. As dateutil does, DTSTART
    counts only when it matches the rule. A repeated local time means its first reading for the
    start and its last for the end; a skipped one the moment of the jump. `until` (aware,
    inclusive) also bounds the starts. Raises RuleViolation("invalid_rrule", field
    "recurrence.rrule") for an unparsable rule, an unbounded one (no COUNT, UNTIL or `until`),
    more than `limit` occurrences, none at all (COUNT below 1, UNTIL before the start), or
    occurrences that overlap each other; messages never show Python internals.
    """
    text = rrule.strip()
    if text[:6].upper() == "RRULE:":
        text = text[6:]
    if not text or "\n" in text or ":" in text:
        raise _invalid("not a single RRULE")
    _check_parts(text, limit)
    if first.is_empty:
        raise _invalid("the first occurrence is empty")
    start = arrow.get(first.start).to(tz)
    wall_length = arrow.get(first.end).to(tz).naive - start.naive
    try:
        rule = rrulestr(_local_until(text, tz), dtstart=start.naive.replace(microsecond=0))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _invalid(_readable(exc)) from None
    if not isinstance(rule, RRule):
        raise _invalid("not a single RRULE")
    bounded = re.search(r"\b(COUNT|UNTIL)=", text, re.IGNORECASE) is not None
    if not bounded and until is None:
        raise _invalid(f"the rule never ends: add COUNT or UNTIL (at most {limit})", limit=limit)
    last_wall = arrow.get(until).to(tz).naive if until is not None else None

    result: list[Interval] = []
    try:
        for wall in rule:
            if last_wall is not None and wall > last_wall:
                break
            if len(result) == limit:
                raise _invalid(f"more than {limit} occurrences", limit=limit)
            occurrence = Interval(
                _to_instant(wall, tz, False), _to_instant(wall + wall_length, tz, True)
            )
            if result and occurrence.start < result[-1].end:
                raise _invalid("occurrences overlap each other")
            result.append(occurrence)
    except (ValueError, OverflowError):  # e.g. a date beyond year 9999
        raise _invalid("the recurrence runs beyond the dates we can book") from None
    if not result:
        if "UNTIL=" in text.upper():
            raise _invalid("the rule ends (UNTIL) before the first occurrence")
        raise _invalid("the rule gives no occurrence from the start on")
    return [Interval(iv.start.astimezone(UTC), iv.end.astimezone(UTC)) for iv in result]
