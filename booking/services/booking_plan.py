"""The one home of "can this be booked and what does it cost": the request's own checks, the
reads (company terms, resources, equipment, inductions, calendars, quota), the verdict per
occurrence with the refusals create answers (`plan_booking`), and the price lines. Create,
`quote` (API and booking page) and booking changes call it; `quote` writes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from booking.db import batched_reads, calendar_store
from booking.db import catalogue_store as resources_store
from booking.db.catalogue_store import ResourceRecord
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.availability import ResourceCalendar, check_request
from booking.domain.claims import claims_for, find_conflicts
from booking.domain.errors import (
    Conflict,
    ConflictingClaim,
    NotAllowed,
    NotFound,
    Reason,
    RuleViolation,
)
from booking.domain.instants import from_epoch, utc
from booking.domain.intervals import Interval
from booking.domain.organisations import partnership_day
from booking.domain.pricing import PriceLine, PriceQuote, price_lines
from booking.domain.recurrence import expand_rrule
from booking.domain.resources import Resource
from booking.domain.roles import Actor
from booking.services.calendars import load_calendar_inputs, valid_id, week_of
from booking.services.catalogue import single_company
from booking.services.views import BookingRequest, OccurrenceView


@dataclasses.dataclass(frozen=True, slots=True)
class QuoteOccurrence:
    start: datetime
    end: datetime
    bookable: bool
    reasons: list[Reason]


@dataclasses.dataclass(frozen=True, slots=True)
class Quote:
    """What a booking request would cost (lines per resource, price excluding VAT, VAT,
    total) and, per occurrence, whether create would book it and why not."""

    price_amount: Decimal
    currency: str
    occurrences: list[QuoteOccurrence]
    timezone: str
    lines: tuple[PriceLine, ...] = ()
    vat_amount: Decimal = Decimal("0.00")
    total_amount: Decimal = Decimal("0.00")

    @property
    def bookable(self) -> list[QuoteOccurrence]:
        return [o for o in self.occurrences if o.bookable]

    @property
    def refused(self) -> list[QuoteOccurrence]:
        return [o for o in self.occurrences if not o.bookable]


def invalid(field: str, message: str, code: str = "invalid") -> RuleViolation:
    return RuleViolation([Reason(code, message)], field_name=field)


@dataclasses.dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed the checks needing no database."""

    first: Interval
    ids: list[str]
    mode: str  # fail | skip


def check_shape(req: BookingRequest) -> Checked:
    """The request's own rules: aware, non-empty times; some resources; a known conflict mode;
    no negative participants. RuleViolation naming the field otherwise."""
    try:
        first = Interval(utc(req.start), utc(req.end))
    except ValueError:
        raise invalid("start", "times need a UTC offset") from None
    if first.is_empty:
        raise invalid("end", "end must be after start")
    ids = list(dict.fromkeys(valid_id(r) for r in req.resource_ids))
    if not ids:
        raise invalid("resource_ids", "name at least one resource")
    mode = req.recurrence.on_conflict if req.recurrence else "fail"
    if mode not in ("fail", "skip"):
        raise invalid("recurrence.on_conflict", "on_conflict is fail or skip")
    if req.participants.students < 0 or req.participants.employees < 0:
        raise invalid("participants", "participants cannot be negative")
    return Checked(first, ids, mode)


@dataclasses.dataclass
class Prepared:
    """Everything read for one request, inside the caller's transaction."""

    company: str
    company_name: str
    is_sme: bool
    pairs: frozenset[tuple[str, str]]
    requested: list[ResourceRecord]
    children: dict[str, list[Resource]]
    occurrences: list[Interval]
    calendars: dict[str, ResourceCalendar]
    held: list[tuple[str, Interval]]
    quota_used: dict[tuple[str, Interval], int]
    inducted: frozenset[str]
    hidden: dict[str, str]
    """Resources the caller may not see (a lab's internal equipment) → the requested resource
    a conflict on them is reported as."""

    @property
    def resources(self) -> list[Resource]:
        return [r.resource for r in self.requested]

    @property
    def timezone(self) -> str:
        return self.requested[0].resource.timezone

    def has_induction(self, resource: Resource) -> bool:
        """An induction on the resource itself or on the lab it sits in."""
        return resource.id in self.inducted or (
            resource.parent_id is not None and resource.parent_id in self.inducted
        )

    def masked(self, conflicts: Iterable[ConflictingClaim]) -> list[ConflictingClaim]:
        """`conflicts` with every resource the caller may not see named as the requested
        resource that claims it (same interval), each once."""
        shown = (
            dataclasses.replace(c, resource_id=self.hidden[c.resource_id])
            if c.resource_id in self.hidden else c
            for c in conflicts
        )
        return list(dict.fromkeys(shown))


