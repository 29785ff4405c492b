"""Request/response types of the catalogue (`/schools`, `/resources`, availability, closures)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.messages import invalid
from api.schemas import AwareDatetime, Money, UUIDStr
from api.schemas_photos import ContactIO, PhotoOut
from booking.domain.openinghours import OpeningRule, format_hhmm
from booking.domain.resources import CustomerClass, Policy, Rate
from booking.services.views import (
    AvailabilityView,
    ClosureView,
    OpeningRuleView,
    ResourceView,
    SchoolView,
    SiteView,
)
from booking.timefmt import to_local

Kind = Literal["lab", "equipment"]
VisibilityName = Literal["public", "partners", "internal"]
BookableByName = Literal["all", "partners", "internal"]
CustomerClassName = Literal["standard", "partner", "sme"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Tag = Annotated[
    str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
HHMM = Annotated[
    str,
    msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", examples=["08:30"]),
]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=525_600)]
SlotMinutes = Literal[5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480]
"""Slot sizes a policy may use: each divides a day (slots are aligned to local midnight)."""


class SiteOut(msgspec.Struct):
    id: str
    school_id: str
    name: str
    address: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    timezone: Annotated[str, msgspec.Meta(examples=["Europe/Amsterdam"])]


class SchoolOut(msgspec.Struct):
    id: str
    name: str
    brin: str | None
    level: str | None
    city: str
    region_id: str | None
    sites: list[SiteOut]
    contact: ContactIO | None = None


class SchoolList(msgspec.Struct):
    items: list[SchoolOut]
    next_cursor: str | None = None


class RateIO(msgspec.Struct, forbid_unknown_fields=True):
    """An hourly rate: a non-negative amount in euros."""

    customer_class: CustomerClassName
    hourly: Money


class PolicyOut(msgspec.Struct):
    approval_required: bool
    slot_minutes: int
    min_notice_minutes: int
    max_advance_days: int
    min_duration_minutes: int
    max_duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    bookable_by: BookableByName
    induction_required: bool
    quota_hours_per_week: int | None


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Any subset of the policy; what is left out keeps its current (or default) value."""

    approval_required: bool | UnsetType = UNSET
    slot_minutes: SlotMinutes | UnsetType = UNSET
    min_notice_minutes: Minutes | UnsetType = UNSET
    max_advance_days: Annotated[int, msgspec.Meta(ge=1, le=1100)] | UnsetType = UNSET
    min_duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=10_080)] | UnsetType = UNSET
    max_duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=10_080)] | UnsetType = UNSET
    buffer_before_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] | UnsetType = UNSET
    buffer_after_minutes: Annotated[int, msgspec.Meta(ge=0, le=1440)] | UnsetType = UNSET
    bookable_by: BookableByName | UnsetType = UNSET
    induction_required: bool | UnsetType = UNSET
    quota_hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=168)] | UnsetType | None = UNSET

    def changes(self) -> dict[str, object]:
        return {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not UNSET}


class ResourceOut(msgspec.Struct):
    id: str
    school_id: str
    site_id: str
    kind: Kind
    name: str
    description: str
    tags: list[str]
    capacity: int
    timezone: str
    parent_id: str | None
    children: list[str]
    visibility: VisibilityName
    rates: list[RateIO]
    policy: PolicyOut
    school_name: str
    site_name: str
    city: str
    photos: list[PhotoOut] = []
    contact: ContactIO | None = None
    """The resource's contact person, else its school's (null when neither has one)."""


class FirstFreeOut(msgspec.Struct):
    """The earliest free window of the asked length inside `[free_from, free_to)`, clipped."""

    start: datetime
    end: datetime


class ResourceItem(ResourceOut):
    """A list item: the resource and, in a free-time search, its first free window."""

    first_free: FirstFreeOut | None = None


class ResourceList(msgspec.Struct):
    items: list[ResourceItem]
    next_cursor: str | None
    total: Annotated[int, msgspec.Meta(
        description="Every match over all pages (not the page size)")] = 0
    suggestion: Annotated[str | None, msgspec.Meta(
        description="When `q` found nothing: a corrected query that finds something",
        examples=["lassen"])] = None


