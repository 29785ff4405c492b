"""Changing a stored booking: move, resize, other resources, title, participants — of the whole
booking or one occurrence of a series — and cancelling one occurrence.

One path with create: the changed occurrences are taken out of every read inside the write
transaction (`changes_store.detach`: their claims deleted, their rows not `active`), then
`booking_plan.prepare` reads what create reads and `occurrence_reasons` / `conflicts_of` give
create's verdicts, so the booking's own claims never block its move and its quota is counted
without it. The new claims are inserted in the same transaction; the database's overlap guard
stays the last word under concurrency, and a rollback restores the old claims.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from booking.db import booking_store, changes_store
from booking.db.booking_store import BookingRecord, StoredOccurrence
from booking.db.changes_store import BookingUpdate, Moved
from booking.db.driver_errors import is_overlap_error, is_retryable
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.errors import (
    Conflict,
    NotAllowed,
    NotFound,
    Reason,
    RuleViolation,
    StaleVersion,
)
from booking.domain.instants import utc
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.domain.states import BookingStatus
from booking.services.booking_create import MAX_ATTEMPTS, _refuse
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.booking_plan import (
    Prepared,
    Quote,
    QuoteOccurrence,
    check_shape,
    conflicts_of,
    occurrence_reasons,
    prepare,
    price,
    use_quota,
    wanted_claims,
)
from booking.services.bookings import booking_view
from booking.services.calendars import valid_id
from booking.services.views import (
    BookingPatch,
    BookingRequest,
    BookingView,
    OccurrenceView,
    Recurrence,
)


@dataclasses.dataclass
class _Attempt:
    wanted: list[tuple[str, Interval]] = dataclasses.field(default_factory=list)
    prepared: Prepared | None = None
    after: list[Interval] = dataclasses.field(default_factory=list)
    """The booking's active occurrences once changed (what the new price covers)."""


class _DryRun(Exception):
    """Raised inside the transaction of a preview so that it rolls back."""


async def _load(actor: Actor, booking_id: str) -> BookingRecord:
    rec = await booking_store.get_booking(valid_id(booking_id))
    if rec is None or not permissions.can_view_booking_details(
        actor, rec.organisation_id, rec.school_ids
    ):
        raise NotFound("no such booking")
    return rec


def _ready(rec: BookingRecord, if_match: int | None) -> None:
    if if_match is not None and if_match != rec.version:
        raise StaleVersion(f"the booking is at version {rec.version}, not {if_match}")
    if rec.status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
        raise RuleViolation([Reason("not_active", f"a {rec.status} booking cannot change")],
                            field_name="status")


def _occurrence(rec: BookingRecord, position: int) -> StoredOccurrence:
    for o in rec.series:
        if o.position == position:
            return o
    raise NotFound("no such occurrence")


def _request(rec: BookingRecord, patch: BookingPatch) -> BookingRequest:
    first = rec.active[0].interval if rec.active else Interval(rec.starts_at, rec.ends_at)
    moves = patch.start is not None or patch.end is not None
    return BookingRequest(
        resource_ids=list(patch.resource_ids if patch.resource_ids is not None
                          else rec.resource_ids),
        start=patch.start if patch.start is not None else first.start,
        end=patch.end if patch.end is not None else first.end,
        title=patch.title if patch.title is not None else rec.title,
        participants=patch.participants or booking_view(rec).participants,
        organisation_id=rec.organisation_id,
        recurrence=Recurrence(rec.rrule) if rec.rrule and moves else None,
    )


def _moving(
    rec: BookingRecord, patch: BookingPatch, position: int | None, now: datetime
) -> list[StoredOccurrence]:
    """The occurrences whose time or resources change: one (an occurrence action), or every
    active one that has not begun (a series keeps its past), or none (title, participants)."""
    if position is not None:
        o = _occurrence(rec, position)
        if o.status != "active":
            raise RuleViolation([Reason("not_active", "this occurrence is cancelled")],
                                field_name="position")
        return [o]
    changes_time = patch.start is not None or patch.end is not None
    changes_resources = (patch.resource_ids is not None
                         and list(patch.resource_ids) != list(rec.resource_ids))
    if not (changes_time or changes_resources):
        return []
    if rec.rrule is None:
        return list(rec.active)
    return [o for o in rec.active if o.interval.start > now]


