"""Organisations and their people (DESIGN §1): identifiers, roles per kind, who manages whom."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import brin as stdnum_brin
from stdnum.nl import postcode as stdnum_postcode

from booking.domain.errors import Reason, RuleViolation
from booking.domain.roles import Actor, OrgKind, Role

PARTNERSHIP_ZONE = "Europe/Amsterdam"
"""Partnership validity dates are dates in the Netherlands."""

ROLES_BY_KIND: dict[OrgKind, tuple[Role, ...]] = {
    OrgKind.SCHOOL: (Role.FACILITY_MANAGER, Role.STAFF),
    OrgKind.COMPANY: (Role.COMPANY_ADMIN, Role.BOOKER),
    OrgKind.REGION: (Role.COORDINATOR,),
    OrgKind.PLATFORM: (Role.ADMIN,),
}
"""The roles a member of each kind of organisation can hold; the first is its manager role."""

MANAGER_ROLE: dict[OrgKind, Role] = {kind: roles[0] for kind, roles in ROLES_BY_KIND.items()}
"""Who manages the members of an organisation of each kind."""

LEVELS = ("MBO", "HBO")
_KVK = re.compile(r"^[0-9]{8}$")


def invalid(field: str, code: str, message: str) -> RuleViolation:
    """A 422 naming `field`."""
    return RuleViolation([Reason(code, message)], field)


def partnership_day(now: datetime) -> date:
    """The date on which partnerships are judged at the aware instant `now`."""
    return now.astimezone(ZoneInfo(PARTNERSHIP_ZONE)).date()


def is_partnership_valid(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether a partnership with these inclusive bounds (None: open) holds on `day`; the SQL
    twin is `booking.db.actor_store.active_partnership`."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def check_validity(valid_from: date | None, valid_to: date | None) -> None:
    """RuleViolation on `valid_to` when it lies before `valid_from`."""
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise invalid("valid_to", "invalid_period", "must not lie before valid_from")


def kvk_is_valid(number: str) -> bool:
    """8 digits whose weighted sum (weights 8 … 1) is divisible by 11 (the KvK check digit).

    python-stdnum (2.2) has no `stdnum.nl.kvk`; this is the 11-test that KvK numbers issued with
    a check digit pass (see docs/onboarding.md)."""
    if not _KVK.match(number):
        return False
    return sum(int(d) * w for d, w in zip(number, range(8, 0, -1), strict=True)) % 11 == 0


def clean_kvk(number: str) -> str:
    """The KvK number without spaces and dots; RuleViolation on `kvk` when it fails."""
    cleaned = re.sub(r"[\s.]", "", number or "")
    if not _KVK.match(cleaned):
        raise invalid("kvk", "kvk_format", "a KvK number has 8 digits")
    if not kvk_is_valid(cleaned):
        raise invalid("kvk", "kvk_check", "this KvK number fails its check digit")
    return cleaned


def clean_brin(code: str) -> str:
    """A school's BRIN code (2 digits + 2 letters, upper case); RuleViolation on `brin`."""
    try:
        cleaned = str(stdnum_brin.validate(code or ""))
    except StdnumError:
        cleaned = ""
    if len(cleaned) != 4:
        raise invalid("brin", "brin_format", "a BRIN code is 2 digits and 2 letters, e.g. 25LX")
    return cleaned


def clean_postcode(code: str) -> str:
    """A Dutch postcode as `1234 AB`; "" stays ""; RuleViolation on `postcode`."""
    if not (code or "").strip():
        return ""
    try:
        cleaned = str(stdnum_postcode.validate(code)).replace(" ", "")
    except StdnumError:
        raise invalid("postcode", "postcode_format",
                      "a postcode is 4 digits and 2 letters, e.g. 5611 AB") from None
    return f"{cleaned[:4]} {cleaned[4:]}"


def clean_timezone(name: str) -> str:
    """An IANA time zone name; RuleViolation on `timezone`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", "timezone", "not an IANA time zone") from None
    return name


def check_role(kind: OrgKind, role: str) -> Role:
    """The role, when an organisation of `kind` can hold it; RuleViolation on `role`."""
    allowed = ROLES_BY_KIND.get(kind, ())
    for candidate in allowed:
        if candidate.value == role:
            return candidate
    raise invalid("role", "role_kind", "this kind of organisation has no such role")


def is_member(actor: Actor, organisation_id: str) -> bool:
    return any(m.organisation_id == organisation_id for m in actor.memberships)


def can_see_organisation(actor: Actor, organisation_id: str, region_id: str | None) -> bool:
    """Its members, the coordinators of its region (for schools) and admins."""
    if actor.is_admin or is_member(actor, organisation_id):
        return True
    return region_id is not None and region_id in actor.org_ids(Role.COORDINATOR)


def can_manage_members(actor: Actor, organisation_id: str, kind: OrgKind) -> bool:
    """The admin and the organisation's own managers (facility managers of a school, company
    admins of a company, coordinators of a region) invite, change roles and remove members."""
    if actor.is_admin:
        return True
    return organisation_id in actor.org_ids(MANAGER_ROLE[kind])


def can_manage_partnerships(actor: Actor, school_id: str, region_id: str | None) -> bool:
    """The school's facility managers, the coordinators of its region and admins."""
    if actor.is_admin or school_id in actor.managed_school_ids:
        return True
    return region_id is not None and region_id in actor.org_ids(Role.COORDINATOR)


def can_see_partnership(
    actor: Actor, school_id: str, company_id: str, region_id: str | None
) -> bool:
    """Who may manage it, the school's staff and the company's members."""
    return (
        can_manage_partnerships(actor, school_id, region_id)
        or school_id in actor.staff_school_ids
        or is_member(actor, company_id)
    )
