"""Organisations, sites and partnerships: the platform admin's and the managers' use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from booking.db import organisations_store as store
from booking.db.engine import transaction
from booking.db.rows import Row
from booking.domain import organisations as rules
from booking.domain.errors import NotAllowed, NotFound
from booking.domain.roles import Actor, OrgKind, Role
from booking.services import audit, catalogue
from booking.services.views import SiteView


@dataclass(frozen=True, slots=True)
class OrganisationView:
    id: str
    kind: str
    name: str
    brin: str | None
    level: str | None
    kvk: str | None
    region_id: str | None
    city: str
    is_sme: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PartnershipView:
    id: str
    school_id: str
    school_name: str
    company_id: str
    company_name: str
    valid_from: date | None
    valid_to: date | None
    active: bool


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    kind: str
    name: str
    brin: str | None = None
    level: str | None = None
    kvk: str | None = None
    region_id: str | None = None
    city: str = ""
    is_sme: bool = False


def _view(row: Row) -> OrganisationView:
    return OrganisationView(
        id=str(row["id"]), kind=row["kind"], name=row["name"], brin=row["brin"],
        level=row["level"], kvk=row["kvk"], region_id=row["region"], city=row["city"] or "",
        is_sme=bool(row["is_sme"]), created_at=row["created_at"],
    )


async def _visible(actor: Actor, org_id: str) -> OrganisationView:
    """The organisation when the actor may know it exists; NotFound otherwise."""
    row = await store.get_organisation(org_id)
    if row is None:
        raise NotFound("no such organisation")
    org = _view(row)
    if not rules.can_see_organisation(actor, org.id, org.region_id):
        raise NotFound("no such organisation")
    return org


async def _region(region_id: str | None) -> str | None:
    if region_id is None:
        return None
    row = await store.get_organisation(region_id)
    if row is None or row["kind"] != OrgKind.REGION.value:
        raise rules.invalid("region_id", "not_a_region", "no region with this id")
    return region_id


async def _checked(data: OrganisationInput) -> dict[str, Any]:
    """The columns of a new organisation after every identifier check (RuleViolation)."""
    kind = OrgKind(data.kind)
    if kind is OrgKind.PLATFORM:
        raise rules.invalid("kind", "kind", "the platform exists once")
    name = data.name.strip()
    if not name:
        raise rules.invalid("name", "required", "a name is required")
    values: dict[str, Any] = {"kind": kind.value, "name": name, "city": data.city.strip(),
                              "is_sme": data.is_sme}
    if kind is OrgKind.SCHOOL:
        values["brin"] = rules.clean_brin(data.brin or "")
        if data.level not in rules.LEVELS:
            raise rules.invalid("level", "level", "a school is MBO or HBO")
        values["level"] = data.level
        values["region_id"] = await _region(data.region_id)
    elif kind is OrgKind.COMPANY:
        values["kvk"] = rules.clean_kvk(data.kvk or "")
    return values


async def create_organisation(
    actor: Actor, data: OrganisationInput, now: datetime
) -> OrganisationView:
    """A new school, company or region (admin only: NotAllowed otherwise)."""
    if not actor.is_admin:
        raise NotAllowed("only the platform admin creates organisations")
    values = await _checked(data)
    async with transaction(write=True):
        org_id = await store.insert_organisation(now=now, **values)
    return await get_organisation(actor, org_id)


async def get_organisation(actor: Actor, org_id: str) -> OrganisationView:
    return await _visible(actor, org_id)


async def list_organisations(actor: Actor, kind: str | None = None) -> list[OrganisationView]:
    """Admin: all; others: their own organisations and (coordinators) their region's schools."""
    if actor.is_admin:
        return [_view(r) for r in await store.list_organisations(None, kind)]
    ids = {m.organisation_id for m in actor.memberships} | actor.coordinated_school_ids
    return [_view(r) for r in await store.list_organisations(sorted(ids), kind)]


MANAGER_FIELDS = frozenset({"name", "city"})
"""What an organisation's own managers may change; identifiers and region are the admin's."""


