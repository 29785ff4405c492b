"""Calendar invitations over e-mail (iTIP, RFC 5546): METHOD REQUEST or CANCEL, in UTC.

What the clients need (docs/notifications.md): METHOD both in the VCALENDAR and as `method=` on
the MIME part; the UID of the booking's feed event; a SEQUENCE raised on every REQUEST and CANCEL
(the caller keeps it in the database); ORGANIZER our own mailbox (the school's address), ATTENDEE
the booker with RSVP=TRUE; a CANCEL carries STATUS:CANCELLED. Times are written in UTC (`…Z`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//labshare//labshare invitations 1.0//EN"
METHODS = frozenset({"REQUEST", "CANCEL"})


@dataclass(frozen=True, slots=True)
class InviteEvent:
    """One VEVENT of an invitation: one booking occurrence (its feed UID)."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class CalendarInvite:
    """The `text/calendar` part of a mail: `method` REQUEST or CANCEL."""

    method: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str
    events: tuple[InviteEvent, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (instants as ISO 8601 UTC) that `from_json` reads back."""
        data = asdict(self)
        data["events"] = [
            {**e, "start": _utc(e["start"]).isoformat(), "end": _utc(e["end"]).isoformat()}
            for e in data["events"]
        ]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CalendarInvite:
        events = tuple(
            InviteEvent(**{**e, "start": datetime.fromisoformat(e["start"]),
                           "end": datetime.fromisoformat(e["end"])})
            for e in data["events"]
        )
        return cls(**{**data, "events": events})


def _utc(at: datetime) -> datetime:
    if at.utcoffset() is None:
        raise ValueError("naive datetime in an invitation")
    return at.astimezone(UTC).replace(microsecond=0)


def render_invite(invite: CalendarInvite, stamp: datetime) -> bytes:
    """The invitation as RFC 5545 bytes; `stamp` (aware) becomes every DTSTAMP.
    Raises ValueError for an unknown method, no events, or naive/inverted times."""
    if invite.method not in METHODS:
        raise ValueError(f"unsupported iTIP method {invite.method!r}")
    if not invite.events:
        raise ValueError("an invitation needs at least one event")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", invite.method)
    for event in invite.events:
        cal.add_component(_vevent(invite, event, _utc(stamp)))
    body: bytes = cal.to_ical()
    return body


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def _vevent(invite: CalendarInvite, event: InviteEvent, stamp: datetime) -> Event:
    start, end = _utc(event.start), _utc(event.end)
    if end <= start:
        raise ValueError(f"invitation event {event.uid!r} ends before it starts")
    cancel = invite.method == "CANCEL"
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if cancel else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(invite.organizer_email, invite.organizer_name))
    vevent.add("attendee", _address(
        invite.attendee_email, invite.attendee_name, role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION", rsvp="TRUE", cutype="INDIVIDUAL",
    ))
    return vevent
