"""Build `ResourceCalendar`s for many resources with a few set-based queries (no N+1).

Shared by the catalogue (availability, free-window search, check) and bookings (the check
inside the write transaction). Opening-rule expansion is cached: many resources share rules.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from booking.db import batched_reads, calendar_store
from booking.db.catalogue_store import ResourceRecord
from booking.domain.availability import ClosureSpan, ResourceCalendar
from booking.domain.claims import blocking
from booking.domain.errors import NotFound, Reason, RuleViolation
from booking.domain.instants import epoch
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.openinghours import OpeningException, OpeningRule, open_intervals
from booking.domain.resources import Resource

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
) -> tuple[dict[str, ResourceCalendar], list[calendar_store.ClaimRow]]:
    """`load_calendars` plus the raw active claim rows of the related resources (for
    conflicts). A calendar's `claims` are the union of those rows, merged in epoch seconds."""
    if not records:
        return {}, []
    widest = max(
        r.resource.policy.buffer_before_minutes + r.resource.policy.buffer_after_minutes
        for r in records
    )
    reach = window.widen(timedelta(minutes=widest), timedelta(minutes=widest))
    related = {r.resource.id: _related(r) for r in records}
    claim_ids = sorted(set().union(*related.values()))
    inputs = await calendar_store.calendar_inputs(
        [(r.resource.id, r.resource.site_id) for r in records], claim_ids, window, reach,
        _dates(window),
    )
    spans = calendar_store.spans_by_resource(inputs.claim_rows)
    calendars = {
        r.resource.id: _calendar(r, inputs, spans, related[r.resource.id], window)
        for r in records
    }
    return calendars, inputs.claim_rows


@dataclass(frozen=True, slots=True)
class SearchInputs:
    """One resource's calendar over a search window in epoch seconds (see `has_free_span`)."""

    resource: Resource
    open: tuple[tuple[int, int], ...]
    closed: tuple[tuple[int, int], ...]
    claims: list[tuple[int, int]]


async def load_search_inputs(
    records: Sequence[ResourceRecord], window: Interval
) -> dict[str, SearchInputs]:
    """What `has_free_span` needs for each of `records` over `window`, read like
    `load_calendars` (one batch) but kept in epoch seconds: a search over the whole catalogue
    makes no datetime for claims and opening hours it only compares."""
    if not records:
        return {}
    widest = max(
        r.resource.policy.buffer_before_minutes + r.resource.policy.buffer_after_minutes
        for r in records
    )
    reach = window.widen(timedelta(minutes=widest), timedelta(minutes=widest))
    related = {r.resource.id: _related(r) for r in records}
    inputs = await calendar_store.calendar_inputs(
        [(r.resource.id, r.resource.site_id) for r in records],
        sorted(set().union(*related.values())), window, reach, _dates(window),
    )
    spans = calendar_store.spans_by_resource(inputs.claim_rows)
    found: dict[str, SearchInputs] = {}
    for r in records:
        rid = r.resource.id
        found[rid] = SearchInputs(
            r.resource,
            _open_epochs(tuple(inputs.rules.get(rid, ())),
                         tuple(inputs.exceptions.get(rid, ())), window, r.resource.timezone),
            tuple((epoch(c.interval.start), epoch(c.interval.end))
                  for c in inputs.closures.get(rid, ())),
            [span for other in related[rid] for span in spans.get(other, ())],
        )
    return found


@lru_cache(maxsize=8192)
def _open_epochs(
    rules: tuple[OpeningRule, ...],
    exceptions: tuple[OpeningException, ...],
    window: Interval,
    tz: str,
) -> tuple[tuple[int, int], ...]:
    return tuple((epoch(iv.start), epoch(iv.end))
                 for iv in _open_cached(rules, exceptions, window, tz))


def _related(rec: ResourceRecord) -> frozenset[str]:
    """Whose claims block the resource (`claims.blocking`)."""
    return blocking(rec.resource.id, rec.children, rec.resource.parent_id)


def _calendar(
    rec: ResourceRecord, inputs: calendar_store.CalendarInputs,
    spans: dict[str, list[tuple[int, int]]], related: frozenset[str], window: Interval,
) -> ResourceCalendar:
    rid = rec.resource.id
    return ResourceCalendar(
        resource=rec.resource,
        open=_open_cached(
            tuple(inputs.rules.get(rid, ())), tuple(inputs.exceptions.get(rid, ())), window,
            rec.resource.timezone,
        ),
        closures=tuple(ClosureSpan(c.interval, c.reason, c.kind)
                       for c in inputs.closures.get(rid, ())),
        claims=calendar_store.merged_spans(
            span for other in related for span in spans.get(other, ())
        ),
    )


def _dates(window: Interval) -> tuple[date, date]:
    """Local dates any zone can have within `window` (UTC dates, one day either side)."""
    return (local_date(window.start, "UTC") - timedelta(days=1),
            local_date(window.end, "UTC") + timedelta(days=1))


async def load_one(
    resource_id: str, window: Interval
) -> tuple[ResourceRecord, ResourceCalendar, SearchInputs] | None:
    """One resource and its calendar over `window` in ONE batch (one thread hop on SQLite):
    the resource row, its equipment and every calendar input, whose statements find the site,
    relatives and buffers by subquery; the same inputs in epoch seconds too (for
    `free_spans`). None when the resource does not exist."""
    read = await batched_reads.read_one_resource(resource_id, window, _dates(window))
    if read is None:
        return None
    rec, inputs = read
    merged = calendar_store.merge_epochs((s, e) for _, s, e in inputs.claim_rows)
    rules = tuple(inputs.rules.get(resource_id, ()))
    exceptions = tuple(inputs.exceptions.get(resource_id, ()))
    closures = inputs.closures.get(resource_id, ())
    tz = rec.resource.timezone
    cal = ResourceCalendar(
        resource=rec.resource,
        open=_open_cached(rules, exceptions, window, tz),
        closures=tuple(ClosureSpan(c.interval, c.reason, c.kind) for c in closures),
        claims=calendar_store.intervals_of(merged),
    )
    epochs = SearchInputs(
        rec.resource, _open_epochs(rules, exceptions, window, tz),
        tuple((epoch(c.interval.start), epoch(c.interval.end)) for c in closures), merged,
    )
    return rec, cal, epochs


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
