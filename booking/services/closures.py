"""Closures and date exceptions that meet active bookings: refused (409 listing them) unless
the manager says `keep` (the bookings stay, both sides are told) or `cancel` (the bookings or
occurrences are cancelled with the closure's reason)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from booking.db import booking_store, calendar_store, changes_store, schools_store
from booking.db import catalogue_store as store
from booking.db.changes_store import MetOccurrence
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.audit import local_span
from booking.domain.errors import (
    Conflict,
    ConflictingClaim,
    NotAllowed,
    NotFound,
    Reason,
    RuleViolation,
)
from booking.domain.instants import utc
from booking.domain.intervals import Interval
from booking.domain.localtime import local_instant
from booking.domain.openinghours import DayHours, leaves_hours
from booking.domain.roles import Actor
from booking.services import audit
from booking.services.booking_change import cancel_occurrences
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.calendars import checked_window, valid_id
from booking.services.catalogue import managed_resource
from booking.services.views import ClosureView

ON_CONFLICT = ("keep", "cancel")


@dataclasses.dataclass(frozen=True, slots=True)
class AffectedBooking:
    """An active booking (or one occurrence of a series) that a closure would meet."""

    booking_id: str
    resource_id: str
    start: datetime
    end: datetime
    position: int | None
    organisation_name: str
    title: str
    students: int
    employees: int
    timezone: str


def _checked_mode(on_conflict: str | None) -> str | None:
    if on_conflict is not None and on_conflict not in ON_CONFLICT:
        raise RuleViolation([Reason("invalid", "on_conflict is keep or cancel")],
                            field_name="on_conflict")
    return on_conflict


def _conflict(met: Sequence[MetOccurrence]) -> Conflict:
    return Conflict(
        [ConflictingClaim(m.resource_id, m.interval.start, m.interval.end,
                          booking_id=m.booking_id) for m in met],
        "the closure meets active bookings: say keep or cancel",
    )


async def _settle(
    actor: Actor, met: Sequence[MetOccurrence], on_conflict: str | None, reason: str,
    now: datetime,
) -> None:
    """Refuse, tell or cancel the bookings `met` (inside the caller's transaction)."""
    if not met:
        return
    if on_conflict is None:
        raise _conflict(met)
    by_booking: dict[str, list[MetOccurrence]] = {}
    for m in met:
        if m.occurrence_id not in {x.occurrence_id for x in by_booking.get(m.booking_id, [])}:
            by_booking.setdefault(m.booking_id, []).append(m)
    for booking_id, hits in by_booking.items():
        if on_conflict == "keep":
            for m in hits:
                await booking_changed(BookingEvent(
                    BookingEventType.OVERLAPPED, booking_id, now, actor=actor, message=reason,
                    position=m.position if m.is_series else None))
            continue
        rec = await booking_store.get_booking(booking_id)
        assert rec is not None
        ids = {m.occurrence_id for m in hits}
        await cancel_occurrences(actor, rec, [o for o in rec.active if o.id in ids], now,
                                 reason)


async def affected_bookings(
    actor: Actor, interval: Interval, *, resource_id: str | None = None,
    site_id: str | None = None,
) -> list[AffectedBooking]:
    """What a closure of the resource (or the whole site) over `interval` would meet, for the
    manager to see before anything changes: company, time, participants."""
    checked_window(interval, "start")
    if site_id is not None:
        await _managed_site(actor, site_id)
        met = await changes_store.occurrences_on(interval, site_id=valid_id(site_id))
    else:
        rec = await managed_resource(actor, resource_id or "")
        met = await changes_store.occurrences_on(interval, resource_id=rec.resource.id)
    return await _described(met)


async def _described(met: Sequence[MetOccurrence]) -> list[AffectedBooking]:
    found: list[AffectedBooking] = []
    records = {}
    for m in met:
        if m.booking_id not in records:
            records[m.booking_id] = await booking_store.get_booking(m.booking_id)
        b = records[m.booking_id]
        assert b is not None
        found.append(AffectedBooking(
            m.booking_id, m.resource_id, m.interval.start, m.interval.end,
            m.position if m.is_series else None, b.organisation_name, b.title, b.students,
            b.employees, b.timezone))
    return found


async def _managed_site(actor: Actor, site_id: str) -> schools_store.SiteRow:
    site = await schools_store.get_site(valid_id(site_id))
    if site is None:
        raise NotFound("no such site")
    if not permissions.can_manage_school(actor, site.school_id):
        raise NotAllowed("only the school's facility managers may close a site")
    return site


async def site_timezone(site_id: str) -> str:
    """The site's IANA zone (NotFound for an unknown site)."""
    site = await schools_store.get_site(valid_id(site_id))
    if site is None:
        raise NotFound("no such site")
    return site.timezone


async def add_closure(
    actor: Actor, resource_id: str, interval: Interval, reason: str, *,
    on_conflict: str | None = None, now: datetime | None = None,
) -> ClosureView:
    """Close one resource for `interval`. Active bookings it meets: Conflict (listing them
    with their booking ids) unless `on_conflict` is keep or cancel."""
    checked_window(interval, "start")
    mode = _checked_mode(on_conflict)
    async with transaction(write=True):
        rec = await managed_resource(actor, resource_id)
        met = await changes_store.occurrences_on(interval, resource_id=rec.resource.id)
        c = await calendar_store.insert_closure(
            resource_id=rec.resource.id, site_id=None, interval=interval, reason=reason)
        await _settle(actor, met, mode, reason, _now(now))
        await audit_closure("closure.created", actor, c)
    return _view(c, rec.resource.timezone)


async def add_site_closure(
    actor: Actor, site_id: str, interval: Interval, reason: str, *,
    on_conflict: str | None = None, now: datetime | None = None,
) -> ClosureView:
    """Close every resource of a site for `interval` (holidays); bookings as `add_closure`."""
    checked_window(interval, "start")
    mode = _checked_mode(on_conflict)
    site = await _managed_site(actor, site_id)
    async with transaction(write=True):
        met = await changes_store.occurrences_on(interval, site_id=site.id)
        c = await calendar_store.insert_closure(
            resource_id=None, site_id=site.id, interval=interval, reason=reason)
        await _settle(actor, met, mode, reason, _now(now))
        await audit_closure("closure.created", actor, c)
    return _view(c, site.timezone)


def _view(c: calendar_store.ClosureRecord, tz: str) -> ClosureView:
    return ClosureView(c.id, c.resource_id, c.site_id, c.interval.start, c.interval.end,
                       c.reason, c.kind, tz)


def _now(now: datetime | None) -> datetime:
    from datetime import UTC

    return utc(now or datetime.now(UTC))


def outside_hours(
    met: Sequence[MetOccurrence], days: Sequence[DayHours], tz: str
) -> list[MetOccurrence]:
    """The occurrences of `met` that some of `days`' new hours would leave outside."""
    return [m for m in met if leaves_hours(m.interval, days, tz)]


async def _outside(resource_id: str, tz: str, days: Sequence[DayHours]) -> list[MetOccurrence]:
    if not days:
        return []
    first, last = min(d for d, _ in days), max(d for d, _ in days)
    span = Interval(local_instant(tz, first, 0), local_instant(tz, last + timedelta(days=1), 0))
    return outside_hours(await changes_store.occurrences_on(span, resource_id=resource_id),
                         days, tz)


async def affected_by_hours(
    actor: Actor, resource_id: str, days: Sequence[DayHours]
) -> list[AffectedBooking]:
    """The active bookings that new hours on `days` would leave outside, described for the
    manager before anything changes."""
    rec = await managed_resource(actor, resource_id)
    return await _described(await _outside(rec.resource.id, rec.resource.timezone, days))


async def set_opening_exceptions(
    actor: Actor, resource_id: str, days: Sequence[DayHours], *,
    on_conflict: str | None = None, now: datetime | None = None,
) -> list[DayHours]:
    """On each local date of `days`, `hours` replace the weekly rules (none: closed). Active
    bookings left outside the new hours are treated as for closures (Conflict unless
    `on_conflict`). Bumps the resource's version. Returns the resource's coming exceptions."""
    mode = _checked_mode(on_conflict)
    async with transaction(write=True):
        rec = await managed_resource(actor, resource_id)
        met = await _outside(rec.resource.id, rec.resource.timezone, days)
        await store.bump_version(rec.resource.id, _now(now))
        await changes_store.replace_opening_exceptions(rec.resource.id, days)
        await _settle(actor, met, mode, "opening hours changed", _now(now))
    return await opening_exceptions(actor, resource_id, _now(now).date())


async def opening_exceptions(actor: Actor, resource_id: str, since: date) -> list[DayHours]:
    """The resource's date exceptions from `since` on (a year ahead), by date."""
    rec = await managed_resource(actor, resource_id)
    found = (await calendar_store.opening_exceptions(
        [rec.resource.id], since, since + timedelta(days=400))).get(rec.resource.id, [])
    days: dict[date, list[tuple[time, time]]] = {}
    for e in found:
        days.setdefault(e.date, [])
        if e.opens is not None and e.closes is not None:
            days[e.date].append((e.opens, e.closes))
    return [(d, tuple(sorted(h))) for d, h in sorted(days.items())]


__all__ = ["AffectedBooking", "add_closure", "add_site_closure",
           "affected_bookings", "opening_exceptions", "outside_hours", "set_opening_exceptions"]


@dataclasses.dataclass(frozen=True, slots=True)
class ClosureToDelete:
    """What deleting a closure reopens: the resource, or every resource of the site."""

    closure: ClosureView
    site_name: str | None
    reopens: list[str]


async def closure_to_delete(actor: Actor, closure_id: str) -> ClosureToDelete:
    """The closure with what would reopen, for the question before deleting it (its school's
    facility managers; NotFound otherwise)."""
    c = await managed_closure(actor, closure_id)
    if c.resource_id is not None:
        rec = await managed_resource(actor, c.resource_id)
        return ClosureToDelete(_view(c, rec.resource.timezone), None, [rec.resource.name])
    site = await _managed_site(actor, c.site_id or "")
    return ClosureToDelete(_view(c, site.timezone), site.name,
                           await changes_store.site_resource_names(site.id))


async def import_closures_left(actor: Actor, import_id: str, now: datetime) -> int:
    """How many coming closures deleting the import reopens (its school's managers)."""
    from booking.services.imports import get_import

    found = await get_import(actor, import_id)
    return await changes_store.import_closure_count(found.id, now)


async def managed_closure(actor: Actor, closure_id: str) -> calendar_store.ClosureRecord:
    """The closure if the actor manages its school (of its resource or site); NotFound
    otherwise (a closure of another school is not known to exist)."""
    c = await calendar_store.get_closure(valid_id(closure_id))
    if c is None:
        raise NotFound("no such closure")
    if c.resource_id is not None:  # not managed_resource: its 403 would reveal the closure
        rec = await store.get_resource(c.resource_id)
        if rec is None:
            raise NotFound("no such closure")
        school = rec.resource.school_id
    else:
        site = await schools_store.get_site(c.site_id or "")
        if site is None:
            raise NotFound("no such closure")
        school = site.school_id
    if not permissions.can_manage_school(actor, school):
        raise NotFound("no such closure")
    return c


async def delete_closure(actor: Actor, closure_id: str) -> None:
    """Deletes a closure of a school the actor manages; NotFound for everyone else, exactly as
    for an id that does not exist (only managers ever see closure ids)."""
    async with transaction():
        c = await managed_closure(actor, closure_id)
        await calendar_store.delete_closure(c.id)
        await audit_closure("closure.deleted", actor, c)


async def audit_closure(action: str, actor: Actor, c: calendar_store.ClosureRecord) -> None:
    """The audit entry of a closure added or removed (call in the same transaction), naming
    the resource or site and the local span."""
    if c.resource_id is not None:
        rec = await store.get_resource(c.resource_id)
        assert rec is not None
        where, school_id, timezone = (rec.resource.name, rec.resource.school_id,
                                      rec.resource.timezone)
    else:
        site = await schools_store.get_site(c.site_id or "")
        assert site is not None
        where, school_id, timezone = site.name, site.school_id, site.timezone
    span = local_span(c.interval.start, c.interval.end, timezone)
    await audit.record(
        action=action, object_type="closure", object_id=c.id,
        summary=" ".join(p for p in (where, span, c.reason and f"({c.reason})") if p),
        at=datetime.now(UTC), actor_id=actor.user_id, organisation_ids=(school_id,),
    )
