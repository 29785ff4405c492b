"""Booking notifications: the outbox consumer of booking events (API.md "Notifications").

Registered in `booking_events.CONSUMERS`, so it runs inside the transaction of every change:
`record_booking_events` writes one outbox row per event (kind `event`, one INSERT per write)
that commits or rolls back with the change. The worker expands each event row, in the order
written and one process at a time, into its mails, invitations and webhook deliveries
(`expand_events`), in one transaction per event that also marks the row done. Reading
recipients, languages and places inside every booking write cost 35–65 % of booking
throughput (benchmarks/outbox.py); one INSERT costs a few per cent.
The expansion reads the booking as it is then (seconds later): a mail never shows a state the
database does not hold, and SEQUENCE numbers are raised in event order. Who hears what:
- created (pending): each facility manager of the booking's schools, with the approve link
  (managers who chose the daily digest get a digest line instead);
- confirmed: the booker, with `text/calendar; method=REQUEST`;
- declined, expired: the booker, with the school's message;
- cancelled, occurrence cancelled: the booker (with `method=CANCEL` when an invitation was sent)
  and the school;
- updated (moved/changed): the booker (REQUEST with a higher SEQUENCE while confirmed), and the
  school when it now needs approval;
- overlapped (a closure or import now lies over it): the booker and the school.
Webhook subscriptions of the company and the schools get the event (`booking_webhooks`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from booking.db import booking_store, notify_store, outbox_store
from booking.db.booking_store import BookingRecord
from booking.db.engine import transaction
from booking.db.notify_store import Audience, Person, Slot
from booking.db.outbox_store import NewMessage
from booking.ical.feeds import feed_uid
from booking.ical.itip import CalendarInvite, InviteEvent
from booking.mail.when import long_span, short_span
from booking.services.booking_events import BookingEvent, BookingEventType
from booking.services.booking_webhooks import webhook_rows
from booking.services.outbox import enqueue_many, mail_row
from booking.settings import get_settings

log = logging.getLogger(__name__)
T = BookingEventType
EVENT = "event"
TEMPLATE = "booking"
MAX_LINES = 20  # occurrences listed in a mail body


def _kind(event: BookingEvent, rec: BookingRecord) -> str | None:
    kinds = {
        T.CREATED: "requested" if rec.status == "pending" else None,
        T.CONFIRMED: "confirmed", T.DECLINED: "declined", T.EXPIRED: "expired",
        T.CANCELLED: "cancelled", T.OCCURRENCE_CANCELLED: "occurrence_cancelled",
        T.UPDATED: "updated", T.OVERLAPPED: "overlapped",
    }
    return kinds.get(event.type)


def _slots_of(event: BookingEvent, aud: Audience) -> list[Slot]:
    """The occurrences the mail is about: the one named by `position`, else the active ones
    (all of them when none is active any more, e.g. after a cancel)."""
    if event.position is not None:
        return [s for s in aud.slots if s.position == event.position]
    active = [s for s in aud.slots if s.active]
    return active or list(aud.slots)


def context(
    rec: BookingRecord, aud: Audience, kind: str, slots: list[Slot], person: Person,
    *, for_school: bool, message: str,
) -> dict[str, object]:
    """The template values for one recipient (times in the site's zone, their language)."""
    tz, lang = rec.timezone, person.locale
    first = slots[0].interval if slots else None
    link = (f"/manage/requests/{rec.id}" if for_school and rec.status == "pending"
            else f"/bookings/{rec.id}")
    return {
        "kind": kind, "name": person.name, "for_school": for_school,
        "resource": " + ".join(p.resource_name for p in aud.places) or rec.title,
        "company": rec.organisation_name,
        "school": " / ".join(sorted(aud.school_names.values())),
        "title": rec.title, "students": rec.students, "employees": rec.employees,
        "status": rec.status, "message": message,
        "when": "" if first is None else short_span(first, tz, lang),
        "more": max(len(slots) - 1, 0),
        "when_lines": [long_span(s.interval, tz, lang) for s in slots[:MAX_LINES]],
        "location": "; ".join(dict.fromkeys(
            f"{p.site_name}, {p.address}" if p.address else p.site_name for p in aud.places)),
        "link": link, "booking_id": rec.id, "changed": False,
    }


async def invite_for(
    rec: BookingRecord, aud: Audience, booker: Person, slots: list[Slot], method: str,
) -> CalendarInvite | None:
    """The iTIP part for `slots`, each UID's SEQUENCE raised in the database. A CANCEL covers
    only UIDs an invitation was sent for (a pending request never got one): None if none."""
    uids = [feed_uid(rec.id, s.position) for s in slots]
    if method == "CANCEL":
        sent = await notify_store.invited_uids(uids)
        pairs = [(s, u) for s, u in zip(slots, uids, strict=True) if u in sent]
    else:
        pairs = list(zip(slots, uids, strict=True))
    if not pairs:
        return None
    settings = get_settings()
    place = aud.places[0] if aud.places else None
    school = " / ".join(sorted(aud.school_names.values())) or "labshare"
    events = []
    for slot, uid in pairs:
        events.append(InviteEvent(
            uid=uid, sequence=await outbox_store.raise_sequence(uid),
            start=slot.interval.start, end=slot.interval.end,
            summary=" + ".join(p.resource_name for p in aud.places) + f" — {rec.organisation_name}",
            location="" if place is None else (
                f"{place.site_name}, {place.address}" if place.address else place.site_name),
            description=rec.title, url=f"{settings.public_base_url}/bookings/{rec.id}",
        ))
    return CalendarInvite(
        method=method, organizer_email="",  # our sending address, filled in at send time
        organizer_name=school, attendee_email=booker.email, attendee_name=booker.name,
        events=tuple(events),
    )


async def record_booking_events(events: Sequence[BookingEvent]) -> None:
    """The consumer: one outbox row per event, in one statement, in the change's transaction."""
    await outbox_store.insert_messages([NewMessage(
        kind=EVENT, recipient=event.booking_id, now=event.at,
        payload=json.dumps({"type": str(event.type), "booking_id": event.booking_id,
                            "at": event.at.isoformat(), "message": event.message,
                            "position": event.position}),
    ) for event in events])


async def expand_events(limit: int = 200) -> int:
    """Turn recorded event rows into their messages, oldest first; returns how many. Call from
    one process at a time (the worker holds a job lease); each row is claimed before it is
    expanded, so a second caller would skip it rather than mail twice."""
    done = 0
    for row in await outbox_store.pending_events(limit):
        try:
            async with transaction(write=True):
                if not await outbox_store.claim_event(row.id):
                    continue
                data = json.loads(row.payload)
                await notify_booking_event(BookingEvent(
                    BookingEventType(data["type"]), data["booking_id"],
                    datetime.fromisoformat(data["at"]), message=data["message"],
                    position=data["position"]))
        except Exception as exc:  # one broken event must not hold up the ones after it
            log.exception("outbox event %s could not be expanded", row.id)
            await outbox_store.mark_failed(row.id, f"{type(exc).__name__}: {exc}")
        done += 1
    return done


async def notify_booking_event(event: BookingEvent) -> None:
    """Queue this event's mails, invitations and webhook deliveries (in the current
    transaction), from the booking as it is now."""
    rec = await booking_store.get_booking(event.booking_id)
    if rec is None:
        return
    aud = await notify_store.audience(rec.id, rec.created_by, rec.organisation_id,
                                      rec.resource_ids, sorted(rec.school_ids))
    rows: list[NewMessage] = webhook_rows(event, rec, aud)
    kind = _kind(event, rec)
    if kind is not None:
        rows += await _mails(event, rec, aud, kind)
    await enqueue_many(rows)


def _to_booker(kind: str) -> bool:
    return kind != "requested"


def _to_school(kind: str, rec: BookingRecord) -> bool:
    if kind == "updated":
        return rec.status == "pending"  # the change needs the school's approval again
    return kind in ("requested", "cancelled", "occurrence_cancelled", "overlapped")


async def _mails(
    event: BookingEvent, rec: BookingRecord, aud: Audience, kind: str,
) -> list[NewMessage]:
    slots = _slots_of(event, aud)
    message = event.message or (rec.decision_message if kind in ("declined",) else "")
    rows: list[NewMessage] = []
    now = event.at
    booker = aud.booker
    if booker is not None and _to_booker(kind):
        method = ("REQUEST" if kind in ("confirmed", "updated") and rec.status == "confirmed"
                  else "CANCEL" if kind in ("cancelled", "occurrence_cancelled") else None)
        invite = None if method is None else await invite_for(rec, aud, booker, slots, method)
        rows.append(mail_row(
            to_email=booker.email, to_name=booker.name, locale=booker.locale, template=TEMPLATE,
            context=context(rec, aud, kind, slots, booker, for_school=False, message=message),
            now=now, calendar=invite,
        ))
    if _to_school(kind, rec):
        school_kind = "requested" if kind == "updated" else kind
        for manager in aud.managers:
            ctx = context(rec, aud, school_kind, slots, manager, for_school=True,
                          message=message)
            if kind == "updated":
                ctx["changed"] = True
            if manager.digest and school_kind != "overlapped":
                await notify_store.add_digest_line(manager.id, manager.locale, {
                    "kind": school_kind, "resource": str(ctx["resource"]),
                    "when": str(ctx["when"]), "company": rec.organisation_name,
                    "link": str(ctx["link"]),
                }, now)
                continue
            rows.append(mail_row(
                to_email=manager.email, to_name=manager.name, locale=manager.locale,
                template=TEMPLATE, context=ctx, now=now,
            ))
    return rows

