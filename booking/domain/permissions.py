"""Who may see, book, approve, cancel and report on what (DESIGN §1); pure predicates."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from booking.domain.resources import BookableBy, CustomerClass, Resource, Visibility
from booking.domain.roles import Actor


def can_see_resource(actor: Actor, resource: Resource) -> bool:
    """Public: anyone, anonymous too; partners: the school's partner companies, its staff and
    admins; internal: the school's staff (facility managers included) and admins."""
    if resource.visibility is Visibility.PUBLIC or actor.is_admin:
        return True
    if resource.school_id in actor.staff_school_ids:
        return True
    return (
        resource.visibility is Visibility.PARTNERS
        and resource.school_id in actor.partner_school_ids
    )


def can_book(actor: Actor, resource: Resource, company_id: str) -> bool:
    """Whether the actor may book `resource` for `company_id`.

    The actor must be a booker of that company and see the resource; `bookable_by` all: any
    company; partners: only if that company is a partner of the resource's school; internal: no
    company at all.
    """
    if company_id not in actor.company_ids or not can_see_resource(actor, resource):
        return False
    return bookable_by_allows(
        resource.policy.bookable_by, is_partner=actor.is_partner(company_id, resource.school_id)
    )


def bookable_by_allows(bookable_by: BookableBy | str, *, is_partner: bool) -> bool:
    """`bookable_by` all: any company; partners: a partner of the resource's school;
    internal: no company at all."""
    match BookableBy(bookable_by):
        case BookableBy.ALL:
            return True
        case BookableBy.PARTNERS:
            return is_partner
        case _:
            return False


def can_book_any(actor: Actor, resource: Resource) -> bool:
    """Whether free time of `resource` is time the actor could book: a company member's, when
    one of its companies may book it (`can_book`); anyone else (a visitor, school staff) is
    shown the free time as a company would see it."""
    if not actor.company_ids:
        return True
    return any(can_book(actor, resource, company) for company in actor.company_ids)


def can_see_closure_details(actor: Actor, school_id: str) -> bool:
    """Whether the actor reads a closure's own reason (course names of the timetable, …) rather
    than its public label: the school's staff and admins."""
    return actor.is_admin or school_id in actor.staff_school_ids


def can_manage_school(actor: Actor, school_id: str) -> bool:
    """Facility manager of the school, or admin."""
    return actor.is_admin or school_id in actor.managed_school_ids


def can_approve(actor: Actor, school_ids: Iterable[str]) -> bool:
    """Facility manager of every school involved (at least one), or admin."""
    schools = frozenset(school_ids)
    return actor.is_admin or (bool(schools) and schools <= actor.managed_school_ids)


@dataclass(frozen=True, slots=True)
class BookingAudience:
    """Whose bookings an actor may see in full: all (admins), those of `company_ids` (its
    companies), and those holding a resource of `school_ids` (staff and facility managers).
    The list query is built from these fields (`booking_store.list_bookings`)."""

    everything: bool
    company_ids: frozenset[str]
    school_ids: frozenset[str]

    def includes(self, booking_org_id: str, resource_school_ids: Iterable[str]) -> bool:
        return (self.everything or booking_org_id in self.company_ids
                or not self.school_ids.isdisjoint(resource_school_ids))


def booking_audience(actor: Actor) -> BookingAudience:
    """The bookings `actor` may see in full (title, company, participants); coordinators see
    only aggregates, anonymous visitors nothing."""
    return BookingAudience(actor.is_admin, actor.company_ids, actor.staff_school_ids)


def can_view_booking_details(
    actor: Actor, booking_org_id: str, resource_school_ids: Iterable[str]
) -> bool:
    """Title, company and participants: the booking company's bookers, staff or managers of a
    school involved, admins (`booking_audience`). Coordinators see only aggregates."""
    return booking_audience(actor).includes(booking_org_id, resource_school_ids)


def can_cancel(actor: Actor, booking_org_id: str, resource_school_ids: Iterable[str]) -> bool:
    """Who may cancel: a booker of the booking's company, a facility manager of a school
    involved, or admin. When: `is_cancellable`."""
    if actor.is_admin or booking_org_id in actor.company_ids:
        return True
    return not actor.managed_school_ids.isdisjoint(resource_school_ids)


def is_cancellable(status: str, end: datetime, now: datetime) -> bool:
    """Pending or confirmed and not yet over (`end` after `now`): a booking that has ended
    took place and stays in the reports; one under way may still be cancelled."""
    return status in ("pending", "confirmed") and end > now


def can_see_school_schedule(actor: Actor, school_id: str) -> bool:
    """The school's board, queue and resource overview: its staff and facility managers, and
    admins."""
    return actor.is_admin or school_id in actor.staff_school_ids


def report_school_ids(actor: Actor) -> frozenset[str]:
    """Schools whose full reports the actor sees besides an admin's all: staff and managers
    their school, coordinators every school of their region."""
    return actor.staff_school_ids | actor.coordinated_school_ids


def can_see_reports(actor: Actor, school_id: str) -> bool:
    """A school's reports: its staff and managers, coordinators of its region, admins.

    Companies see reports of their own use only, which is not this.
    """
    return actor.is_admin or school_id in report_school_ids(actor)


def customer_class_for(
    company_id: str,
    school_id: str,
    partnerships: Collection[tuple[str, str]],
    is_sme: bool,
) -> CustomerClass:
    """The rate class of a company at a school: partner beats SME, else standard.

    `partnerships` holds `(company_id, school_id)` pairs.
    """
    if (company_id, school_id) in partnerships:
        return CustomerClass.PARTNER
    return CustomerClass.SME if is_sme else CustomerClass.STANDARD


WEBHOOK_COMPANY_ROLES = frozenset({"booker", "company_admin"})


def webhook_organisations(actor: Actor) -> frozenset[str]:
    """Organisations whose booking webhooks the actor may manage: schools they manage, and
    companies where they book or administer (API.md "Webhooks")."""
    companies = frozenset(
        m.organisation_id for m in actor.memberships if str(m.role) in WEBHOOK_COMPANY_ROLES
    )
    return actor.managed_school_ids | companies


def can_manage_webhooks(actor: Actor, organisation_id: str) -> bool:
    return actor.is_admin or organisation_id in webhook_organisations(actor)