async def update_organisation(
    actor: Actor, org_id: str, patch: dict[str, Any]
) -> OrganisationView:
    """Change name/city (admin or the organisation's managers), BRIN/level/KvK/SME/region
    (admin only: NotAllowed for anyone else)."""
    org = await _visible(actor, org_id)
    kind = OrgKind(org.kind)
    if not rules.can_manage_members(actor, org.id, kind):
        raise NotAllowed("only the organisation's managers change it")
    if not actor.is_admin and set(patch) - MANAGER_FIELDS:
        raise NotAllowed("only the platform admin changes identifiers and regions")
    merged = OrganisationInput(
        kind=org.kind, name=patch.get("name", org.name), brin=patch.get("brin", org.brin),
        level=patch.get("level", org.level), kvk=patch.get("kvk", org.kvk),
        region_id=patch.get("region_id", org.region_id), city=patch.get("city", org.city),
        is_sme=bool(patch.get("is_sme", org.is_sme)),
    )
    values = await _checked(merged) if kind is not OrgKind.PLATFORM else {"name": merged.name}
    values.pop("kind", None)
    if "region_id" in values:
        values["region"] = values.pop("region_id")
    async with transaction(write=True):
        await store.update_organisation(org.id, values)
    return await get_organisation(actor, org.id)


async def add_site(
    actor: Actor, school_id: str, *, name: str, address: str, postcode: str, city: str,
    timezone: str = "Europe/Amsterdam",
) -> SiteView:
    """A new site of a school (admin or its facility managers)."""
    org = await _visible(actor, school_id)
    if org.kind != OrgKind.SCHOOL.value:
        raise rules.invalid("id", "not_a_school", "only schools have sites")
    if not (actor.is_admin or school_id in actor.managed_school_ids):
        raise NotAllowed("only the school's facility managers add sites")
    if not name.strip():
        raise rules.invalid("name", "required", "a name is required")
    clean = {"postcode": rules.clean_postcode(postcode), "timezone": rules.clean_timezone(timezone)}
    async with transaction(write=True):
        site_id = await store.insert_site(school_id=school_id, name=name.strip(),
                                          address=address.strip(), city=city.strip(), **clean)
    return next(s for s in await list_sites(actor, school_id) if s.id == site_id)


async def update_site(
    actor: Actor, school_id: str, site_id: str, patch: dict[str, str]
) -> SiteView:
    """Change a site's name, address, postcode, city or zone (admin or the school's facility
    managers); NotFound for a site of another school."""
    sites = {s.id: s for s in await list_sites(actor, school_id)}
    if site_id not in sites:
        raise NotFound("no such site")
    if not (actor.is_admin or school_id in actor.managed_school_ids):
        raise NotAllowed("only the school's facility managers change sites")
    clean = dict(patch)
    if "name" in clean and not clean["name"].strip():
        raise rules.invalid("name", "required", "a name is required")
    if "postcode" in clean:
        clean["postcode"] = rules.clean_postcode(clean["postcode"])
    if "timezone" in clean:
        clean["timezone"] = rules.clean_timezone(clean["timezone"])
    async with transaction(write=True):
        await store.update_site(site_id, clean)
    return next(s for s in await list_sites(actor, school_id) if s.id == site_id)


async def list_sites(actor: Actor, school_id: str) -> list[SiteView]:
    """A school's sites, for those who may see the organisation (NotFound otherwise)."""
    await _visible(actor, school_id)
    return (await catalogue.get_school(actor, school_id)).sites


# partnerships ---------------------------------------------------------------------------------


def _partnership(row: Row, today: date) -> PartnershipView:
    start, end = store.as_date(row["valid_from"]), store.as_date(row["valid_to"])
    return PartnershipView(
        id=str(row["id"]), school_id=row["school"], school_name=row["school_name"],
        company_id=row["company"], company_name=row["company_name"], valid_from=start,
        valid_to=end, active=rules.is_partnership_valid(start, end, today),
    )


async def create_partnership(
    actor: Actor, *, school_id: str, company_id: str | None = None,
    company_kvk: str | None = None, valid_from: date | None = None,
    valid_to: date | None = None, now: datetime,
) -> PartnershipView:
    """Make a company a partner of a school (its facility managers, its region's coordinator,
    admin). The company is named by id or by KvK number. RuleViolation for an unknown company,
    a pair that already exists, or `valid_to` before `valid_from`."""
    school = await store.get_organisation(school_id)
    if school is None or school["kind"] != OrgKind.SCHOOL.value:
        raise rules.invalid("school_id", "not_a_school", "no school with this id")
    if not rules.can_manage_partnerships(actor, school_id, school["region"]):
        raise NotAllowed("only the school's facility managers and coordinator do this")
    rules.check_validity(valid_from, valid_to)
    if company_id is not None:
        company = await store.get_organisation(company_id)
    elif company_kvk is not None:
        company = await store.find_company_by_kvk(rules.clean_kvk(company_kvk))
    else:
        raise rules.invalid("company_id", "required", "name the company by id or KvK number")
    if company is None or company["kind"] != OrgKind.COMPANY.value:
        field = "company_id" if company_id is not None else "company_kvk"
        raise rules.invalid(field, "not_a_company", "no company with this id or KvK number")
    async with transaction(write=True):
        if await store.find_partnership(school_id, company["id"]) is not None:
            raise rules.invalid("company_id", "already_partner", "already a partner")
        pid = await store.insert_partnership(school_id=school_id, company_id=company["id"],
                                             valid_from=valid_from, valid_to=valid_to, now=now)
        await _audit_partnership(actor, "partnership.created", pid, school, company["id"],
                                 f"partnership created, {_dates(valid_from, valid_to)}", now)
    return await get_partnership(actor, pid, now)