async def _change_once(
    actor: Actor, booking_id: str, patch: BookingPatch, now: datetime, if_match: int | None,
    position: int | None, attempt: _Attempt, *, dry_run: bool = False,
) -> BookingView:
    async with transaction(write=True):
        rec = await _load(actor, booking_id)
        if rec.organisation_id not in actor.company_ids:
            raise NotAllowed("only the booking's company may change it")
        _ready(rec, if_match)
        req = _request(rec, patch)
        if position is not None:
            req = dataclasses.replace(req, recurrence=None)
        checked = check_shape(req)
        moving = _moving(rec, patch, position, now)
        await changes_store.detach([o.id for o in moving])
        targets = _targets(rec, req, moving, position, checked.first)
        stays = [o.interval for o in rec.active if o not in moving]
        p = await prepare(
            actor, req, rec.organisation_id, checked, now,
            occurrences=None if req.recurrence else (list(targets.values()) or stays),
        )
        attempt.prepared = p
        if req.recurrence:
            targets = _expanded(p, moving)
        outcomes = _verdicts(actor, p, targets, now, attempt)
        _refuse(outcomes, "fail", series=rec.rrule is not None)
        status = rec.status
        if moving and any(r.policy.approval_required for r in p.resources):
            status = BookingStatus.PENDING
        after = attempt.after = sorted([*stays, *targets.values()])
        amount, _ = price(p, after)
        new_resources = checked.ids if req.resource_ids != list(rec.resource_ids) else None
        update = BookingUpdate(
            booking_id=rec.id, expected_version=rec.version, title=req.title.strip()[:200],
            students=req.participants.students, employees=req.participants.employees,
            status=str(status), price_amount=amount, starts_at=after[0].start,
            ends_at=after[-1].end, now=now,
        )
        written = await changes_store.write_change(update, [
            Moved(o.id, targets[o.position], wanted_claims(p, targets[o.position]))
            for o in moving
        ], new_resources)
        if not written:
            raise StaleVersion("the booking changed meanwhile")
        await booking_changed(BookingEvent(
            BookingEventType.UPDATED, rec.id, now, actor=actor, position=position))
        if dry_run:
            raise _DryRun
    return booking_view(_changed(rec, update, p, targets, new_resources))


def _changed(
    rec: BookingRecord, u: BookingUpdate, p: Prepared, targets: dict[int, Interval],
    resource_ids: list[str] | None,
) -> BookingRecord:
    """`rec` as `u` and the moved occurrences left it (what reading it again would give)."""
    series = tuple(
        dataclasses.replace(o, interval=targets[o.position], status="active")
        if o.position in targets and o.status != "cancelled" else o
        for o in rec.series
    )
    return dataclasses.replace(
        rec, title=u.title, students=u.students, employees=u.employees, status=u.status,
        price_amount=u.price_amount, starts_at=u.starts_at, ends_at=u.ends_at,
        version=rec.version + 1, sequence=rec.sequence + 1, updated_at=u.now,
        resource_ids=tuple(resource_ids) if resource_ids is not None else rec.resource_ids,
        school_ids=frozenset(r.school_id for r in p.resources), timezone=p.timezone,
        occurrences=tuple(o.interval for o in series if o.status == "active"), series=series,
    )


def _targets(
    rec: BookingRecord, req: BookingRequest, moving: list[StoredOccurrence],
    position: int | None, first: Interval,
) -> dict[int, Interval]:
    """New intervals by position: the occurrence action's, or the same times (new
    resources); a series' new times come from the rule (`_expanded`, after `prepare`)."""
    if position is not None:
        return {position: first}
    if rec.rrule is None and moving:
        return {moving[0].position: first}
    return {o.position: o.interval for o in moving}


def _expanded(p: Prepared, moving: list[StoredOccurrence]) -> dict[int, Interval]:
    """A moved series: the rule expanded from the new first occurrence, at the positions of
    the occurrences that move (the rule keeps its count, so positions still exist)."""
    found: dict[int, Interval] = {}
    for o in moving:
        if o.position >= len(p.occurrences):
            raise RuleViolation([Reason("invalid_rrule", "the series has fewer dates now")],
                                field_name="start")
        found[o.position] = p.occurrences[o.position]
    return found


def _verdicts(
    actor: Actor, p: Prepared, targets: dict[int, Interval], now: datetime, attempt: _Attempt
) -> list[OccurrenceView]:
    """Create's verdict on every new interval (policy first, then held time)."""
    outcomes: list[OccurrenceView] = []
    for position, occ in sorted(targets.items()):
        wanted = wanted_claims(p, occ)
        policy = occurrence_reasons(actor, p, occ, now)
        conflicts = conflicts_of(p, wanted)
        if policy:
            outcomes.append(OccurrenceView(occ.start, occ.end, "refused", reasons=policy,
                                           position=position))
        elif conflicts:
            outcomes.append(OccurrenceView(occ.start, occ.end, "skipped", conflicts,
                                           position=position))
        else:
            outcomes.append(OccurrenceView(occ.start, occ.end, "created", position=position))
            attempt.wanted += wanted
            p.held += wanted
            use_quota(p, occ)
    return outcomes


async def _with_retries(
    actor: Actor, booking_id: str, patch: BookingPatch, now: datetime, if_match: int | None,
    position: int | None,
) -> BookingView:
    now = utc(now)
    for n in range(1, MAX_ATTEMPTS + 1):
        attempt = _Attempt()
        try:
            return await _change_once(actor, booking_id, patch, now, if_match, position, attempt)
        except Exception as exc:
            if is_retryable(exc) and n < MAX_ATTEMPTS:
                continue
            if is_overlap_error(exc) or is_retryable(exc):
                found = await booking_store.conflicting_claims(
                    attempt.wanted, besides=valid_id(booking_id))
                masked = attempt.prepared.masked(found) if attempt.prepared else found
                raise Conflict(masked) from None
            raise
    raise AssertionError("unreachable")