async def prepare(
    actor: Actor, req: BookingRequest, company: str, checked: Checked, now: datetime,
    *, occurrences: Sequence[Interval] | None = None,
) -> Prepared:
    """Read what deciding on `req` needs; call inside a transaction. `occurrences` replaces
    the request's own (a change of a stored booking names its occurrences' new times).
    Raises NotAllowed (no company), NotFound (unknown or invisible resource), RuleViolation
    (participants above the largest capacity, a rule without occurrences)."""
    ids = checked.ids
    read = await batched_reads.read_booking_inputs(company, partnership_day(now), ids)
    if read.terms is None:
        raise NotAllowed("only companies may book")
    company_name, is_sme, partner_schools = read.terms
    records = read.records
    requested = [records[i] for i in ids if i in records]
    if len(requested) != len(ids) or not all(
        permissions.can_see_resource(actor, r.resource) for r in requested
    ):
        raise NotFound("no such resource")
    _check_capacity(req, requested)
    tz = requested[0].resource.timezone
    if occurrences is None:
        occurrences = (
            expand_rrule(req.recurrence.rrule, checked.first, tz) if req.recurrence
            else [checked.first]
        )
    if not occurrences:
        raise invalid("recurrence.rrule", "the rule gives no occurrence", "invalid_rrule")
    children = await _children(requested)
    hidden = {
        kid.id: rec.resource.id
        for rec in requested for kid in children[rec.resource.id]
        if not permissions.can_see_resource(actor, kid)
    }
    span = Interval(occurrences[0].start, occurrences[-1].end)
    calendars, claim_rows = await load_calendar_inputs(requested, span)
    return Prepared(
        company=company, company_name=company_name, is_sme=is_sme,
        pairs=frozenset((company, school) for school in partner_schools),
        requested=requested, children=children, occurrences=list(occurrences),
        calendars=calendars,
        held=[(rid, Interval(from_epoch(s), from_epoch(e))) for rid, s, e in claim_rows],
        quota_used=await _quota(company, requested, list(occurrences)),
        inducted=read.inducted, hidden=hidden,
    )


def _check_capacity(req: BookingRequest, requested: Sequence[ResourceRecord]) -> None:
    """Students and employees together may not exceed the largest capacity requested."""
    total = req.participants.students + req.participants.employees
    most = max(r.resource.capacity for r in requested)
    if total > most:
        raise RuleViolation(
            [Reason("capacity", f"too many participants: at most {most} "
                    f"{'person' if most == 1 else 'persons'}",
                    params={"capacity": most, "participants": total})],
            field_name="participants",
        )


def occurrence_reasons(
    actor: Actor, p: Prepared, occ: Interval, now: datetime, *, booked: bool = False
) -> list[Reason]:
    """Every policy reason against `occ` over the requested resources, each once; `booked`
    reasons (held time) only when asked — create_booking reports overlaps as conflicts."""
    found: list[Reason] = []
    for rec in p.requested:
        r = rec.resource
        week = week_of(occ.start, r.timezone)
        reasons = check_request(
            p.calendars[r.id], occ, now,
            may_book=permissions.can_book(actor, r, p.company),
            has_induction=p.has_induction(r),
            quota_used_minutes=p.quota_used.get((r.id, week), 0),
        )
        found += [x for x in reasons if (booked or x.code != "booked") and x not in found]
    return found


def wanted_claims(p: Prepared, occ: Interval) -> list[tuple[str, Interval]]:
    return claims_for(p.resources, p.children, occ)


def conflicts_of(p: Prepared, wanted: Sequence[tuple[str, Interval]]) -> list[ConflictingClaim]:
    return p.masked(find_conflicts(wanted, p.held))


