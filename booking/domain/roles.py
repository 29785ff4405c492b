"""People's roles in organisations (DESIGN §1) and the actor a request acts as."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrgKind(StrEnum):
    SCHOOL = "school"
    COMPANY = "company"
    REGION = "region"
    PLATFORM = "platform"


class Role(StrEnum):
    BOOKER = "booker"  # company booker
    FACILITY_MANAGER = "facility_manager"  # of a school
    STAFF = "staff"  # instructor / staff of a school
    COORDINATOR = "coordinator"  # of a region
    ADMIN = "admin"  # of the platform
    COMPANY_ADMIN = "company_admin"  # of a company: books, and manages its members


@dataclass(frozen=True, slots=True)
class Membership:
    organisation_id: str
    organisation_kind: OrgKind
    role: Role
    organisation_name: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking. Anonymous visitors have no user id and no memberships.

    `partner_of` lists the school ids of which any of the actor's companies is a partner;
    `region_schools` maps a coordinator's region id to the school ids in it;
    `partnerships` holds `(company_id, school_id)` pairs per company and, when given, is
    authoritative (see `is_partner`).
    """

    user_id: str | None = None
    memberships: tuple[Membership, ...] = ()
    partner_of: frozenset[str] = frozenset()
    region_schools: dict[str, frozenset[str]] = field(default_factory=dict)
    partnerships: frozenset[tuple[str, str]] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_admin(self) -> bool:
        return any(m.role is Role.ADMIN for m in self.memberships)

    def org_ids(self, role: Role) -> frozenset[str]:
        """Ids of the organisations in which the actor holds `role`."""
        return frozenset(m.organisation_id for m in self.memberships if m.role is role)

    @property
    def company_ids(self) -> frozenset[str]:
        """Companies the actor books for (bookers and company admins)."""
        return self.org_ids(Role.BOOKER) | self.org_ids(Role.COMPANY_ADMIN)

    @property
    def managed_school_ids(self) -> frozenset[str]:
        return self.org_ids(Role.FACILITY_MANAGER)

    @property
    def staff_school_ids(self) -> frozenset[str]:
        """Schools where the actor is staff or facility manager (may read their calendars)."""
        return self.org_ids(Role.STAFF) | self.org_ids(Role.FACILITY_MANAGER)

    def is_partner(self, company_id: str, school_id: str) -> bool:
        """Whether the actor's company `company_id` is a partner of `school_id`.

        Uses `partnerships`; when that is empty, falls back to `partner_of` only for an actor
        with exactly that one company, so one company never borrows another's partnership.
        """
        if self.partnerships:
            return (company_id, school_id) in self.partnerships
        return self.company_ids == {company_id} and school_id in self.partner_of

    @property
    def partner_school_ids(self) -> frozenset[str]:
        """Schools of which any of the actor's companies is a partner."""
        companies = self.company_ids
        paired = frozenset(s for c, s in self.partnerships if c in companies)
        return paired | (self.partner_of if companies else frozenset())

    @property
    def coordinated_school_ids(self) -> frozenset[str]:
        return frozenset().union(
            *(self.region_schools.get(r, frozenset()) for r in self.org_ids(Role.COORDINATOR))
        )


ANONYMOUS = Actor()
