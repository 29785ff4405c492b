"""The audit trail: `record` an event inside the change's transaction; read it by organisation.

Every approve, decline, cancel, change, closure, rule (opening hours, policy), membership,
partnership and token event is recorded with its actor, time and a one-line summary (English,
the catalogue's own words: names of resources, titles, local times — never a person's name,
which the reader gets from the actor's account, so anonymising a person anonymises the trail).
Entries are append-only: no code path updates or deletes one, and database triggers refuse it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db import audit_store, booking_store
from booking.db.booking_store import BookingRecord
from booking.db.rows import Row
from booking.domain.audit import AuditAccess, audit_access, audit_organisations, local_span
from booking.domain.errors import NotAllowed, NotFound
from booking.domain.roles import Actor
from booking.services.booking_events import BookingEvent, BookingEventType
from booking.services.calendars import decode_cursor, encode_cursor, valid_id
from booking.services.views import Page


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    """One entry; `actor_id` None for the system (expiry, imports, the retention job)."""

    id: str
    at: datetime
    actor_id: str | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str


class NotInTransaction(RuntimeError):
    """`record` was called outside the transaction of the change it records."""


async def record(
    *,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    at: datetime,
    actor_id: str | None,
    organisation_ids: Iterable[str],
) -> str:
    """Append one audit entry IN THE CURRENT TRANSACTION (the change's own); returns its id.

    - `action`: `<object>.<verb>`, e.g. `booking.approved`, `closure.created`,
      `opening_hours.changed`, `resource.updated`, `membership.added`, `membership.removed`,
      `membership.role_changed`, `partnership.created`, `partnership.deleted`,
      `token.created`, `token.deleted`, `user.password_reset`, `user.anonymised` (≤ 64 chars).
    - `object_type` / `object_id`: what changed (`booking`, `closure`, `resource`, `membership`,
      `partnership`, `token`, `user`, …; the id as text).
    - `summary`: one line in English, without people's names (they come from the actor's
      account at read time, so an anonymised person disappears from the trail too).
    - `at`: aware instant of the change (the service's `now`).
    - `actor_id`: the user who acted; None for the system.
    - `organisation_ids`: every organisation whose trail shows the entry — the school(s) and
      the company of a booking; the school, the company and the school's region (for its
      coordinators) of a partnership; the organisation of a membership or an invitation.
      The platform admin sees every entry whatever this says.

    Raises NotInTransaction when called outside a transaction: an entry that could commit
    without its change (or survive its rollback) would not be an audit trail.
    """
    if not audit_store.in_transaction():
        raise NotInTransaction(f"audit.record({action!r}) outside the change's transaction")
    return await audit_store.insert_entry(
        at=at, actor_id=actor_id, action=action, object_type=object_type,
        object_id=object_id, summary=summary.replace("\n", " ")[:500],
        organisation_ids=organisation_ids,
    )


_BOOKING_ACTIONS = {"booking.confirmed": "booking.approved"}


async def on_booking_events(events: Sequence[BookingEvent]) -> None:
    """The audit consumer of `booking_events`: one entry per booking change, readable by the
    booking's company and every school whose resources it holds. A booking confirmed at once
    (created and confirmed in one write) gets one entry: the creation's, which says so."""
    created = {e.booking_id for e in events if e.type is BookingEventType.CREATED}
    records: dict[str, BookingRecord | None] = {}
    for event in events:
        if event.type is BookingEventType.CONFIRMED and event.booking_id in created:
            continue
        if event.booking_id not in records:
            records[event.booking_id] = await booking_store.get_booking(event.booking_id)
        await _record_booking_event(event, records[event.booking_id])


async def _record_booking_event(event: BookingEvent, rec: BookingRecord | None) -> None:
    if rec is None:
        return
    action = _BOOKING_ACTIONS.get(event.type.value, event.type.value)
    summary = f'"{rec.title}" {local_span(rec.starts_at, rec.ends_at, rec.timezone)}, {rec.status}'
    if event.position is not None:
        summary += f", occurrence {event.position + 1}"
    if event.message:
        summary += f": {event.message}"
    await record(
        action=action, object_type="booking", object_id=rec.id, summary=summary, at=event.at,
        actor_id=event.actor.user_id if event.actor else None,
        organisation_ids=(rec.organisation_id, *sorted(rec.school_ids)),
    )


def _view(row: Row) -> AuditEntryView:
    return AuditEntryView(
        id=str(row["id"]), at=row["at"],
        actor_id=str(row["actor"]) if row["actor"] is not None else None,
        actor_name=row["actor_name"], action=row["action"], object_type=row["object_type"],
        object_id=row["object_id"], summary=row["summary"],
    )


async def list_entries(
    actor: Actor, *, organisation_id: str | None = None, start: datetime | None = None,
    end: datetime | None = None, limit: int = 50, cursor: str | None = None,
) -> Page[AuditEntryView]:
    """The entries the actor may read, newest first, in `[start, end)`.

    With `organisation_id`: that organisation's entries — NotFound when the caller may not know
    it (another organisation), NotAllowed for its members without an audit role (staff).
    Without: every organisation the caller reads (the admin: every entry)."""
    if actor.is_anonymous:
        raise NotAllowed("sign in first")
    scope: Iterable[str] | None
    if organisation_id is not None:
        org = valid_id(organisation_id)
        access = audit_access(actor, org)
        if access is AuditAccess.HIDDEN:
            raise NotFound("no such organisation")
        if access is AuditAccess.FORBIDDEN:
            raise NotAllowed("your role does not show this organisation's audit trail")
        scope = (org,)
    else:
        scope = audit_organisations(actor)
    before = None
    if cursor:
        at, entry_id = decode_cursor(cursor, 2)
        before = (datetime.fromisoformat(at), valid_id(entry_id))
    rows = await audit_store.list_entries(
        organisation_ids=scope, start=start, end=end, before=before, limit=limit + 1
    )
    items = [_view(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.at.isoformat(), last.id)
    return Page(items=items, next_cursor=next_cursor)


async def entries_about(user_id: str) -> list[AuditEntryView]:
    """Entries the user made or that concern the user (for the personal-data export)."""
    return [_view(r) for r in await audit_store.entries_about(user_id)]
