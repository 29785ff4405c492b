"""Imported ICS sources (timetables, holidays) turned into UTC busy intervals."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """One busy instance from an imported source: a UTC half-open interval and its title."""

    interval: Interval
    summary: str


def parse_import(
    body: bytes | str, window: Interval, *, tz: str = "Europe/Amsterdam", kind: str = "timetable"
) -> list[ImportedEvent]:
    """Busy instances of `body` inside `window`: clipped to it, in UTC, sorted, de-duplicated.

    Recurrences are expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID, X-WR-TIMEZONE); cancelled
    instances are dropped; all-day events cover local whole days in `tz` (23 or 25 hours across a
    DST change); floating times are local to X-WR-TIMEZONE, else `tz`. TRANSP:TRANSPARENT events
    are skipped for kind "timetable" but block for kind "holidays". Components broken in their
    timing are skipped and logged. Raises IcsFormatError when `body` is not a VCALENDAR and
    ValueError for an unknown `kind` or `tz`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if not _is_zone(tz):
        raise ValueError(f"unknown time zone {tz!r}")
    zone = ZoneInfo(tz)
    window = Interval(window.start.astimezone(UTC), window.end.astimezone(UTC))
    cal = _parse_calendar(body)
    _drop_bad_components(cal)
    found: set[ImportedEvent] = set()
    for component in _expand(cal, window.start - _SLACK, window.end + _SLACK):
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if kind == "timetable" and str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        interval = _interval(component, zone)
        clipped = interval.intersect(window) if interval is not None else None
        if clipped is not None:
            summary = " ".join(str(component.get("SUMMARY", "")).split())
            found.add(ImportedEvent(clipped, summary))
    return sorted(found, key=_sort_key)


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


def _drop_bad_components(cal: Calendar) -> None:
    """Remove events whose timing cannot be read, and an X-WR-TIMEZONE that names no zone."""
    wr_zone = cal.get("X-WR-TIMEZONE")
    if wr_zone is not None and not _is_zone(str(wr_zone)):
        logger.warning("ignoring unknown X-WR-TIMEZONE %r", str(wr_zone))
        del cal["X-WR-TIMEZONE"]
    kept: list[Component] = []
    for sub in cal.subcomponents:
        reason = _badness(sub) if sub.name == "VEVENT" else None
        if reason is None:
            kept.append(sub)
        else:
            logger.warning("skipping VEVENT %r: %s", str(sub.get("UID", "")), reason)
    cal.subcomponents = kept


def _badness(event: Component) -> str | None:
    broken = [str(prop) for prop, _ in event.errors if str(prop).upper() in _TIMING]
    if broken:
        return f"unreadable {', '.join(broken)}"
    if "DTSTART" not in event:
        return "no DTSTART"
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        if {str(f).upper() for f in rule.get("FREQ", [])} & _RUNAWAY_FREQ:
            return "sub-hourly RRULE"
    return None


def _expand(cal: Calendar, start: datetime, end: datetime) -> list[Component]:
    """Instances between `start` and `end`; if the whole calendar fails, each UID is tried alone."""
    try:
        return list(recurring_ical_events.of(cal, skip_bad_series=True).between(start, end))
    except Exception:  # the third-party expander may raise anything on bad input
        logger.warning("expanding the calendar failed; retrying series one by one", exc_info=True)
    instances: list[Component] = []
    for series in _split_by_uid(cal):
        try:
            instances.extend(recurring_ical_events.of(series).between(start, end))
        except Exception:
            logger.warning("skipping a series that cannot be expanded", exc_info=True)
    return instances


def _split_by_uid(cal: Calendar) -> Iterable[Calendar]:
    shared = [sub for sub in cal.subcomponents if sub.name != "VEVENT"]
    by_uid: dict[str, list[Component]] = {}
    for sub in cal.subcomponents:
        if sub.name == "VEVENT":
            by_uid.setdefault(str(sub.get("UID", id(sub))), []).append(sub)
    for events in by_uid.values():
        series = Calendar()
        for prop, value in cal.property_items(recursive=False)[1:-1]:
            series.add(prop, value, encode=False)
        series.subcomponents = [*shared, *events]
        yield series


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
