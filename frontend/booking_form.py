"""The booking form: its fields, reading them in the resource's local time, and the check step.

The check step asks the services what the booking would meet — `catalogue.check` for every
resource and occurrence — and prices it with the domain's pricing; nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from booking.domain import permissions
from booking.domain.errors import Reason
from booking.domain.intervals import Interval
from booking.domain.localtime import local_instant, wall_instants
from booking.domain.pricing import estimate_price
from booking.domain.recurrence import expand_rrule
from booking.domain.resources import Resource
from booking.domain.roles import Actor
from booking.services import catalogue
from booking.services.views import BookingRequest, Participants, Recurrence, ResourceView
from frontend.forms import FormErrors, minutes_to_time, parse_date, parse_int, parse_time

MAX_WEEKS = 26


@dataclass(slots=True)
class BookingForm:
    """The form's values as typed (strings where the user typed them)."""

    resource_id: str = ""
    date: str = ""
    start: str = ""
    end: str = ""
    title: str = ""
    students: str = "0"
    employees: str = "0"
    extras: list[str] = field(default_factory=list)
    repeat: bool = False
    weeks: str = "4"
    on_conflict: str = "skip"
    organisation_id: str = ""
    idem: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> BookingForm:
        return cls(
            resource_id=query.get("resource", ""), date=query.get("date", ""),
            start=query.get("start", ""), end=query.get("end", ""),
        )

    @classmethod
    def from_post(cls, form: Any) -> BookingForm:
        def text(name: str, default: str = "") -> str:
            return str(form.get(name) or default).strip()[:200]

        return cls(
            resource_id=text("resource"), date=text("date"), start=text("start"),
            end=text("end"), title=text("title"), students=text("students", "0"),
            employees=text("employees", "0"),
            extras=[str(v) for v in form.getall("extras", [])][:20],
            repeat=text("repeat") == "on", weeks=text("weeks", "4"),
            on_conflict="fail" if text("on_conflict") == "fail" else "skip",
            organisation_id=text("organisation_id"),
            idem=text("idem") or uuid.uuid4().hex,
        )


@dataclass(frozen=True, slots=True)
class OccurrenceCheck:
    interval: Interval
    reasons: list[Reason]

    @property
    def bookable(self) -> bool:
        return not self.reasons


@dataclass(frozen=True, slots=True)
class Quote:
    """What the check step shows: each occurrence with its reasons, and the price estimate."""

    occurrences: list[OccurrenceCheck]
    amount: Decimal
    currency: str

    @property
    def bookable(self) -> list[OccurrenceCheck]:
        return [o for o in self.occurrences if o.bookable]

    @property
    def refused(self) -> list[OccurrenceCheck]:
        return [o for o in self.occurrences if not o.bookable]


def _instant(tz: str, day: date, minute: int, name: str, errors: FormErrors) -> datetime:
    if minute < 24 * 60 and not wall_instants(tz, day, minute):
        errors.add(name, "This time does not exist on that day (the clocks go forward).")
    return local_instant(tz, day, minute)


def to_request(
    values: BookingForm, resource: ResourceView, errors: FormErrors
) -> BookingRequest | None:
    """The service request for the form's values in the resource's zone; None with errors."""
    tz = resource.timezone
    day = parse_date(values.date, "date", errors)
    if not values.date:
        errors.add("date", "Choose a date.")
    start = parse_time(values.start, "start", errors)
    end = parse_time(values.end, "end", errors)
    students = parse_int(values.students or "0", "students", errors, high=500) or 0
    employees = parse_int(values.employees or "0", "employees", errors, high=500) or 0
    if not values.title:
        errors.add("title", "Say in a few words what the training is about.")
    weeks = parse_int(values.weeks, "weeks", errors, low=2, high=MAX_WEEKS) if values.repeat else 1
    if day is None or start is None or end is None:
        return None
    if end <= start:
        errors.add("end", "The end must be after the start.")
        return None
    first_start = _instant(tz, day, start, "start", errors)
    first_end = _instant(tz, day, end, "end", errors)
    if errors:
        return None
    recurrence = Recurrence(f"FREQ=WEEKLY;COUNT={weeks}", values.on_conflict) if (
        values.repeat and weeks
    ) else None
    return BookingRequest(
        resource_ids=[resource.id, *[x for x in values.extras if x != resource.id]],
        start=first_start, end=first_end, title=values.title,
        participants=Participants(students=students, employees=employees),
        organisation_id=values.organisation_id or None, recurrence=recurrence,
    )


def occurrences_of(req: BookingRequest, tz: str) -> list[Interval]:
    first = Interval(req.start, req.end)
    if req.recurrence is None:
        return [first]
    return expand_rrule(req.recurrence.rrule, first, tz, limit=MAX_WEEKS)


def company_of(actor: Actor, req: BookingRequest) -> str | None:
    """The company the booking is made for (the one chosen, else the booker's only one)."""
    return catalogue.single_company(actor, req.organisation_id)


async def quote(
    actor: Actor, req: BookingRequest, resources: Sequence[ResourceView], now: datetime
) -> Quote:
    """Every occurrence's reasons (via the catalogue service) and the estimated price."""
    tz = resources[0].timezone
    company = company_of(actor, req)
    checks: list[OccurrenceCheck] = []
    for occurrence in occurrences_of(req, tz):
        reasons: list[Reason] = []
        for resource in resources:
            for reason in await catalogue.check(actor, resource.id, occurrence, now, company):
                if all((r.code, r.message) != (reason.code, reason.message) for r in reasons):
                    reasons.append(reason)
        checks.append(OccurrenceCheck(occurrence, reasons))
    amount, currency = price(actor, company, resources, [c.interval for c in checks if c.bookable])
    return Quote(checks, amount, currency)


def price(
    actor: Actor, company: str | None, resources: Sequence[ResourceView],
    occurrences: Sequence[Interval],
) -> tuple[Decimal, str]:
    """The domain's price over the bookable occurrences, per school with the company's class.

    The actor knows the schools its companies are partners of, not whether a company is an SME,
    so an SME sees the standard rate here; the booking itself carries the exact price.
    """
    pairs = {(company, school) for school in actor.partner_of} if company else set()
    total, currency = Decimal("0.00"), "EUR"
    for school in sorted({r.school_id for r in resources}):
        cls = permissions.customer_class_for(company or "", school, pairs, False)
        at_school = cast(list[Resource], [r for r in resources if r.school_id == school])
        part, currency = estimate_price(at_school, occurrences, cls)
        total += part
    return total, currency


def prefill_end(values: BookingForm, resource: ResourceView) -> BookingForm:
    """A start without an end gets the shortest allowed length (at least an hour)."""
    if values.start and not values.end:
        minute = parse_time(values.start, "start", {})
        if minute is not None:
            length = max(resource.policy.min_duration_minutes, 60)
            values.end = minutes_to_time(min(minute + length, 24 * 60))
    return values
