"""What happened to a booking, recorded inside the transaction that made it happen.

Every write path that changes a booking (create, approve, decline, expire, cancel, a change or
an occurrence action, a closure or import that now overlaps it) calls `booking_changed` before
its transaction commits. The event's consumers write their rows in that same transaction, so a
change never lacks its consequences and a rolled-back change has none:
- notifications: the mails and webhook deliveries of the outbox (issue 11);
- the audit trail (issue 12).
This module is the one list of those consumers; a write path never calls them one by one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from booking.domain.roles import Actor


class BookingEventType(StrEnum):
    """The kinds of booking change; the values are the webhook event names of API.md."""

    CREATED = "booking.created"
    CONFIRMED = "booking.confirmed"
    DECLINED = "booking.declined"
    EXPIRED = "booking.expired"
    CANCELLED = "booking.cancelled"
    UPDATED = "booking.updated"
    OCCURRENCE_CANCELLED = "booking.occurrence_cancelled"
    OVERLAPPED = "booking.overlapped"
    """A closure or an import now lies over the (still active) booking."""


@dataclass(frozen=True, slots=True)
class BookingEvent:
    """One change of one booking. `actor` is None for the system (expiry, imports);
    `message` is the school's message or the reason given; `position` names the
    occurrence of a series an occurrence action or overlap concerns."""

    type: BookingEventType
    booking_id: str
    at: datetime
    actor: Actor | None = None
    message: str = ""
    position: int | None = None


Consumer = Callable[[Sequence[BookingEvent]], Awaitable[None]]
"""An `async (events) -> None` that writes its rows in the current transaction; `events` are
the changes of one write, in order (a booking confirmed at once: created, then confirmed)."""


async def _notifications(events: Sequence[BookingEvent]) -> None:
    """The outbox: one event row per event now, in one statement; the worker turns them into
    mails, invitations and webhook deliveries (booking/services/booking_notices.py)."""
    from booking.services.booking_notices import record_booking_events  # it imports this module

    await record_booking_events(events)


async def _audit(events: Sequence[BookingEvent]) -> None:
    from booking.services.audit import on_booking_events  # audit reads BookingEvent: no cycle

    await on_booking_events(events)


CONSUMERS: tuple[Consumer, ...] = (_notifications, _audit)
"""The consumers, in order. Issue 11 adds the outbox, issue 12 the audit trail."""


async def booking_changed(*events: BookingEvent) -> None:
    """Record the consequences of `events` (one write's changes, in order); call inside the
    write transaction of the change. Several events of one write go to each consumer at once,
    so a booking confirmed at once costs one outbox statement, not two."""
    for consume in CONSUMERS:
        await consume(events)
