"""What the services hand to the API and the pages: plain frozen dataclasses.

Instants are aware UTC datetimes; `timezone` says in which IANA zone to show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from booking.db.schools_store import SiteRow
from booking.domain.errors import ConflictingClaim, Reason
from booking.domain.resources import Policy, Rate

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; `next_cursor` is None on the last page."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None
    """Every match over all pages (catalogue lists)."""
    suggestion: str | None = None
    """A corrected query that finds something, when the text search found nothing."""


SiteView = SiteRow
"""A school's site: the store's row (nothing to hide or add)."""


@dataclass(frozen=True, slots=True)
class SchoolView:
    id: str
    name: str
    brin: str | None
    level: str | None
    city: str
    region_id: str | None
    sites: list[SiteView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ResourceView:
    id: str
    school_id: str
    site_id: str
    kind: str
    name: str
    description: str
    tags: list[str]
    capacity: int
    timezone: str
    parent_id: str | None
    children: list[str]
    visibility: str
    rates: list[Rate]
    policy: Policy
    school_name: str = ""
    site_name: str = ""
    city: str = ""
    first_free: FreeView | None = None
    """In a free-time search: the earliest free window of the asked length, clipped."""
    more_free: int = 0
    """In a free-time search: how many other such windows start in the first's local week."""


@dataclass(frozen=True, slots=True)
class ResourceInput:
    """Fields a facility manager sets when creating a resource."""

    school_id: str
    site_id: str
    kind: str
    name: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    capacity: int = 1
    parent_id: str | None = None
    visibility: str = "public"
    rates: list[Rate] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True, slots=True)
class OpeningRuleView:
    weekday: int
    opens: str  # "HH:MM"
    closes: str  # "HH:MM" ("24:00" = midnight)
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class ClosureView:
    id: str
    resource_id: str | None
    site_id: str | None
    start: datetime
    end: datetime
    reason: str
    kind: str
    timezone: str


@dataclass(frozen=True, slots=True)
class BusyView:
    start: datetime
    end: datetime
    kind: str  # booking | closure
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FreeView:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class AvailabilityView:
    resource_id: str
    timezone: str
    free: list[FreeView]
    busy: list[BusyView]


@dataclass(frozen=True, slots=True)
class Participants:
    students: int = 0
    employees: int = 0


@dataclass(frozen=True, slots=True)
class Recurrence:
    rrule: str
    on_conflict: str = "fail"  # fail | skip


@dataclass(frozen=True, slots=True)
class BookingRequest:
    resource_ids: list[str]
    start: datetime
    end: datetime
    title: str = ""
    participants: Participants = field(default_factory=Participants)
    organisation_id: str | None = None
    recurrence: Recurrence | None = None


@dataclass(frozen=True, slots=True)
class OccurrenceView:
    start: datetime
    end: datetime
    outcome: str  # created | skipped (conflict) | refused (policy)
    conflicts: list[ConflictingClaim] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    position: int | None = None
    status: str = "active"  # active | cancelled (a stored occurrence)


@dataclass(frozen=True, slots=True)
class BookingView:
    id: str
    status: str
    resource_ids: list[str]
    start: datetime
    end: datetime
    title: str
    participants: Participants
    organisation_id: str
    organisation_name: str
    price_amount: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime
    version: int
    sequence: int
    timezone: str
    created_by: str | None = None
    decision_message: str = ""
    rrule: str | None = None
    occurrences: list[OccurrenceView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BookingPatch:
    """A change of a booking: each field given replaces the stored one."""

    start: datetime | None = None
    end: datetime | None = None
    resource_ids: list[str] | None = None
    title: str | None = None
    participants: Participants | None = None


@dataclass(frozen=True, slots=True)
class BookingResult:
    """The outcome of create_booking: the status code to answer and the booking.

    A replay of an idempotency key carries the stored `body` of the first response and
    `booking` None; the API answers `status_code` with `body` as is.
    """

    status_code: int
    booking: BookingView | None
    body: bytes | None = None
    replayed: bool = False
