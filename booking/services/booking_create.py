"""create_booking: resolve the company, expand the series, check each occurrence against
calendars read inside the write transaction, then insert; the database's overlap guard is the
truth (trigger / exclusion constraint), the domain pre-check names the intervals."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from booking.db import actor_store, booking_store, calendar_store
from booking.db import catalogue_store as resources_store
from booking.db.booking_store import NewBooking
from booking.db.catalogue_store import ResourceRecord
from booking.db.engine import transaction
from booking.db.sql import (
    execute,
    fetch_batch,
    from_epoch,
    is_overlap_error,
    is_retryable,
    utc,
)
from booking.domain import permissions
from booking.domain.availability import check_request
from booking.domain.claims import claims_for, find_conflicts
from booking.domain.errors import (
    Conflict,
    ConflictingClaim,
    NotAllowed,
    NotFound,
    Reason,
    RuleViolation,
)
from booking.domain.intervals import Interval
from booking.domain.pricing import estimate_price
from booking.domain.recurrence import expand_rrule
from booking.domain.resources import Resource
from booking.domain.roles import Actor
from booking.domain.states import BookingStatus
from booking.services import idempotency
from booking.services.calendars import load_calendar_inputs, valid_id, week_of
from booking.services.catalogue import single_company
from booking.services.views import BookingRequest, BookingResult, BookingView, OccurrenceView

MAX_ATTEMPTS = 3
Render = Callable[[BookingView], bytes]


@dataclasses.dataclass
class _Plan:
    """What one attempt decided; `wanted` feeds the conflict query after a rollback."""

    wanted: list[tuple[str, Interval]] = dataclasses.field(default_factory=list)


def _invalid(field: str, message: str, code: str = "invalid") -> RuleViolation:
    return RuleViolation([Reason(code, message)], field_name=field)


def _first_interval(req: BookingRequest) -> Interval:
    try:
        first = Interval(utc(req.start), utc(req.end))
    except ValueError:
        raise _invalid("start", "times need a UTC offset") from None
    if first.is_empty:
        raise _invalid("end", "end must be after start")
    return first


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
    company = single_company(actor, req.organisation_id)
    if company is None:
        raise NotAllowed("only company bookers may book")
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
                    raise Conflict(conflicts) from None
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
    first = _first_interval(req)
    ids = list(dict.fromkeys(valid_id(r) for r in req.resource_ids))
    if not ids:
        raise _invalid("resource_ids", "name at least one resource")
    mode = req.recurrence.on_conflict if req.recurrence else "fail"
    if mode not in ("fail", "skip"):
        raise _invalid("recurrence.on_conflict", "on_conflict is fail or skip")
    if req.participants.students < 0 or req.participants.employees < 0:
        raise _invalid("participants", "participants cannot be negative")
    async with transaction(write=True):
        company_rows, resource_rows = await fetch_batch(
            [actor_store.company_terms_stmt(company), resources_store.resources_stmt(ids)]
        )
        terms = actor_store.company_terms_from_rows(company_rows)
        if terms is None:
            raise NotAllowed("only companies may book")
        company_name, is_sme, partner_schools = terms
        records = await resources_store.resources_from_rows(resource_rows)
        requested = [records[i] for i in ids if i in records]
        if len(requested) != len(ids) or not all(
            permissions.can_see_resource(actor, r.resource) for r in requested
        ):
            raise NotFound("no such resource")
        tz = requested[0].resource.timezone
        occurrences = (
            expand_rrule(req.recurrence.rrule, first, tz) if req.recurrence else [first]
        )
        children = await _children(requested)
        span = Interval(occurrences[0].start, occurrences[-1].end)
        calendars, claim_rows = await load_calendar_inputs(requested, span)
        held = [(rid, Interval(from_epoch(s), from_epoch(e))) for rid, s, e in claim_rows]
        quota_used = await _quota(company, requested, occurrences)
        outcomes: list[OccurrenceView] = []
        for occ in occurrences:
            wanted = claims_for([r.resource for r in requested], children, occ)
            policy: list[Reason] = []
            for rec in requested:
                r = rec.resource
                week = week_of(occ.start, r.timezone)
                reasons = check_request(
                    calendars[r.id], occ, now,
                    may_book=permissions.can_book(actor, r, company),
                    has_induction=True,
                    quota_used_minutes=quota_used.get((r.id, week), 0),
                )
                policy += [x for x in reasons if x.code != "booked" and x not in policy]
            conflicts = find_conflicts(wanted, held)
            if policy:
                outcomes.append(OccurrenceView(occ.start, occ.end, "refused", reasons=policy))
            elif conflicts:
                outcomes.append(OccurrenceView(occ.start, occ.end, "skipped", conflicts))
            else:
                outcomes.append(OccurrenceView(occ.start, occ.end, "created"))
                plan.wanted += wanted
                held += wanted
                for rec in requested:
                    k = (rec.resource.id, week_of(occ.start, rec.resource.timezone))
                    quota_used[k] = quota_used.get(k, 0) + int(occ.duration.total_seconds() // 60)
        _refuse(outcomes, mode, series=req.recurrence is not None)

        status = (BookingStatus.PENDING if any(r.resource.policy.approval_required
                                               for r in requested) else BookingStatus.CONFIRMED)
        created = [Interval(o.start, o.end) for o in outcomes if o.outcome == "created"]
        resources = [r.resource for r in requested]
        pairs = frozenset((company, school) for school in partner_schools)
        amount, currency = _price(company, is_sme, pairs, resources, created)
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
            outcomes = await _insert_occurrences(booking_id, resources, children, outcomes)
        final = [Interval(o.start, o.end) for o in outcomes if o.outcome == "created"]
        if len(final) != len(created):
            amount, currency = _price(company, is_sme, pairs, resources, final)
            await booking_store.set_span(booking_id, final[0].start, final[-1].end)
            await execute("UPDATE bookings SET price_amount = $1 WHERE id = $2", amount,
                          booking_id)
        view = BookingView(
            id=booking_id, status=str(status), resource_ids=ids, start=final[0].start,
            end=final[-1].end, title=req.title.strip()[:200], participants=req.participants,
            organisation_id=company, organisation_name=company_name, price_amount=amount,
            currency=currency, created_at=now, updated_at=now, version=1, sequence=0,
            timezone=tz, created_by=actor.user_id,
            rrule=req.recurrence.rrule if req.recurrence else None,
            occurrences=outcomes if req.recurrence else [],
        )
        if key is not None:
            await idempotency.finish(company, key, request_hash, 201, render(view), now)
    return BookingResult(201, view)


def _refuse(outcomes: Sequence[OccurrenceView], mode: str, *, series: bool) -> None:
    """Raise for fail mode with any problem, or when nothing is left to create."""
    refused = [o for o in outcomes if o.outcome == "refused"]
    skipped = [o for o in outcomes if o.outcome == "skipped"]
    if mode == "skip" and len(refused) + len(skipped) < len(outcomes):
        return
    if refused and (mode == "fail" or not skipped):
        reasons = [
            r if r.start is not None or not series else dataclasses.replace(
                r, start=o.start, end=o.end)
            for o in refused for r in o.reasons
        ]
        raise RuleViolation(reasons, field_name="recurrence" if series else None)
    conflicts = [c for o in skipped for c in o.conflicts]
    if conflicts:
        raise Conflict(list(dict.fromkeys(conflicts)))


async def _insert_occurrences(
    booking_id: str, resources: list[Resource], children: dict[str, list[Resource]],
    outcomes: list[OccurrenceView],
) -> list[OccurrenceView]:
    """Insert created occurrences (skip mode), each in a savepoint, so an overlap the
    database finds (a concurrent writer on PostgreSQL) skips only that occurrence."""
    result: list[OccurrenceView] = []
    for position, o in enumerate(outcomes):
        if o.outcome != "created":
            result.append(o)
            continue
        occ = Interval(o.start, o.end)
        wanted = claims_for(resources, children, occ)
        await execute("SAVEPOINT occurrence")
        try:
            await booking_store.insert_occurrence(booking_id, position, occ, wanted)
        except Exception as exc:
            if not is_overlap_error(exc):
                raise
            await execute("ROLLBACK TO SAVEPOINT occurrence")
            conflicts = await booking_store.conflicting_claims(wanted)
            result.append(OccurrenceView(o.start, o.end, "skipped", conflicts))
        else:
            result.append(o)
        await execute("RELEASE SAVEPOINT occurrence")
    if not any(o.outcome == "created" for o in result):
        raise Conflict([c for o in result for c in o.conflicts])
    return result


async def _children(requested: list[ResourceRecord]) -> dict[str, list[Resource]]:
    kid_ids = [k for r in requested for k in r.children]
    kids = await resources_store.get_resources(kid_ids) if kid_ids else {}
    return {
        r.resource.id: [kids[k].resource for k in r.children if k in kids] for r in requested
    }


async def _quota(
    company: str, requested: list[ResourceRecord], occurrences: list[Interval]
) -> dict[tuple[str, Interval], int]:
    used: dict[tuple[str, Interval], int] = {}
    for rec in requested:
        r = rec.resource
        if r.policy.quota_hours_per_week is None:
            continue
        for occ in occurrences:
            week = week_of(occ.start, r.timezone)
            if (r.id, week) not in used:
                used[(r.id, week)] = await calendar_store.quota_used_minutes(company, r.id, week)
    return used


def _price(
    company: str, is_sme: bool, pairs: frozenset[tuple[str, str]], resources: list[Resource],
    occurrences: list[Interval],
) -> tuple[Decimal, str]:
    """Sum over the schools involved, each with the company's class at that school."""
    total, currency = Decimal("0.00"), "EUR"
    for school in sorted({r.school_id for r in resources}):
        cls = permissions.customer_class_for(company, school, pairs, is_sme)
        part, currency = estimate_price(
            [r for r in resources if r.school_id == school], occurrences, cls
        )
        total += part
    return total, currency


__all__ = ["ConflictingClaim", "create_booking", "default_render"]
