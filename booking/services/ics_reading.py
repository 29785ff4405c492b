"""Reading an ICS body for an import: inside the request when it is small, else left to the
background job; the window read, the slot step and zone it is read with, and the 422 for a
calendar without a usable event."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from booking.db.catalogue_store import get_resource
from booking.db.schools_store import get_site
from booking.domain.errors import Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.ical import SKIP_MESSAGES, IcsFormatError, ImportResult, read_import
from booking.services.calendars import valid_id

WINDOW_PAST = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=365)
# A body with more events or bytes than this is read by the background job, not the request
# (status `pending` until then): parsing and writing 500 events stays well under a second
# even on a busy machine (benchmarks/ics_imports.py).
SYNC_MAX_EVENTS = 500
SYNC_MAX_BYTES = 256 * 1024
NO_USABLE = "the calendar has no event that can be used"
NO_EVENTS = "the calendar has no events from 30 days ago to a year ahead"


def window_at(now: datetime) -> Interval:
    """The span imports read: from 30 days before `now` to a year after it."""
    return Interval(now - WINDOW_PAST, now + WINDOW_AHEAD)


def is_large(body: str | bytes) -> bool:
    """Whether `body` is to be read off the request path (events counted without parsing)."""
    if isinstance(body, bytes):
        return len(body) > SYNC_MAX_BYTES or body.count(b"BEGIN:VEVENT") > SYNC_MAX_EVENTS
    return len(body) > SYNC_MAX_BYTES or body.count("BEGIN:VEVENT") > SYNC_MAX_EVENTS


def check_looks_like_calendar(body: str) -> None:
    """RuleViolation on `ics` unless `body` starts a VCALENDAR (checked without parsing)."""
    if not body.lstrip("\ufeff \t\r\n")[:15].upper().startswith("BEGIN:VCALENDAR"):
        raise RuleViolation([Reason("not_a_calendar", "not an iCalendar body")], field_name="ics")


async def zone_and_slot(resource_id: str | None, site_id: str | None) -> tuple[str, int | None]:
    """The time zone floating times are read in, and the slot step rules may not be finer than."""
    if resource_id is not None:
        res = await get_resource(valid_id(resource_id))
        if res is not None:
            return res.resource.timezone, res.resource.policy.slot_minutes
    if site_id is not None:
        site = await get_site(valid_id(site_id))
        if site is not None:
            return site.timezone, None
    return "Europe/Amsterdam", None


async def read_upload(
    body: str | bytes, now: datetime, tz: str, kind: str, slot: int | None, field_name: str
) -> ImportResult:
    """Parse `body` in a thread; RuleViolation on `field_name` when it is no calendar or holds
    no usable event in the window (naming the reasons the events were skipped)."""
    try:
        result = await asyncio.to_thread(
            read_import, body, window_at(now), tz=tz, kind=kind, slot_minutes=slot
        )
    except IcsFormatError as exc:
        raise RuleViolation([Reason("not_a_calendar", str(exc))], field_name=field_name) from None
    if not result.events:
        raise RuleViolation(no_usable(result), field_name=field_name)
    return result


def no_usable(result: ImportResult) -> list[Reason]:
    if not result.skipped:
        return [Reason("no_events", NO_EVENTS)]
    codes = dict.fromkeys(s.code for s in result.skipped)
    return [Reason("no_usable_events", NO_USABLE),
            *(Reason(code, SKIP_MESSAGES[code]) for code in codes)]


async def slot_of(resource_id: str | None) -> int | None:
    """The slot step (minutes) of the resource an import is for; None for a site."""
    if resource_id is None:
        return None
    res = await get_resource(resource_id)
    return None if res is None else res.resource.policy.slot_minutes
