"""create_booking: resolve the company, expand the series, check each occurrence against
calendars read inside the write transaction, then insert; the database's overlap guard is the
truth (trigger / exclusion constraint), the domain pre-check names the intervals."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from datetime import datetime

from booking.db import booking_store
from booking.db.booking_store import NewBooking
from booking.db.driver_errors import is_overlap_error, is_retryable
from booking.db.engine import transaction
from booking.domain.claims import claims_for
from booking.domain.errors import (
    Conflict,
    ConflictingClaim,
)
from booking.domain.instants import utc
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.domain.states import BookingStatus
from booking.services import idempotency
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.booking_plan import (
    Prepared,
    booking_company,
    plan_booking,
    price,
    refuse,
    wanted_claims,
)
from booking.services.views import BookingRequest, BookingResult, BookingView, OccurrenceView

MAX_ATTEMPTS = 3
Render = Callable[[BookingView], bytes]
_refuse = refuse
"""The refusal rule moved to `booking_plan.refuse` (shared with quote); kept by this name for
callers written before."""


@dataclasses.dataclass
class _Plan:
    """What one attempt decided; `wanted` feeds the conflict query after a rollback."""

    wanted: list[tuple[str, Interval]] = dataclasses.field(default_factory=list)
    masked: Callable[[Iterable[ConflictingClaim]], list[ConflictingClaim]] = list


def default_render(view: BookingView) -> bytes:
    """A plain JSON body, for callers that do not render their own."""
    return json.dumps(dataclasses.asdict(view), default=str, sort_keys=True).encode()


def _fingerprint(req: BookingRequest) -> str:
    return json.dumps(dataclasses.asdict(req), default=str, sort_keys=True)


async def create_booking(
    actor: Actor,
    req: BookingRequest,
    now: datetime,
    idempotency_key: str | None = None,
    *,
    request_fingerprint: str | None = None,
    render: Render | None = None,
) -> BookingResult:
    """Book `req.resource_ids` for the actor's company; 201 with the booking.

    Raises NotAllowed (no company), NotFound (unknown/invisible resource), RuleViolation
    (policy reasons; `organisation_id` when the booker must name one of several companies),
    Conflict (overlap: the conflicting claims), IdempotencyMismatch/IdempotencyInProgress.
    """
    now = utc(now)
    company = booking_company(actor, req)
    request_hash = ""
    if idempotency_key is not None:
        request_hash = idempotency.request_hash_of(request_fingerprint or _fingerprint(req))
        replay = await idempotency.begin(company, idempotency_key, request_hash, now)
        if replay is not None:
            return replay
    try:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            plan = _Plan()
            try:
                return await _create_once(
                    actor, req, company, now, plan, idempotency_key, request_hash,
                    render or default_render,
                )
            except Exception as exc:
                if is_retryable(exc) and attempt < MAX_ATTEMPTS:
                    continue
                if is_overlap_error(exc) or is_retryable(exc):
                    conflicts = await booking_store.conflicting_claims(plan.wanted)
                    raise Conflict(plan.masked(conflicts)) from None
                raise
        raise AssertionError("unreachable")
    except BaseException:
        if idempotency_key is not None:
            await idempotency.release(company, idempotency_key)
        raise


async def _create_once(
    actor: Actor, req: BookingRequest, company: str, now: datetime, plan: _Plan,
    key: str | None, request_hash: str, render: Render,
) -> BookingResult:
    async with transaction(write=True):
        decided = await plan_booking(actor, req, company, now)
        p, ids, mode = decided.prepared, decided.checked.ids, decided.checked.mode
        plan.masked = p.masked
        outcomes = decided.outcomes
        created = decided.created
        plan.wanted = [c for occ in created for c in wanted_claims(p, occ)]

        status = (BookingStatus.PENDING if any(r.policy.approval_required for r in p.resources)
                  else BookingStatus.CONFIRMED)
        resources, children = p.resources, p.children
        amount, currency = price(p, created)
        new = NewBooking(
            organisation_id=company, created_by=actor.user_id, title=req.title.strip()[:200],
            status=str(status), students=req.participants.students,
            employees=req.participants.employees, price_amount=amount, currency=currency,
            rrule=req.recurrence.rrule if req.recurrence else None, resource_ids=ids,
            starts_at=created[0].start, ends_at=created[-1].end, now=now,
        )
        if mode == "fail":
            booking_id = await booking_store.insert_booking_with_occurrences(new, [
                (position, Interval(o.start, o.end),
                 claims_for(resources, children, Interval(o.start, o.end)))
                for position, o in enumerate(outcomes)
            ])
        else:
            booking_id = await booking_store.insert_booking(new)
            outcomes = await _insert_occurrences(booking_id, p, outcomes)
        final = [Interval(o.start, o.end) for o in outcomes if o.outcome == "created"]
        if len(final) != len(created):
            amount, currency = price(p, final)
            await booking_store.set_span(booking_id, final[0].start, final[-1].end)
            await booking_store.set_price(booking_id, amount)
        view = BookingView(
            id=booking_id, status=str(status), resource_ids=ids, start=final[0].start,
            end=final[-1].end, title=req.title.strip()[:200], participants=req.participants,
            organisation_id=company, organisation_name=p.company_name, price_amount=amount,
            currency=currency, created_at=now, updated_at=now, version=1, sequence=0,
            timezone=p.timezone, created_by=actor.user_id,
            rrule=req.recurrence.rrule if req.recurrence else None,
            occurrences=outcomes if req.recurrence else [],
        )
        await booking_changed(
            BookingEvent(BookingEventType.CREATED, booking_id, now, actor=actor),
            *([BookingEvent(BookingEventType.CONFIRMED, booking_id, now, actor=actor)]
              if status is BookingStatus.CONFIRMED else []))
        if key is not None:
            await idempotency.finish(company, key, request_hash, 201, render(view), now)
    return BookingResult(201, view)


async def _insert_occurrences(
    booking_id: str, p: Prepared, outcomes: list[OccurrenceView]
) -> list[OccurrenceView]:
    """Insert created occurrences (skip mode), each in a savepoint, so an overlap the
    database finds (a concurrent writer on PostgreSQL) skips only that occurrence."""
    result: list[OccurrenceView] = []
    for position, o in enumerate(outcomes):
        if o.outcome != "created":
            result.append(o)
            continue
        occ = Interval(o.start, o.end)
        wanted = wanted_claims(p, occ)
        if await booking_store.insert_occurrence_unless_overlap(booking_id, position, occ, wanted):
            result.append(o)
        else:
            conflicts = p.masked(await booking_store.conflicting_claims(wanted))
            result.append(OccurrenceView(o.start, o.end, "skipped", conflicts))
    if not any(o.outcome == "created" for o in result):
        raise Conflict([c for o in result for c in o.conflicts])
    return result


__all__ = ["ConflictingClaim", "create_booking", "default_render"]
