"""Published ICS feeds: one UTC VEVENT per booking occurrence, byte-for-byte deterministic."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

FEED_STATUSES = frozenset({"CONFIRMED", "TENTATIVE"})
DEFAULT_PRODID = "-//labshare//labshare feeds 1.0//EN"
DEFAULT_REFRESH = timedelta(hours=1)

# RFC 5545 TEXT may not hold control characters other than HTAB (newlines are escaped as \n).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One booking occurrence as a feed shows it; datetimes must be aware (written in UTC).

    `status` is "CONFIRMED" or "TENTATIVE" (pending); cancelled and declined bookings are left out
    of feeds by the caller. `last_modified` becomes both DTSTAMP and LAST-MODIFIED.
    """

    uid: str
    start: datetime
    end: datetime
    summary: str
    status: str
    sequence: int
    last_modified: datetime
    description: str = ""
    location: str = ""
    url: str = ""


def feed_uid(booking_id: str, position: int, domain: str = "labshare") -> str:
    """Stable UID of occurrence `position` (0-based) of a booking; never derived from content."""
    if position < 0:
        raise ValueError("occurrence position must be >= 0")
    return f"{booking_id}-{position}@{domain}"


def render_feed(
    name: str,
    events: Sequence[FeedEvent],
    *,
    refresh: timedelta = DEFAULT_REFRESH,
    prodid: str = DEFAULT_PRODID,
) -> bytes:
    """The feed as RFC 5545 bytes (UTF-8, CRLF, folded at 75 octets, no METHOD, no VTIMEZONE).

    Events are sorted by (start, uid), so identical input gives identical bytes; times are written
    in UTC with seconds precision. Raises ValueError for naive datetimes, an empty or inverted
    interval, a status other than CONFIRMED/TENTATIVE, a non-positive refresh or a duplicate UID.
    """
    if refresh <= timedelta(0):
        raise ValueError("refresh interval must be positive")
    cal = _calendar(name, refresh, prodid)
    seen: set[str] = set()
    for event in sorted(events, key=lambda e: (_utc(e.start), e.uid)):
        if event.uid in seen:
            raise ValueError(f"duplicate feed UID {event.uid!r}")
        seen.add(event.uid)
        cal.add_component(_vevent(event))
    body: bytes = cal.to_ical()
    return body


def empty_feed(
    name: str, *, refresh: timedelta = DEFAULT_REFRESH, prodid: str = DEFAULT_PRODID
) -> bytes:
    """A valid feed without events: served for a revoked token so clients delete what they hold."""
    return render_feed(name, (), refresh=refresh, prodid=prodid)


def _calendar(name: str, refresh: timedelta, prodid: str) -> Calendar:
    # Calendar() rather than Calendar.new(): new() adds a random UID, which breaks determinism.
    cal = Calendar()
    cal.add("prodid", _clean(prodid))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # icalendar 7.3 types NAME and X-WR-CALNAME as vUnknown (written unescaped): force TEXT.
    title = " ".join(_clean(name).split())  # one line: some clients show the name raw
    cal.add("name", vText(title))
    cal.add("x-wr-calname", vText(title))
    # A bare timedelta serialises X-PUBLISHED-TTL as "1:00:00"; vDuration gives "PT1H".
    cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    return cal


def _vevent(event: FeedEvent) -> Event:
    start, end = _utc(event.start), _utc(event.end)
    if end <= start:
        raise ValueError(f"feed event {event.uid!r} ends before it starts")
    if event.status not in FEED_STATUSES:
        raise ValueError(f"feed event {event.uid!r} has status {event.status!r}")
    changed = _utc(event.last_modified)
    vevent = Event()
    vevent.add("uid", _clean(event.uid))
    vevent.add("dtstamp", changed)
    vevent.add("last-modified", changed)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("sequence", event.sequence)
    vevent.add("status", event.status)
    vevent.add("summary", _clean(event.summary).strip())
    for prop, value in (
        ("description", event.description),
        ("location", event.location),
        ("url", event.url),
    ):
        if value:
            vevent.add(prop, _clean(value) if prop != "url" else _clean_uri(value))
    return vevent


def _utc(moment: datetime) -> datetime:
    """`moment` as a UTC datetime truncated to whole seconds; raises ValueError when naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("feed times must be time-zone aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _clean(text: str) -> str:
    """Text with CRLF/CR made LF (escaped later as \\n) and other control characters removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _clean_uri(uri: str) -> str:
    """A URI without whitespace or control characters (URI values are not text-escaped)."""
    return "".join(ch for ch in uri if ch.isprintable() and not ch.isspace())
