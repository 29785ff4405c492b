"""Imported ICS sources (timetables, holidays) turned into UTC busy intervals."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from icalendar import Calendar, Component, Event

from booking.domain.intervals import Interval

logger = logging.getLogger(__name__)

KINDS = frozenset({"timetable", "holidays"})
# Properties that decide when an event happens: a component broken in one of these is skipped.
_TIMING = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})
# Sub-hourly rules would expand into millions of instances over a year; no timetable needs them.
_RUNAWAY_FREQ = frozenset({"SECONDLY", "MINUTELY"})
# Floating and all-day times are placed in a zone only after expansion: query a wider window.
_SLACK = timedelta(days=2)


class IcsFormatError(ValueError):
    """The body is not an iCalendar VCALENDAR (a login page, JSON, garbage, empty, truncated)."""


# Dates outside these years are a typo or a placeholder (0001, 9999), never a timetable.
FIRST_YEAR, LAST_YEAR = 1900, 2100

SKIP_MESSAGES: dict[str, str] = {
    "unreadable": "its start, end or rule cannot be read",
    "no_start": "it has no start (DTSTART)",
    "no_end": "it has a start time but no end (DTEND or DURATION)",
    "ends_before_start": "it ends before it starts",
    "empty": "it ends at the moment it starts",
    "unknown_timezone": "it names a time zone that does not exist",
    "rule_too_fine": "it repeats more often than the resource's time slots",
    "absurd_date": "its dates lie before 1900 or after 2100",
    "unexpandable": "its repetitions cannot be worked out",
}
"""Why an event is skipped: stable codes, English texts (Dutch in the i18n catalogue)."""


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One busy instance from an imported source: a UTC half-open interval and its title."""

    interval: Interval
    summary: str


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """A VEVENT that was left out, by UID, with a code of SKIP_MESSAGES."""

    uid: str
    code: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The usable instances of a source and the events that could not be used."""

    events: list[ImportedEvent]
    skipped: list[SkippedEvent]


def parse_import(
    body: bytes | str, window: Interval, *, tz: str = "Europe/Amsterdam", kind: str = "timetable"
) -> list[ImportedEvent]:
    """The usable instances of `body` in `window` (see `read_import`)."""
    return read_import(body, window, tz=tz, kind=kind).events


def read_import(
    body: bytes | str, window: Interval, *, tz: str = "Europe/Amsterdam",
    kind: str = "timetable", slot_minutes: int | None = None,
) -> ImportResult:
    """Busy instances of `body` inside `window`: clipped to it, in UTC, sorted, de-duplicated,
    and the events skipped with a reason (one per UID and reason, in source order).

    Recurrences are expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID, X-WR-TIMEZONE); cancelled
    instances are dropped; all-day events cover local whole days in `tz` (23 or 25 hours across a
    DST change); floating times are local to X-WR-TIMEZONE, else `tz`. TRANSP:TRANSPARENT events
    are skipped for kind "timetable" but block for kind "holidays". Events that cannot be
    used are skipped with a code of SKIP_MESSAGES: timing unreadable, no start, a start time
    without end, ending before (or when) they start, a TZID that names no zone, a rule repeating
    more often than `slot_minutes` (SECONDLY/MINUTELY always), dates before 1900 or after 2100.
    Raises IcsFormatError when `body` is not a VCALENDAR and ValueError for an unknown `kind` or
    `tz`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if not _is_zone(tz):
        raise ValueError(f"unknown time zone {tz!r}")
    zone = ZoneInfo(tz)
    window = Interval(window.start.astimezone(UTC), window.end.astimezone(UTC))
    cal = _parse_calendar(body)
    skipped: dict[tuple[str, str], SkippedEvent] = {}
    _drop_bad_components(cal, slot_minutes, skipped)
    found: set[ImportedEvent] = set()
    for component in _expand(cal, window.start - _SLACK, window.end + _SLACK, skipped):
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if kind == "timetable" and str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        interval = _interval(component, zone)
        clipped = interval.intersect(window) if interval is not None else None
        if clipped is not None:
            summary = " ".join(str(component.get("SUMMARY", "")).split())
            found.add(ImportedEvent(clipped, summary))
    return ImportResult(sorted(found, key=_sort_key), list(skipped.values()))


def content_fingerprint(events: Sequence[ImportedEvent]) -> str:
    """A sha256 hex digest of the sorted (start, end, summary) triples, instants taken in UTC.

    Independent of order and of the source's UIDs (Office 365 regenerates them), so it changes
    only when what blocks time changes.
    """
    rows = sorted(
        (
            e.interval.start.astimezone(UTC).isoformat(),
            e.interval.end.astimezone(UTC).isoformat(),
            e.summary,
        )
        for e in events
    )
    encoded = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _parse_calendar(body: bytes | str) -> Calendar:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.lstrip("\ufeff \t\r\n")
    if not text[:15].upper().startswith("BEGIN:VCALENDAR"):
        raise IcsFormatError(f"not an iCalendar body: starts with {text[:40]!r}")
    try:
        cal = Calendar.from_ical(text)
    except ValueError as exc:  # icalendar's parse errors are ValueError subclasses
        raise IcsFormatError(f"unreadable iCalendar body: {exc}") from exc
    if not isinstance(cal, Calendar) or cal.name != "VCALENDAR":
        raise IcsFormatError("the body holds no single VCALENDAR")
    return cal