async def change_booking(
    actor: Actor, booking_id: str, patch: BookingPatch, now: datetime, *,
    if_match: int | None = None,
) -> BookingView:
    """Move, resize, re-resource, retitle or re-count a booking of the actor's company; a
    series' `start`/`end` are its first occurrence's, the rule re-expands from there and
    occurrences already begun or cancelled keep theirs. A move onto a resource needing
    approval makes the booking pending. Raises NotFound, NotAllowed (not the company's),
    StaleVersion (`if_match`), RuleViolation (create's policy reasons), Conflict."""
    return await _with_retries(actor, booking_id, patch, now, if_match, None)


async def move_occurrence(
    actor: Actor, booking_id: str, position: int, interval: Interval, now: datetime, *,
    if_match: int | None = None,
) -> BookingView:
    """Move one occurrence of a series (it keeps its position); as `change_booking`."""
    patch = BookingPatch(start=interval.start, end=interval.end)
    return await _with_retries(actor, booking_id, patch, now, if_match, position)


async def preview_change(
    actor: Actor, booking_id: str, patch: BookingPatch, now: datetime,
    position: int | None = None,
) -> Quote:
    """What `change_booking(patch)` (or, with `position`, `move_occurrence`) would decide now,
    writing nothing (its transaction rolls back): whether it can be done, why not, and the
    booking's new price."""
    now = utc(now)
    attempt = _Attempt()
    try:
        await _change_once(actor, booking_id, patch, now, None, position, attempt,
                           dry_run=True)
    except _DryRun:
        pass
    except (RuleViolation, Conflict) as exc:
        p = attempt.prepared
        reasons = exc.reasons if isinstance(exc, RuleViolation) else [
            Reason("booked", "already booked at this time", c.start, c.end)
            for c in exc.conflicts]
        if p is None:
            raise
        amount, currency = price(p, p.occurrences)
        return Quote(amount, currency, [
            QuoteOccurrence(o.start, o.end, False, reasons) for o in p.occurrences
        ], p.timezone)
    p = attempt.prepared
    assert p is not None
    amount, currency = price(p, attempt.after)
    return Quote(amount, currency,
                 [QuoteOccurrence(o.start, o.end, True, []) for o in attempt.after], p.timezone)


async def cancel_occurrence(
    actor: Actor, booking_id: str, position: int, now: datetime, *,
    if_match: int | None = None, message: str = "",
) -> BookingView:
    """Cancel one occurrence of a series (booker or facility manager): it keeps its position,
    its time is freed, the price covers the rest; cancelling the last one cancels the booking."""
    now = utc(now)
    async with transaction(write=True):
        rec = await _load(actor, booking_id)
        if not permissions.can_cancel(actor, rec.organisation_id, rec.school_ids):
            raise NotAllowed("you may not cancel this booking")
        _ready(rec, if_match)
        o = _occurrence(rec, position)
        if o.status != "active":
            raise RuleViolation([Reason("not_active", "this occurrence is already cancelled")],
                                field_name="position")
        await cancel_occurrences(actor, rec, [o], now, message)
        updated = await booking_store.get_booking(rec.id)
    assert updated is not None
    return booking_view(updated)


async def cancel_occurrences(
    actor: Actor, rec: BookingRecord, occurrences: Iterable[StoredOccurrence],
    now: datetime, message: str,
) -> None:
    """Cancel `occurrences` of `rec` inside the caller's transaction, with their events; the
    whole booking when none stays active. StaleVersion when the booking changed meanwhile."""
    gone = list(occurrences)
    left = [o for o in rec.active if o not in gone]
    if not left:
        changed = await booking_store.change_status(
            rec.id, new_status=str(BookingStatus.CANCELLED), expected=(rec.status, rec.version),
            now=now, message=message, release_claims=True)
        if not changed:
            raise StaleVersion("the booking changed meanwhile")
        await booking_changed(BookingEvent(
            BookingEventType.CANCELLED, rec.id, now, actor=actor, message=message))
        return
    await changes_store.cancel_occurrences([o.id for o in gone])
    amount = await _price_of(actor, rec, [o.interval for o in left], now)
    written = await changes_store.update_booking(BookingUpdate(
        booking_id=rec.id, expected_version=rec.version, title=rec.title,
        students=rec.students, employees=rec.employees, status=rec.status,
        price_amount=amount, starts_at=left[0].interval.start, ends_at=left[-1].interval.end,
        now=now,
    ))
    if not written:
        raise StaleVersion("the booking changed meanwhile")
    for o in gone:
        await booking_changed(BookingEvent(
            BookingEventType.OCCURRENCE_CANCELLED, rec.id, now, actor=actor, message=message,
            position=o.position))


async def _price_of(
    actor: Actor, rec: BookingRecord, intervals: list[Interval], now: datetime
) -> Decimal:
    """The booking's price over `intervals`, with create's pricing (the company's class, by
    the partnerships valid at `now`)."""
    req = _request(rec, BookingPatch())
    p = await prepare(actor, req, rec.organisation_id, check_shape(req), now,
                      occurrences=intervals)
    return price(p, intervals)[0]