def use_quota(p: Prepared, occ: Interval) -> None:
    """Count a created occurrence against the quota of the following ones."""
    for rec in p.requested:
        k = (rec.resource.id, week_of(occ.start, rec.resource.timezone))
        p.quota_used[k] = p.quota_used.get(k, 0) + int(occ.duration.total_seconds() // 60)


def price_quote(p: Prepared, occurrences: Sequence[Interval]) -> PriceQuote:
    """Lines per requested resource, each at the company's class at that resource's school
    (partner beats SME beats standard), over `occurrences`; VAT and total."""
    return price_lines(
        p.resources, occurrences,
        lambda school: permissions.customer_class_for(p.company, school, p.pairs, p.is_sme),
    )


def price(p: Prepared, occurrences: list[Interval]) -> tuple[Decimal, str]:
    """(price excluding VAT, currency) over `occurrences`: the sum of `price_quote`'s lines."""
    q = price_quote(p, occurrences)
    return q.price, q.currency


def decide(
    actor: Actor, p: Prepared, now: datetime, mode: str, *, series: bool
) -> list[OccurrenceView]:
    """Each occurrence `created`, `skipped` (held time: its conflicts) or `refused` (policy:
    its reasons), in order; created ones count against the quota and the held time of the
    next. Raises what create answers: RuleViolation (422, every reason) or Conflict (409) in
    fail mode with any refusal or overlap, or when nothing would be created."""
    outcomes: list[OccurrenceView] = []
    for occ in p.occurrences:
        wanted = wanted_claims(p, occ)
        policy = occurrence_reasons(actor, p, occ, now)
        conflicts = conflicts_of(p, wanted)
        if policy:
            outcomes.append(OccurrenceView(occ.start, occ.end, "refused", reasons=policy))
        elif conflicts:
            outcomes.append(OccurrenceView(occ.start, occ.end, "skipped", conflicts))
        else:
            outcomes.append(OccurrenceView(occ.start, occ.end, "created"))
            p.held += wanted
            use_quota(p, occ)
    refuse(outcomes, mode, series=series)
    return outcomes


def refuse(outcomes: Sequence[OccurrenceView], mode: str, *, series: bool) -> None:
    """Raise for fail mode with any problem, or when nothing is left to create: only
    refusals → RuleViolation (a series' reasons carry their occurrence), any overlap →
    Conflict."""
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


@dataclasses.dataclass
class Plan:
    """What `plan_booking` read and decided: create writes exactly `created`."""

    prepared: Prepared
    checked: Checked
    outcomes: list[OccurrenceView]

    @property
    def created(self) -> list[Interval]:
        return [Interval(o.start, o.end) for o in self.outcomes if o.outcome == "created"]


async def plan_booking(
    actor: Actor, req: BookingRequest, company: str, now: datetime
) -> Plan:
    """THE answer to "can `req` be booked now, and what": the request's checks, the reads and
    the verdict per occurrence, inside the caller's transaction. Raises NotFound, NotAllowed,
    RuleViolation (a field, or the policy's reasons) and Conflict exactly as create answers."""
    checked = check_shape(req)
    p = await prepare(actor, req, company, checked, now)
    outcomes = decide(actor, p, utc(now), checked.mode, series=req.recurrence is not None)
    return Plan(p, checked, outcomes)


def booking_company(actor: Actor, req: BookingRequest) -> str:
    """The company `req` books for; NotAllowed when the actor books for none."""
    company = single_company(actor, req.organisation_id)
    if company is None:
        raise NotAllowed("only company bookers may book")
    return company


async def quote(actor: Actor, req: BookingRequest, now: datetime) -> Quote:
    """What `create_booking(req)` would answer now, without writing: the same `plan_booking`,
    so the same refusals (RuleViolation with the same reasons, Conflict with the same
    conflicts, NotFound, NotAllowed); otherwise per occurrence whether it would be created
    (a skipped one lists its held time as `booked`, never who holds it) and the price lines,
    VAT and total of what would be created."""
    now = utc(now)
    company = booking_company(actor, req)
    async with transaction(write=False):
        plan = await plan_booking(actor, req, company, now)
    items = [
        QuoteOccurrence(o.start, o.end, o.outcome == "created", [
            *o.reasons,
            *(Reason("booked", "already booked at this time", c.start, c.end)
              for c in o.conflicts),
        ])
        for o in plan.outcomes
    ]
    priced = price_quote(plan.prepared, plan.created)
    return Quote(priced.price, priced.currency, items, plan.prepared.timezone, priced.lines,
                 priced.vat, priced.total)


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
