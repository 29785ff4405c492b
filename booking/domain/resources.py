"""Catalogue values: resources (labs and equipment), their booking policy and rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class ResourceKind(StrEnum):
    LAB = "lab"
    EQUIPMENT = "equipment"


class Visibility(StrEnum):
    """Who sees the resource in the catalogue."""

    PUBLIC = "public"
    PARTNERS = "partners"
    INTERNAL = "internal"


class BookableBy(StrEnum):
    """Which companies may book: every company, the school's partners, or only the school itself."""

    ALL = "all"
    PARTNERS = "partners"
    INTERNAL = "internal"


class CustomerClass(StrEnum):
    """Rate classes: partners of the school pay the partner rate, others the standard one."""

    STANDARD = "standard"
    PARTNER = "partner"
    SME = "sme"


@dataclass(frozen=True, slots=True)
class Policy:
    """A resource's booking policy; all durations in minutes, horizon in days."""

    approval_required: bool = False
    slot_minutes: int = 30
    min_notice_minutes: int = 24 * 60
    max_advance_days: int = 180
    min_duration_minutes: int = 60
    max_duration_minutes: int = 8 * 60
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    bookable_by: BookableBy = BookableBy.ALL
    induction_required: bool = False
    quota_hours_per_week: int | None = None
    """Hours one company may hold on this resource per ISO week (local time); None = no quota."""


@dataclass(frozen=True, slots=True)
class Rate:
    """An hourly rate for one customer class."""

    customer_class: CustomerClass
    hourly: Decimal
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Resource:
    """A lab or a piece of equipment as the domain sees it (ids are UUID strings)."""

    id: str
    school_id: str
    site_id: str
    kind: ResourceKind
    name: str
    timezone: str = "Europe/Amsterdam"
    parent_id: str | None = None
    capacity: int = 1
    tags: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    policy: Policy = field(default_factory=Policy)
    rates: tuple[Rate, ...] = ()
