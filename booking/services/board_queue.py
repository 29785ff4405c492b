"""A school's queue of pending requests: what its facility managers decide on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from booking.db import board_store
from booking.domain import permissions
from booking.domain.errors import NotFound
from booking.domain.instants import from_epoch
from booking.domain.roles import Actor


@dataclass(frozen=True, slots=True)
class RequestView:
    """A pending request in the school's queue: what a facility manager decides on."""

    id: str
    organisation_name: str
    title: str
    start: datetime
    end: datetime
    created_at: datetime
    timezone: str  # of the first of its resources at this school
    students: int
    employees: int
    price_amount: Decimal
    currency: str
    version: int
    occurrences: int  # weeks of a series, 1 for a single booking
    resources: list[tuple[str, str | None]]  # (name, id at this school, or None elsewhere)
    status: str = "pending"


async def pending_requests(
    actor: Actor, school_id: str, limit: int, offset: int = 0, *, booking_id: str | None = None
) -> tuple[list[RequestView], int]:
    """The school's pending requests, soonest first (at most `limit` from `offset`, or only
    `booking_id` if it is one of them), and how many there are in all.

    Two set-based reads whatever the size of the school: the requests (with their count) and
    their resources. Raises NotFound as `board.board` does."""
    if not permissions.can_see_school_schedule(actor, school_id):
        raise NotFound("school")
    rows = await board_store.load_pending(school_id, limit, offset, booking_id)
    parts: dict[str, list[board_store.RequestResourceRow]] = {}
    for p in await board_store.load_request_resources([r.id for r in rows]):
        parts.setdefault(p.booking_id, []).append(p)
    views = []
    for r in rows:
        mine = parts.get(r.id, [])
        here = [p for p in mine if p.school_id == school_id]
        views.append(RequestView(
            r.id, r.organisation_name, r.title or "", from_epoch(r.start_s),
            from_epoch(r.end_s), from_epoch(r.created_s),
            here[0].timezone if here else "Europe/Amsterdam", r.students, r.employees,
            Decimal(r.price), r.currency, r.version, r.occurrences,
            [(p.name, p.resource_id if p.school_id == school_id else None) for p in mine],
        ))
    if not rows and offset:
        return views, await board_store.count_pending(school_id)
    return views, rows[0].total if rows else 0


async def pending_count(actor: Actor, school_id: str) -> int:
    """How many pending requests hold a resource of the school (0 for others' schools)."""
    if not permissions.can_see_school_schedule(actor, school_id):
        return 0
    return await board_store.count_pending(school_id)