def _drop_bad_components(
    cal: Calendar, slot_minutes: int | None, skipped: dict[tuple[str, str], SkippedEvent]
) -> None:
    """Remove events that cannot be used (noted in `skipped`), and an X-WR-TIMEZONE that names
    no zone."""
    wr_zone = cal.get("X-WR-TIMEZONE")
    if wr_zone is not None and not _is_zone(str(wr_zone)):
        logger.warning("ignoring unknown X-WR-TIMEZONE %r", str(wr_zone))
        del cal["X-WR-TIMEZONE"]
    kept: list[Component] = []
    for sub in cal.subcomponents:
        code = _badness(sub, slot_minutes) if sub.name == "VEVENT" else None
        if code is None:
            kept.append(sub)
        else:
            uid = str(sub.get("UID", ""))
            logger.info("skipping VEVENT %r: %s", uid, code)
            skipped.setdefault((uid, code), SkippedEvent(uid, code))
    cal.subcomponents = kept


_RULE_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600}


def _badness(event: Component, slot_minutes: int | None) -> str | None:
    """The SKIP_MESSAGES code of why `event` cannot be used, or None."""
    if any(str(prop).upper() in _TIMING for prop, _ in event.errors):
        return "unreadable"
    if "DTSTART" not in event:
        return "no_start"
    start = getattr(event.get("DTSTART"), "dt", None)
    end = getattr(event.get("DTEND"), "dt", None)
    duration = getattr(event.get("DURATION"), "dt", None)
    if not isinstance(start, date):
        return "unreadable"
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = event.get(prop)
        moment = getattr(value, "dt", None)
        if isinstance(moment, datetime) and moment.tzinfo is None and value.params.get("TZID"):
            return "unknown_timezone"
    rules = event.get("RRULE")
    rule_list = rules if isinstance(rules, list) else [rules] if rules is not None else []
    moments = [start, end, *(u for rule in rule_list for u in rule.get("UNTIL", []))]
    if any(isinstance(m, date) and not FIRST_YEAR <= m.year <= LAST_YEAR for m in moments):
        return "absurd_date"
    for rule in rule_list:
        if _is_too_fine(rule, slot_minutes):
            return "rule_too_fine"
    return _duration_problem(start, end, duration)


def _is_too_fine(rule: Any, slot_minutes: int | None) -> bool:
    freqs = {str(f).upper() for f in rule.get("FREQ", [])}
    if freqs & _RUNAWAY_FREQ:
        return True  # sub-hourly rules would expand into millions of instances a year
    try:
        interval = int((rule.get("INTERVAL") or [1])[0])
    except (TypeError, ValueError):
        interval = 1
    step = min((_RULE_SECONDS[f] for f in freqs if f in _RULE_SECONDS), default=None)
    return bool(step and slot_minutes and step * max(interval, 1) < slot_minutes * 60)


def _duration_problem(start: object, end: object, duration: object) -> str | None:
    if isinstance(duration, timedelta):
        if duration < timedelta(0):
            return "ends_before_start"
        return "empty" if duration == timedelta(0) and isinstance(start, datetime) else None
    if end is None:
        return "no_end" if isinstance(start, datetime) else None
    if isinstance(start, datetime) != isinstance(end, datetime):
        return None  # mixed date/date-time: read as whole days
    if isinstance(start, datetime) and isinstance(end, datetime):
        if (start.tzinfo is None) != (end.tzinfo is None):
            return None  # floating vs fixed: compared after placing in the zone
        if end < start:
            return "ends_before_start"
        return "empty" if end == start else None
    if isinstance(start, date) and isinstance(end, date) and end < start:
        return "ends_before_start"
    return None


def _expand(
    cal: Calendar, start: datetime, end: datetime, skipped: dict[tuple[str, str], SkippedEvent]
) -> list[Component]:
    """Instances between `start` and `end`; if the whole calendar fails, each UID is tried alone
    (a series that still fails is noted in `skipped`)."""
    try:
        return list(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end))
    except Exception:  # the third-party expander may raise anything on bad input
        logger.warning("expanding the calendar failed; retrying series one by one", exc_info=True)
    instances: list[Component] = []
    for uid, series in _split_by_uid(cal):
        try:
            instances.extend(recurring_ical_events.of(series).between(start, end))
        except Exception:
            logger.warning("skipping a series that cannot be expanded", exc_info=True)
            skipped.setdefault((uid, "unexpandable"), SkippedEvent(uid, "unexpandable"))
    return instances


def _split_by_uid(cal: Calendar) -> Iterable[tuple[str, Calendar]]:
    shared = [sub for sub in cal.subcomponents if sub.name != "VEVENT"]
    by_uid: dict[str, list[Component]] = {}
    for sub in cal.subcomponents:
        if sub.name == "VEVENT":
            by_uid.setdefault(str(sub.get("UID", id(sub))), []).append(sub)
    for uid, events in by_uid.items():
        series = Calendar()
        for prop, value in cal.property_items(recursive=False)[1:-1]:
            series.add(prop, value, encode=False)
        series.subcomponents = [*shared, *events]
        yield uid, series


def _interval(event: Component, zone: ZoneInfo) -> Interval | None:
    """The instance's UTC interval, or None when it is empty (zero-length timed events)."""
    if not isinstance(event, Event):
        return None
    start, end = event.start, event.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        utc_start, utc_end = _aware(start, zone), _aware(end, zone)
        return Interval(utc_start, utc_end) if utc_start < utc_end else None
    first, last = _as_date(start), _as_date(end)
    last = max(last, first + timedelta(days=1))  # DTEND equal to DTSTART: one whole day
    return Interval(_midnight(first, zone), _midnight(last, zone))


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    """UTC instant of `moment`; a floating time is local to `zone` (first of a repeated hour)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """UTC instant at which `day` begins in `zone` (converted, so 23/25-hour days stay real)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _sort_key(event: ImportedEvent) -> tuple[datetime, datetime, str]:
    return (event.interval.start, event.interval.end, event.summary)
