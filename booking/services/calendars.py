"""Build `ResourceCalendar`s for many resources with a few set-based queries (no N+1).

Shared by the catalogue (availability, free-window search, check) and bookings (the check
inside the write transaction). Opening-rule expansion is cached: many resources share rules.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from booking.db import calendar_store
from booking.db.catalogue_store import ResourceRecord
from booking.domain.availability import ClosureSpan, ResourceCalendar
from booking.domain.errors import NotFound, Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.openinghours import OpeningException, OpeningRule, open_intervals

MAX_WINDOW = timedelta(days=400)


@lru_cache(maxsize=8192)
def _open_cached(
    rules: tuple[OpeningRule, ...],
    exceptions: tuple[OpeningException, ...],
    window: Interval,
    tz: str,
) -> tuple[Interval, ...]:
    return tuple(open_intervals(rules, exceptions, window, tz))


def week_of(at: datetime, tz: str) -> Interval:
    """The local ISO week (Monday 00:00 to the next Monday 00:00, in `tz`) containing `at`."""
    day = local_date(at, tz)
    monday = day - timedelta(days=day.isoweekday() - 1)
    return Interval(local_instant(tz, monday, 0), local_instant(tz, monday + timedelta(days=7), 0))


async def load_calendars(
    records: Sequence[ResourceRecord], window: Interval
) -> dict[str, ResourceCalendar]:
    """Calendars of `records` over `window`: open hours, closures (own and site-wide) and the
    active claims on each resource, its equipment (a lab) or its lab (equipment)."""
    return (await load_calendar_inputs(records, window))[0]


async def load_calendar_inputs(
    records: Sequence[ResourceRecord], window: Interval
) -> tuple[dict[str, ResourceCalendar], dict[str, list[calendar_store.ClaimRecord]]]:
    """`load_calendars` plus the raw active claims per related resource (for conflicts)."""
    if not records:
        return {}, {}
    widest = max(
        r.resource.policy.buffer_before_minutes + r.resource.policy.buffer_after_minutes
        for r in records
    )
    reach = window.widen(timedelta(minutes=widest), timedelta(minutes=widest))
    related: dict[str, set[str]] = {}
    for r in records:
        rel = related.setdefault(r.resource.id, {r.resource.id, *r.children})
        if r.resource.parent_id:
            rel.add(r.resource.parent_id)
    claim_ids = sorted(set().union(*related.values()))
    first = local_date(window.start, "UTC") - timedelta(days=1)
    last = local_date(window.end, "UTC") + timedelta(days=1)
    inputs = await calendar_store.calendar_inputs(
        [(r.resource.id, r.resource.site_id) for r in records], claim_ids, window, reach,
        (first, last),
    )
    rules, exceptions, closures, claims = (
        inputs.rules, inputs.exceptions, inputs.closures, inputs.claims
    )
    calendars: dict[str, ResourceCalendar] = {}
    for r in records:
        rid = r.resource.id
        held = sorted(c.interval for other in related[rid] for c in claims.get(other, ()))
        calendars[rid] = ResourceCalendar(
            resource=r.resource,
            open=_open_cached(
                tuple(rules.get(rid, ())), tuple(exceptions.get(rid, ())), window,
                r.resource.timezone,
            ),
            closures=tuple(
                ClosureSpan(c.interval, c.reason) for c in closures.get(rid, ())
            ),
            claims=tuple(held),
        )
    return calendars, claims


def checked_window(window: Interval, field: str = "from") -> Interval:
    """`window` if non-empty and at most MAX_WINDOW long; RuleViolation otherwise."""
    if window.is_empty or window.duration > MAX_WINDOW:
        raise RuleViolation(
            [Reason("invalid_window", f"the window must be non-empty and at most "
                    f"{MAX_WINDOW.days} days")],
            field_name=field,
        )
    return window


def encode_cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The parts of an opaque cursor; RuleViolation (field cursor) when it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(parts, list) and len(parts) == size and all(
            isinstance(p, str) for p in parts
        ):
            return parts
    except (ValueError, TypeError):
        pass
    raise RuleViolation([Reason("invalid_cursor", "invalid cursor")], field_name="cursor")


def valid_id(value: str | None) -> str:
    """A canonical UUID string; NotFound for anything else (ids come from URLs)."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound("no such object") from None
