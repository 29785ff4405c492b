"""Sample mail for the demo: a few booking events run through the real notification consumer,
so /dev/mail shows what a school and a company receive (nothing is sent without SMTP)."""

from __future__ import annotations

from datetime import datetime

from booking.db import outbox_store
from booking.db.engine import transaction
from booking.db.sql import fetch
from booking.ical.feeds import feed_uid
from booking.services.booking_events import BookingEvent, BookingEventType
from booking.services.booking_notices import notify_booking_event

T = BookingEventType
SAMPLES = (("pending", T.CREATED, 2), ("confirmed", T.CONFIRMED, 2), ("declined", T.DECLINED, 1),
           ("cancelled", T.CANCELLED, 1))


async def queue_sample_mail(now: datetime) -> int:
    """Queue the mails of a few demo bookings per status; returns how many events ran."""
    done = 0
    for status, event_type, count in SAMPLES:
        rows = await fetch(
            "SELECT id FROM bookings WHERE status = $1 AND created_by IS NOT NULL "
            f"AND starts_at > $2 ORDER BY starts_at, id LIMIT {int(count)}", status, now)
        for row in rows:
            booking_id = str(row["id"])
            async with transaction(write=True):
                if event_type is T.CANCELLED:  # as if its invitation had gone out before
                    await outbox_store.raise_sequence(feed_uid(booking_id, 0))
                message = "Die week is de werkplaats bezet." if status == "declined" else ""
                await notify_booking_event(BookingEvent(event_type, booking_id, now,
                                                        message=message))
            done += 1
    return done