async def _audit_partnership(
    actor: Actor, action: str, partnership_id: str, school: Row | dict[str, Any],
    company_id: str, summary: str, now: datetime,
) -> None:
    """The partnership's audit entry, shown to the school, the company and the region."""
    await audit.record(
        action=action, object_type="partnership", object_id=partnership_id, summary=summary,
        at=now, actor_id=actor.user_id,
        organisation_ids=[o for o in (school["id"], company_id, school["region"]) if o],
    )


def _dates(valid_from: date | None, valid_to: date | None) -> str:
    return f"valid {valid_from or 'from now'} to {valid_to or 'open end'}"


async def _visible_partnership(actor: Actor, partnership_id: str) -> Row:
    row = await store.get_partnership(partnership_id)
    if row is None or not rules.can_see_partnership(
        actor, row["school"], row["company"], row["region"]
    ):
        raise NotFound("no such partnership")
    return row


async def get_partnership(actor: Actor, partnership_id: str, now: datetime) -> PartnershipView:
    row = await _visible_partnership(actor, partnership_id)
    return _partnership(row, rules.partnership_day(now))


async def list_partnerships(
    actor: Actor, now: datetime, school_id: str | None = None
) -> list[PartnershipView]:
    """What the caller may see: admin all; schools' staff and managers their schools';
    coordinators their region's; companies their own."""
    if actor.is_admin:
        rows = await store.list_partnerships(school_ids=None)
    else:
        schools = actor.staff_school_ids | actor.coordinated_school_ids
        rows = await store.list_partnerships(
            school_ids=sorted(schools), company_ids=sorted(actor.company_ids)
        )
    today = rules.partnership_day(now)
    views = [_partnership(r, today) for r in rows]
    return [v for v in views if school_id is None or v.school_id == school_id]


async def update_partnership(
    actor: Actor, partnership_id: str, valid_from: date | None, valid_to: date | None,
    now: datetime,
) -> PartnershipView:
    """New validity dates; the next request prices and admits by them."""
    row = await _visible_partnership(actor, partnership_id)
    if not rules.can_manage_partnerships(actor, row["school"], row["region"]):
        raise NotAllowed("only the school's facility managers and coordinator do this")
    rules.check_validity(valid_from, valid_to)
    async with transaction(write=True):
        await store.update_partnership(partnership_id, valid_from, valid_to)
        await _audit_partnership(
            actor, "partnership.changed", partnership_id,
            {"id": row["school"], "region": row["region"]}, row["company"],
            f"partnership now {_dates(valid_from, valid_to)}", now)
    return await get_partnership(actor, partnership_id, now)


async def delete_partnership(actor: Actor, partnership_id: str, now: datetime) -> None:
    row = await _visible_partnership(actor, partnership_id)
    if not rules.can_manage_partnerships(actor, row["school"], row["region"]):
        raise NotAllowed("only the school's facility managers and coordinator do this")
    async with transaction(write=True):
        await store.delete_partnership(partnership_id)
        await _audit_partnership(
            actor, "partnership.deleted", partnership_id,
            {"id": row["school"], "region": row["region"]}, row["company"],
            "partnership ended", now)


async def platform_organisation(now: datetime) -> str:
    """The id of the platform organisation (where admins are members), created when missing."""
    async with transaction(write=True):
        found = await store.platform_id()
        if found is not None:
            return found
        return await store.insert_organisation(kind=OrgKind.PLATFORM.value, name="labshare",
                                               now=now)


async def company_by_kvk(actor: Actor, kvk: str) -> OrganisationView:
    """The company with this KvK number, for the staff of a school or the admin (to record an
    induction or a partnership); RuleViolation on `kvk` when there is none."""
    if not (actor.is_admin or actor.staff_school_ids or actor.org_ids(Role.COORDINATOR)):
        raise NotAllowed("only schools look companies up")
    row = await store.find_company_by_kvk(rules.clean_kvk(kvk))
    if row is None:
        raise rules.invalid("kvk", "not_a_company", "no company with this KvK number")
    return _view(row)
