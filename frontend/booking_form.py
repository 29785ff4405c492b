"""The booking form: its fields and reading them, in the resource's local time, as the service
request that the check step quotes (`booking_plan.quote`, as the API does) and confirm books."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from booking.domain.localtime import local_instant, wall_instants
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


def company_of(actor: Actor, req: BookingRequest) -> str | None:
    """The company the booking is made for (the one chosen, else the booker's only one)."""
    return catalogue.single_company(actor, req.organisation_id)


def prefill_end(values: BookingForm, resource: ResourceView) -> BookingForm:
    """A start without an end gets the shortest allowed length (at least an hour)."""
    if values.start and not values.end:
        minute = parse_time(values.start, "start", {})
        if minute is not None:
            length = max(resource.policy.min_duration_minutes, 60)
            values.end = minutes_to_time(min(minute + length, 24 * 60))
    return values
