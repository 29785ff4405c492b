"""Booking occurrences as feed events, with what the feed's owner may see (DESIGN §6 privacy)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from booking.db.feeds_store import BookedResource, OccurrenceRow
from booking.domain.permissions import can_view_booking_details
from booking.domain.roles import Actor
from booking.i18n import translations
from booking.ical import FeedEvent, feed_uid

_BUSY_NAMESPACE = uuid.UUID("6f1d2a58-3c1b-4f0e-9a9e-5b7c1d2e3f40")
_DESCRIPTION_MAX = 1000

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "busy": "Bezet",
        "pending": "Status: aangevraagd, wacht op goedkeuring",
        "confirmed": "Status: bevestigd",
    },
    "en": {
        "busy": "Busy",
        "pending": "Status: requested, awaiting approval",
        "confirmed": "Status: confirmed",
    },
}


def texts(locale: str) -> dict[str, str]:
    return TEXTS.get(locale[:2].lower(), TEXTS["nl"])


def busy_uid(booking_id: str, position: int) -> str:
    """A stable UID for a booking shown only as busy: derived from the id, revealing nothing."""
    return feed_uid(str(uuid.uuid5(_BUSY_NAMESPACE, booking_id)), position)


def to_event(
    occ: OccurrenceRow,
    resources: Sequence[BookedResource],
    viewer: Actor,
    *,
    locale: str,
    site_url: str,
) -> FeedEvent:
    """The feed event of one occurrence: full details for who may see them (the booking's
    company, staff of a school involved, admins), else "Bezet"/"Busy" and nothing more."""
    t = texts(locale)
    status = "TENTATIVE" if occ.status == "pending" else "CONFIRMED"
    schools = {r.school_id for r in resources}
    if not can_view_booking_details(viewer, occ.organisation_id, schools):
        return FeedEvent(
            uid=busy_uid(occ.booking_id, occ.position), start=occ.starts_at, end=occ.ends_at,
            summary=t["busy"], status=status, sequence=occ.sequence,
            last_modified=occ.updated_at,
        )
    names = ", ".join(r.name for r in resources)
    what = occ.title.strip() or names
    own = occ.organisation_id in viewer.company_ids
    summary = what if own else f"{what} ({occ.organisation_name})"
    plural = translations(locale).ngettext
    people = []
    if occ.students:
        people.append(plural("%(num)d student", "%(num)d students", occ.students)
                      % {"num": occ.students})
    if occ.employees:
        people.append(plural("%(num)d employee", "%(num)d employees", occ.employees)
                      % {"num": occ.employees})
    lines = [occ.organisation_name, names, ", ".join(people), t[occ.status]]
    description = "\n".join(line for line in lines if line)[:_DESCRIPTION_MAX]
    return FeedEvent(
        uid=feed_uid(occ.booking_id, occ.position),
        start=occ.starts_at,
        end=occ.ends_at,
        summary=summary,
        status=status,
        sequence=occ.sequence,
        last_modified=occ.updated_at,
        description=description,
        location=location(resources),
        url=f"{site_url.rstrip('/')}/bookings/{occ.booking_id}" if site_url else "",
    )


def location(resources: Sequence[BookedResource]) -> str:
    """The distinct site addresses of the booked resources: "Site, Street 1, 5611 AB City"."""
    seen: list[str] = []
    for r in resources:
        town = " ".join(p for p in (r.postcode, r.city) if p)
        text = ", ".join(p for p in (r.site_name, r.address, town) if p)
        if text and text not in seen:
            seen.append(text)
    return "; ".join(seen)
