"""Webhook deliveries of booking events: the JSON body API.md names, one row per subscription.

Body: `{id, type, created_at, data: {booking}}`; `id` is unique per delivery (receivers dedupe by
it, since retries make delivery at-least-once). Occurrence cancellations are `booking.updated`
(the booking lost one session); overlaps change no booking and are not sent.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.db.booking_store import BookingRecord
from booking.db.notify_store import Audience
from booking.db.outbox_store import NewMessage
from booking.services.booking_events import BookingEvent, BookingEventType

EVENTS = (
    "booking.created", "booking.confirmed", "booking.declined", "booking.expired",
    "booking.cancelled", "booking.updated",
)
"""What a subscription may ask for (API.md "Webhooks")."""

_NAME = {
    BookingEventType.OCCURRENCE_CANCELLED: "booking.updated",
    BookingEventType.OVERLAPPED: None,
}


def _iso(at: datetime, tz: str) -> str:
    return str(at.astimezone(ZoneInfo(tz)).isoformat())


def booking_data(rec: BookingRecord) -> dict[str, Any]:
    """The booking as a webhook carries it (times RFC 3339 with the site's offset)."""
    tz = rec.timezone
    return {
        "id": rec.id, "status": rec.status, "organisation_id": rec.organisation_id,
        "organisation_name": rec.organisation_name, "title": rec.title,
        "resource_ids": list(rec.resource_ids), "school_ids": sorted(rec.school_ids),
        "starts_at": _iso(rec.starts_at, tz), "ends_at": _iso(rec.ends_at, tz),
        "occurrences": [{"start": _iso(i.start, tz), "end": _iso(i.end, tz)}
                        for i in rec.occurrences],
        "students": rec.students, "employees": rec.employees, "version": rec.version,
        "message": rec.decision_message, "timezone": tz,
    }


def webhook_rows(event: BookingEvent, rec: BookingRecord, aud: Audience) -> list[NewMessage]:
    """One delivery per subscription of the company or a school that asked for this event."""
    name = _NAME.get(event.type, str(event.type))
    if name is None:
        return []
    wanted = [w for w in aud.webhooks if name in w.events]
    if not wanted:
        return []
    data = booking_data(rec)
    created = event.at.isoformat()
    rows = []
    for hook in wanted:
        body = {"id": str(uuid.uuid4()), "type": name, "created_at": created,
                "data": {"booking": data}}
        rows.append(NewMessage(kind="webhook", recipient=hook.url,
                               payload=json.dumps(body, separators=(",", ":")),
                               now=event.at, webhook_id=hook.id))
    return rows
