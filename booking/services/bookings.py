"""Booking use cases: create (see `booking_create`), read, list, approve/decline/cancel, expire."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from booking.db import booking_store
from booking.db.booking_store import BookingFilter, BookingRecord
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation, StaleVersion
from booking.domain.instants import utc
from booking.domain.roles import Actor
from booking.domain.states import ACTIVE, BookingAction, transition
from booking.services.booking_create import create_booking, default_render
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.calendars import decode_cursor, encode_cursor, valid_id
from booking.services.idempotency import record_idempotent_error
from booking.services.views import BookingView, OccurrenceView, Page, Participants

__all__ = [
    "approve_booking",
    "booking_view",
    "cancel_booking",
    "create_booking",
    "decline_booking",
    "default_render",
    "expire_pending",
    "get_booking",
    "list_bookings",
    "record_idempotent_error",
]


def booking_view(
    rec: BookingRecord, outcomes: Sequence[OccurrenceView] | None = None
) -> BookingView:
    """The view of a stored booking; a series lists its occurrences (given outcomes, or the
    stored ones as created)."""
    if outcomes:
        occurrences = list(outcomes)
    elif rec.rrule:
        occurrences = [
            OccurrenceView(o.interval.start, o.interval.end, "created", position=o.position,
                           status=o.status)
            for o in rec.series
        ]
    else:
        occurrences = []
    return BookingView(
        id=rec.id, status=rec.status, resource_ids=list(rec.resource_ids),
        start=rec.starts_at, end=rec.ends_at, title=rec.title,
        participants=Participants(rec.students, rec.employees),
        organisation_id=rec.organisation_id, organisation_name=rec.organisation_name,
        price_amount=rec.price_amount, currency=rec.currency, created_at=rec.created_at,
        updated_at=rec.updated_at, version=rec.version, sequence=rec.sequence,
        timezone=rec.timezone, created_by=rec.created_by,
        decision_message=rec.decision_message, rrule=rec.rrule, occurrences=occurrences,
    )


def _may_see(actor: Actor, rec: BookingRecord) -> bool:
    return permissions.can_view_booking_details(actor, rec.organisation_id, rec.school_ids)


async def _visible(actor: Actor, booking_id: str) -> BookingRecord:
    rec = await booking_store.get_booking(valid_id(booking_id))
    if rec is None or not _may_see(actor, rec):
        raise NotFound("no such booking")
    return rec


async def get_booking(actor: Actor, booking_id: str) -> BookingView:
    """The booking if the caller may see it (another company's: NotFound)."""
    return booking_view(await _visible(actor, booking_id))


async def list_bookings(
    actor: Actor,
    *,
    status: str | None = None,
    resource_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[BookingView]:
    """A company's own bookings, a school's (facility managers, staff), or all (admin);
    ordered by (start, id); `start`/`end` keep bookings overlapping that range."""
    if actor.is_anonymous:
        return Page([], None)
    after = None
    if cursor:
        at, last = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(at), last)
        except ValueError:
            decode_cursor("", 2)  # raises the cursor RuleViolation
    audience = permissions.booking_audience(actor)
    f = BookingFilter(
        everything=audience.everything,
        organisation_ids=audience.company_ids,
        school_ids=audience.school_ids,
        status=status,
        resource_id=valid_id(resource_id) if resource_id else None,
        start=start,
        end=end,
    )
    rows = await booking_store.list_bookings(f, after=after, limit=limit + 1)
    items = [booking_view(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_row = rows[limit - 1]
        next_cursor = encode_cursor(utc(last_row.starts_at).isoformat(), last_row.id)
    return Page(items, next_cursor)


_EVENT_OF = {
    BookingAction.CANCEL: BookingEventType.CANCELLED,
    BookingAction.APPROVE: BookingEventType.CONFIRMED,
    BookingAction.DECLINE: BookingEventType.DECLINED,
}


async def _change(
    actor: Actor, booking_id: str, now: datetime, action: BookingAction,
    if_match: int | None, message: str,
) -> BookingView:
    async with transaction(write=True):
        rec = await _visible(actor, booking_id)
        if action is BookingAction.CANCEL:
            allowed = permissions.can_cancel(actor, rec.organisation_id, rec.school_ids)
        else:
            allowed = permissions.can_approve(actor, rec.school_ids)
        if not allowed:
            raise NotAllowed(f"you may not {action} this booking")
        if action is BookingAction.CANCEL and rec.status in ACTIVE and not (
            permissions.is_cancellable(rec.status, rec.ends_at, utc(now))
        ):
            raise RuleViolation([Reason(
                "ended", "this booking has ended and can no longer be cancelled",
                params={"status": rec.status, "action": str(action)},
            )], field_name="status")
        if if_match is not None and if_match != rec.version:
            raise StaleVersion(f'the booking changed since you read it: its ETag is now '
                               f'"{rec.version}"')
        new_status = transition(rec.status, action)
        changed = await booking_store.change_status(
            rec.id, new_status=str(new_status), expected=(rec.status, rec.version), now=now,
            message=message, release_claims=new_status not in ACTIVE,
        )
        if not changed:
            raise StaleVersion("the booking changed meanwhile")
        await booking_changed(BookingEvent(
            _EVENT_OF[action], rec.id, now, actor=actor, message=message))
        updated = await booking_store.get_booking(rec.id)
    assert updated is not None
    return booking_view(updated)


async def cancel_booking(
    actor: Actor, booking_id: str, now: datetime, *, if_match: int | None = None,
    message: str = "",
) -> BookingView:
    """Cancel (booker of the company, facility manager, admin: `permissions.can_cancel`) while
    `permissions.is_cancellable` (active, not yet ended: else RuleViolation `ended`); frees
    the time."""
    return await _change(actor, booking_id, now, BookingAction.CANCEL, if_match, message)


async def approve_booking(
    actor: Actor, booking_id: str, now: datetime, *, if_match: int | None = None,
    message: str = "",
) -> BookingView:
    """Confirm a pending booking (facility manager of every school involved)."""
    return await _change(actor, booking_id, now, BookingAction.APPROVE, if_match, message)


async def decline_booking(
    actor: Actor, booking_id: str, now: datetime, *, if_match: int | None = None,
    message: str = "",
) -> BookingView:
    """Decline a pending booking (facility manager of every school involved); frees the time."""
    return await _change(actor, booking_id, now, BookingAction.DECLINE, if_match, message)


async def expire_pending(now: datetime, *, deadline: timedelta | None = None) -> int:
    """Expire pending requests whose start has passed (or, with `deadline`, that waited longer
    than it); safe when several processes run it. Returns how many expired."""
    async with transaction(write=True):
        ids = await booking_store.expire_pending(
            now, None if deadline is None else utc(now) - deadline
        )
        for booking_id in ids:
            await booking_changed(BookingEvent(BookingEventType.EXPIRED, booking_id, now))
    return len(ids)