class ResourceIn(msgspec.Struct, forbid_unknown_fields=True):
    school_id: UUIDStr
    site_id: UUIDStr
    kind: Kind
    name: Name
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    parent_id: UUIDStr | None = None
    visibility: VisibilityName = "public"
    rates: Annotated[list[RateIO], msgspec.Meta(max_length=3)] = msgspec.field(
        default_factory=list
    )
    policy: PolicyIn = msgspec.field(default_factory=PolicyIn)


class ResourcePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; the school and the kind of a resource never change."""

    site_id: UUIDStr | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    description: Annotated[str, msgspec.Meta(max_length=5000)] | UnsetType = UNSET
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] | UnsetType = UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] | UnsetType = UNSET
    parent_id: UUIDStr | UnsetType | None = UNSET
    visibility: VisibilityName | UnsetType = UNSET
    rates: Annotated[list[RateIO], msgspec.Meta(max_length=3)] | UnsetType = UNSET
    policy: PolicyIn | UnsetType = UNSET
    contact: ContactIO | UnsetType = UNSET

    def changes(self) -> dict[str, object]:
        result: dict[str, object] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET or name == "contact":  # set apart: booking.services.contacts
                continue
            if name == "rates":
                value = [rate_in(r) for r in value]
            elif name == "policy":
                value = value.changes()
            result[name] = value
        return result


class OpeningRuleIO(msgspec.Struct, forbid_unknown_fields=True):
    """Open every `weekday` (1 = Monday … 7 = Sunday) from `opens` to `closes`, site time."""

    weekday: Annotated[int, msgspec.Meta(ge=1, le=7)]
    opens: HHMM
    closes: HHMM
    valid_from: date | None = None
    valid_to: date | None = None


OpeningRules = Annotated[list[OpeningRuleIO], msgspec.Meta(max_length=100)]


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True):
    start: AwareDatetime
    end: AwareDatetime
    reason: Annotated[str, msgspec.Meta(max_length=300, examples=["Kerstvakantie"])] = ""
    on_conflict: Literal["keep", "cancel"] | None = None
    """Active bookings the closure meets: 409 listing them unless `keep` (they stay, both
    sides are told) or `cancel` (cancelled with the closure's reason)."""


class HoursIO(msgspec.Struct, forbid_unknown_fields=True):
    opens: HHMM
    closes: HHMM


class OpeningExceptionIO(msgspec.Struct, forbid_unknown_fields=True):
    """On local `date`, `hours` replace the weekly rules; `[]` closes the day."""

    date: date
    hours: Annotated[list[HoursIO], msgspec.Meta(max_length=10)]


OpeningExceptions = Annotated[list[OpeningExceptionIO], msgspec.Meta(max_length=400)]


class ClosureOut(msgspec.Struct):
    id: str
    resource_id: str | None
    site_id: str | None
    start: datetime
    end: datetime
    reason: str
    kind: str


class FreeOut(msgspec.Struct):
    start: datetime
    end: datetime


class BusyOut(msgspec.Struct, omit_defaults=True):
    start: datetime
    end: datetime
    kind: Literal["booking", "closure"]
    reason: str | None = None


class AvailabilityOut(msgspec.Struct):
    resource_id: str
    timezone: str
    free: list[FreeOut]
    busy: list[BusyOut]


class CheckReason(msgspec.Struct, omit_defaults=True):
    code: str
    message: str
    start: datetime | None = None
    end: datetime | None = None


class CheckOut(msgspec.Struct):
    bookable: bool
    reasons: list[CheckReason]


def check_policy(policy: Policy) -> Policy:
    """`policy` unchanged when its durations are whole numbers of slots (free windows and
    bookings start and end on slot boundaries, so anything else would not mean what it says);
    a 422 naming the field otherwise."""
    slot = policy.slot_minutes
    for name in ("min_duration_minutes", "max_duration_minutes"):
        if getattr(policy, name) % slot:
            raise invalid(f"policy.{name}",
                          f"must be a whole number of slots ({slot} minutes each)")
    return policy


def rate_in(rate: RateIO) -> Rate:
    try:
        hourly = Decimal(rate.hourly.amount)
    except InvalidOperation:  # the pattern already refuses this
        hourly = Decimal(0)
    return Rate(CustomerClass(rate.customer_class), hourly, rate.hourly.currency)


def policy_in(policy: PolicyIn, base: Policy | None = None) -> Policy:
    import dataclasses

    from booking.domain.resources import BookableBy

    changes = policy.changes()
    if "bookable_by" in changes:
        changes["bookable_by"] = BookableBy(str(changes["bookable_by"]))
    return dataclasses.replace(base or Policy(), **changes)  # type: ignore[arg-type]


def site_out(x: SiteView) -> SiteOut:
    return SiteOut(x.id, x.school_id, x.name, x.address, x.postcode, x.city, x.latitude,
                   x.longitude, x.timezone)


def school_out(s: SchoolView) -> SchoolOut:
    return SchoolOut(
        id=s.id, name=s.name, brin=s.brin, level=s.level, city=s.city, region_id=s.region_id,
        sites=[site_out(x) for x in s.sites],
    )


def resource_out(r: ResourceView) -> ResourceOut:
    p = r.policy
    return ResourceOut(
        id=r.id, school_id=r.school_id, site_id=r.site_id, kind=r.kind,  # type: ignore[arg-type]
        name=r.name, description=r.description, tags=list(r.tags), capacity=r.capacity,
        timezone=r.timezone, parent_id=r.parent_id, children=list(r.children),
        visibility=r.visibility,  # type: ignore[arg-type]
        rates=[RateIO(str(x.customer_class), Money.of(x.hourly, x.currency))  # type: ignore[arg-type]
               for x in r.rates],
        policy=PolicyOut(
            p.approval_required, p.slot_minutes, p.min_notice_minutes, p.max_advance_days,
            p.min_duration_minutes, p.max_duration_minutes, p.buffer_before_minutes,
            p.buffer_after_minutes, str(p.bookable_by),  # type: ignore[arg-type]
            p.induction_required, p.quota_hours_per_week,
        ),
        school_name=r.school_name, site_name=r.site_name, city=r.city,
    )


def resource_item(r: ResourceView) -> ResourceItem:
    """A list item: `resource_out` plus `first_free` in the resource's local offset."""
    first = None
    if r.first_free is not None:
        first = FirstFreeOut(to_local(r.first_free.start, r.timezone),
                             to_local(r.first_free.end, r.timezone))
    out = resource_out(r)
    return ResourceItem(**{f: getattr(out, f) for f in out.__struct_fields__},
                        first_free=first)


def rule_out(rule: OpeningRule | OpeningRuleView) -> OpeningRuleIO:
    if isinstance(rule, OpeningRule):
        opens, closes = format_hhmm(rule.opens), format_hhmm(rule.closes, is_close=True)
    else:
        opens, closes = rule.opens, rule.closes
    return OpeningRuleIO(rule.weekday, opens, closes, rule.valid_from, rule.valid_to)


def closure_out(c: ClosureView) -> ClosureOut:
    tz = c.timezone
    return ClosureOut(c.id, c.resource_id, c.site_id, to_local(c.start, tz), to_local(c.end, tz),
                      c.reason, c.kind)


def availability_out(
    a: AvailabilityView, translate: Callable[[str], str] = str
) -> AvailabilityOut:
    """`a` in local offsets; `translate` turns our own closure labels (message ids such as
    "Maintenance") into the caller's language."""
    tz = a.timezone
    return AvailabilityOut(
        resource_id=a.resource_id,
        timezone=tz,
        free=[FreeOut(to_local(f.start, tz), to_local(f.end, tz)) for f in a.free],
        busy=[
            BusyOut(to_local(b.start, tz), to_local(b.end, tz), b.kind,  # type: ignore[arg-type]
                    translate(b.reason) if b.kind == "closure" and b.reason is not None
                    else None)
            for b in a.busy
        ],
    )
