"""Request/response types of `/api/v1/bookings`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from api.schemas import AwareDatetime, ConflictOut, Money, ReasonOut, UUIDStr
from booking.i18n import DEFAULT_LOCALE, reason_message
from booking.services.views import (
    BookingPatch,
    BookingRequest,
    BookingView,
    Participants,
    Recurrence,
)
from booking.timefmt import to_local

StatusName = Literal["pending", "confirmed", "declined", "expired", "cancelled"]
Count = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class ParticipantsIO(msgspec.Struct, forbid_unknown_fields=True):
    students: Count = 0
    employees: Count = 0


class RecurrenceIn(msgspec.Struct, forbid_unknown_fields=True):
    rrule: Annotated[
        str,
        msgspec.Meta(min_length=5, max_length=500, examples=["FREQ=WEEKLY;COUNT=10"],
                     description="RFC 5545 RRULE, expanded in the site's time zone"),
    ]
    on_conflict: Literal["fail", "skip"] = "fail"


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A booking request. Status, price and (beyond one's own companies) organisation are
    the server's to decide."""

    resource_ids: Annotated[list[UUIDStr], msgspec.Meta(min_length=1, max_length=20)]
    start: AwareDatetime
    end: AwareDatetime
    title: Annotated[str, msgspec.Meta(max_length=200, examples=["Lascursus MIG/MAG"])] = ""
    participants: ParticipantsIO = msgspec.field(default_factory=ParticipantsIO)
    organisation_id: UUIDStr | None = None
    recurrence: RecurrenceIn | None = None

    def to_request(self) -> BookingRequest:
        return BookingRequest(
            resource_ids=[r.lower() for r in self.resource_ids],
            start=self.start,
            end=self.end,
            title=self.title,
            participants=Participants(self.participants.students, self.participants.employees),
            organisation_id=self.organisation_id.lower() if self.organisation_id else None,
            recurrence=Recurrence(self.recurrence.rrule, self.recurrence.on_conflict)
            if self.recurrence
            else None,
        )

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the request (sorted keys, instants in UTC), so a
        retry that only re-orders keys or changes whitespace replays."""
        plain = msgspec.to_builtins(self)
        plain["start"] = to_local(self.start, "UTC").isoformat()
        plain["end"] = to_local(self.end, "UTC").isoformat()
        canonical = msgspec.json.encode(_sorted(plain))
        return hashlib.sha256(canonical).hexdigest()


def _sorted(value: object) -> object:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    message: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class OccurrenceOut(msgspec.Struct, omit_defaults=True):
    start: datetime
    end: datetime
    outcome: Literal["created", "skipped", "refused"]
    conflicts: list[ConflictOut] = msgspec.field(default_factory=list)
    reasons: list[ReasonOut] = msgspec.field(default_factory=list)
    position: int | None = None
    status: Literal["active", "cancelled"] | None = None


class BookingPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """A change of a booking; each field given replaces the stored one (a series' start/end
    are its first occurrence's)."""

    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    resource_ids: Annotated[list[UUIDStr], msgspec.Meta(min_length=1, max_length=20)] | None = None
    title: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    participants: ParticipantsIO | None = None

    def to_patch(self) -> BookingPatch:
        return BookingPatch(
            start=self.start, end=self.end,
            resource_ids=[r.lower() for r in self.resource_ids] if self.resource_ids else None,
            title=self.title,
            participants=Participants(self.participants.students, self.participants.employees)
            if self.participants else None,
        )


class OccurrenceMoveIn(msgspec.Struct, forbid_unknown_fields=True):
    start: AwareDatetime
    end: AwareDatetime


class BookingOut(msgspec.Struct, omit_defaults=True):
    id: str
    status: StatusName
    resource_ids: list[str]
    start: datetime
    end: datetime
    title: str
    participants: ParticipantsIO
    organisation_id: str
    organisation_name: str
    price: Money
    created_at: datetime
    updated_at: datetime
    version: int
    timezone: str
    decision_message: str = ""
    rrule: str | None = None
    occurrences: list[OccurrenceOut] | None = None


class BookingList(msgspec.Struct):
    items: list[BookingOut]
    next_cursor: str | None


def booking_out(v: BookingView, locale: str = DEFAULT_LOCALE) -> BookingOut:
    """The booking in its resource's local offset; occurrence reasons in `locale`."""
    tz = v.timezone
    occurrences = None
    if v.occurrences:
        occurrences = [
            OccurrenceOut(
                start=to_local(o.start, tz),
                end=to_local(o.end, tz),
                outcome=o.outcome,  # type: ignore[arg-type]
                conflicts=[ConflictOut(c.resource_id, to_local(c.start, tz), to_local(c.end, tz))
                           for c in o.conflicts],
                reasons=[ReasonOut(r.code, reason_message(r, locale),
                                   to_local(r.start, tz) if r.start else None,
                                   to_local(r.end, tz) if r.end else None)
                         for r in o.reasons],
                position=o.position,
                status=o.status if o.position is not None else None,  # type: ignore[arg-type]
            )
            for o in v.occurrences
        ]
    return BookingOut(
        id=v.id,
        status=v.status,  # type: ignore[arg-type]
        resource_ids=list(v.resource_ids),
        start=to_local(v.start, tz),
        end=to_local(v.end, tz),
        title=v.title,
        participants=ParticipantsIO(v.participants.students, v.participants.employees),
        organisation_id=v.organisation_id,
        organisation_name=v.organisation_name,
        price=Money.of(v.price_amount, v.currency),
        created_at=to_local(v.created_at, tz),
        updated_at=to_local(v.updated_at, tz),
        version=v.version,
        timezone=tz,
        decision_message=v.decision_message,
        rrule=v.rrule,
        occurrences=occurrences,
    )


def render_booking(v: BookingView, locale: str = DEFAULT_LOCALE) -> bytes:
    """The 201/200 JSON body of a booking (also what an idempotent replay answers)."""
    return msgspec.json.encode(booking_out(v, locale))


def etag_of(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an `If-Match` names; None for no header or `*`; -1 when it names none of
    ours (so it can never match: 412)."""
    if header is None or header.strip() in ("", "*"):
        return None
    tag = header.split(",")[0].strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 10 else -1
