"""Catalogue use cases: schools, resources, opening hours, closures, availability, checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from booking.db import calendar_store
from booking.db import catalogue_store as store
from booking.db.actor_store import company_info
from booking.db.catalogue_store import (
    ResourceFilter,
    ResourceRecord,
    SchoolRow,
    SiteRow,
    VisibleTo,
)
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.alternatives import nearest_fits
from booking.domain.audit import local_span
from booking.domain.availability import (
    ResourceCalendar,
    busy,
    check_request,
    free_spans,
)
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule
from booking.domain.resources import (
    BookableBy,
    CustomerClass,
    Policy,
    Rate,
    Resource,
    ResourceKind,
    Visibility,
)
from booking.domain.roles import Actor
from booking.domain.search import parse_query
from booking.services import audit, search
from booking.services.calendars import (
    SearchInputs,
    checked_window,
    load_one,
    valid_id,
    week_of,
)
from booking.services.views import (
    AvailabilityView,
    BusyView,
    ClosureView,
    FreeView,
    Page,
    ResourceInput,
    ResourceView,
    SchoolView,
    SiteView,
)


def _site_view(s: SiteRow) -> SiteView:
    return SiteView(s.id, s.school_id, s.name, s.address, s.postcode, s.city, s.latitude,
                    s.longitude, s.timezone)


def _school_view(s: SchoolRow, sites: list[SiteRow]) -> SchoolView:
    return SchoolView(s.id, s.name, s.brin, s.level, s.city, s.region_id,
                      [_site_view(x) for x in sites])


def visible_children(actor: Actor, rec: ResourceRecord) -> list[str]:
    """The ids of the lab's equipment that `actor` may see (equipment shares the lab's school;
    an internal machine in a public lab is not named to visitors, who would get a 404 for it)."""
    r = rec.resource
    return [
        child for child, visibility in zip(rec.children, rec.children_visibility, strict=True)
        if permissions.can_see_resource(actor, dataclasses.replace(
            r, visibility=Visibility(visibility)))
    ]


def resource_view(rec: ResourceRecord, actor: Actor) -> ResourceView:
    """The resource as `actor` sees it: `children` lists only the equipment it may see."""
    r = rec.resource
    return ResourceView(
        id=r.id, school_id=r.school_id, site_id=r.site_id, kind=str(r.kind), name=r.name,
        description=rec.description, tags=list(r.tags), capacity=r.capacity,
        timezone=r.timezone, parent_id=r.parent_id, children=visible_children(actor, rec),
        visibility=str(r.visibility), rates=list(r.rates), policy=r.policy,
        school_name=rec.school_name, site_name=rec.site_name, city=rec.city,
    )


def visible_to(actor: Actor) -> VisibleTo:
    return VisibleTo(actor.is_admin, actor.staff_school_ids, actor.partner_school_ids)


async def _visible_calendar(
    actor: Actor, resource_id: str, window: Interval
) -> tuple[ResourceRecord, ResourceCalendar, SearchInputs]:
    """The resource and its calendar over `window` in one batch; NotFound unless visible."""
    found = await load_one(valid_id(resource_id), window)
    if found is None or not permissions.can_see_resource(actor, found[0].resource):
        raise NotFound("no such resource")
    return found


async def visible_resource(actor: Actor, resource_id: str) -> ResourceRecord:
    """The resource if the actor may see it; NotFound otherwise."""
    rec = await store.get_resource(valid_id(resource_id))
    if rec is None or not permissions.can_see_resource(actor, rec.resource):
        raise NotFound("no such resource")
    return rec


async def managed_resource(actor: Actor, resource_id: str) -> ResourceRecord:
    """The resource if the actor manages its school; NotFound/NotAllowed otherwise."""
    rec = await visible_resource(actor, resource_id)
    if not permissions.can_manage_school(actor, rec.resource.school_id):
        raise NotAllowed("only the school's facility managers may change this resource")
    return rec


async def list_schools(actor: Actor) -> list[SchoolView]:
    schools = await store.list_schools()
    sites = await store.sites_of([s.id for s in schools])
    return [_school_view(s, sites.get(s.id, [])) for s in schools]


async def get_school(actor: Actor, school_id: str) -> SchoolView:
    school = await store.get_school(valid_id(school_id))
    if school is None:
        raise NotFound("no such school")
    return _school_view(school, (await store.sites_of([school.id])).get(school.id, []))


async def list_resources(
    actor: Actor,
    *,
    kind: str | None = None,
    tag: str | None = None,
    school_id: str | None = None,
    q: str | None = None,
    city: str | None = None,
    free_from: datetime | None = None,
    free_to: datetime | None = None,
    min_free_minutes: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
    now: datetime | None = None,
) -> Page[ResourceView]:
    """Visible resources, by name; with `q` (every word a prefix of an indexed word or Dutch
    stem of name, description, tags, school or city: `booking.domain.search`) by relevance.
    With `free_from`/`free_to` only those having a free window of at least
    `min_free_minutes` (default: any) in that range that the actor could book, each with its
    `first_free`. `city` is the site's city (whole, any case). The page carries the `total`
    over all pages and, when `q` finds nothing, a `suggestion`."""
    if school_id is not None:
        school_id = valid_id(school_id)
    f = ResourceFilter(visible_to(actor), kind=kind, tag=tag, school_id=school_id,
                       terms=parse_query(q), city=city or None)
    free = search.free_wanted(free_from, free_to, min_free_minutes, now)
    return await search.find(actor, f, q, free, limit, cursor,
                             lambda rec: resource_view(rec, actor))


async def get_resource(actor: Actor, resource_id: str) -> ResourceView:
    return resource_view(await visible_resource(actor, resource_id), actor)


def _rates(value: Any) -> tuple[Rate, ...]:
    rates = []
    for item in value:
        if isinstance(item, Rate):
            rates.append(item)
        else:
            rates.append(Rate(CustomerClass(item["customer_class"]),
                              Decimal(str(item["hourly"])), item.get("currency", "EUR")))
    return tuple(rates)


def _policy(base: Policy, value: Any) -> Policy:
    if isinstance(value, Policy):
        return value
    changes = dict(value)
    if "bookable_by" in changes:
        changes["bookable_by"] = BookableBy(changes["bookable_by"])
    return dataclasses.replace(base, **changes)


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation([Reason("invalid", message)], field_name=field)


async def _validate(resource: Resource) -> None:
    """Site of the same school; parent a lab of the same site; sane policy."""
    site = await store.get_site(resource.site_id)
    if site is None or site.school_id != resource.school_id:
        raise _invalid("site_id", "the site must belong to the resource's school")
    if resource.parent_id is not None:
        parent = await store.get_resource(resource.parent_id)
        if (parent is None or parent.resource.kind is not ResourceKind.LAB
                or parent.resource.site_id != resource.site_id
                or resource.kind is not ResourceKind.EQUIPMENT
                or parent.resource.id == resource.id):
            raise _invalid("parent_id", "equipment may only sit in a lab of the same site")
    if not resource.name.strip():
        raise _invalid("name", "a name is required")
    check_policy(resource.policy)


SLOT_SIZES = frozenset({5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480})
"""Slot sizes that divide a day into whole slots (free windows and bookings start and end on
slot boundaries counted from local midnight)."""


def check_policy(p: Policy) -> Policy:
    """`p` when sane, else RuleViolation naming the field (`policy.slot_minutes`, …): a slot
    size from SLOT_SIZES, minimum and maximum duration whole slots with minimum <= maximum,
    nothing negative. The API and the manage pages get the same rules from here."""
    if p.slot_minutes not in SLOT_SIZES:
        sizes = ", ".join(str(x) for x in sorted(SLOT_SIZES))
        raise _invalid("policy.slot_minutes", f"the slot size must be one of {sizes} minutes")
    for name in ("min_duration_minutes", "max_duration_minutes"):
        if getattr(p, name) % p.slot_minutes:
            raise _invalid(f"policy.{name}",
                           f"must be a whole number of slots ({p.slot_minutes} minutes each)")
    if p.min_duration_minutes > p.max_duration_minutes:
        raise _invalid("policy.min_duration_minutes",
                       "the minimum duration may not exceed the maximum")
    if min(p.min_notice_minutes, p.max_advance_days, p.buffer_before_minutes,
           p.buffer_after_minutes, p.min_duration_minutes) < 0 or (
               p.quota_hours_per_week is not None and p.quota_hours_per_week < 0):
        raise _invalid("policy", "inconsistent booking policy")
    return p


async def create_resource(actor: Actor, data: ResourceInput, *, now: datetime | None = None
                          ) -> ResourceView:
    """A new lab or equipment; only facility managers of `data.school_id`."""
    school_id, site_id = valid_id(data.school_id), valid_id(data.site_id)
    if not permissions.can_manage_school(actor, school_id):
        raise NotAllowed("only the school's facility managers may add resources")
    try:
        resource = Resource(
            id="", school_id=school_id, site_id=site_id, kind=ResourceKind(data.kind),
            name=data.name.strip(), parent_id=data.parent_id and valid_id(data.parent_id),
            capacity=data.capacity, tags=tuple(sorted({t.lower() for t in data.tags})),
            visibility=Visibility(data.visibility), policy=data.policy,
            rates=_rates(data.rates),
        )
    except (ValueError, KeyError) as exc:
        raise _invalid("kind", str(exc)) from None
    async with transaction():
        await _validate(resource)
        new_id = await store.insert_resource(resource, data.description, now or _now())
    return await get_resource(actor, new_id)


_PATCHABLE = {"name", "description", "tags", "capacity", "parent_id", "site_id", "visibility",
              "rates", "policy", "school_id", "kind"}


async def update_resource(actor: Actor, resource_id: str, patch: Mapping[str, Any], *,
                          now: datetime | None = None) -> ResourceView:
    """Change fields of a resource; the school and kind cannot change (RuleViolation)."""
    unknown = set(patch) - _PATCHABLE
    if unknown:
        raise _invalid(sorted(unknown)[0], "unknown field")
    async with transaction():
        rec = await managed_resource(actor, resource_id)
        r = rec.resource
        if "school_id" in patch and patch["school_id"] != r.school_id:
            raise _invalid("school_id", "a resource cannot move to another school")
        if "kind" in patch and patch["kind"] != str(r.kind):
            raise _invalid("kind", "the kind of a resource cannot change")
        try:
            updated = dataclasses.replace(
                r,
                name=str(patch.get("name", r.name)).strip(),
                site_id=valid_id(patch["site_id"]) if "site_id" in patch else r.site_id,
                parent_id=(valid_id(patch["parent_id"]) if patch.get("parent_id") else None)
                if "parent_id" in patch else r.parent_id,
                capacity=int(patch.get("capacity", r.capacity)),
                tags=tuple(sorted({t.lower() for t in patch.get("tags", r.tags)})),
                visibility=Visibility(patch.get("visibility", r.visibility)),
                rates=_rates(patch["rates"]) if "rates" in patch else r.rates,
                policy=_policy(r.policy, patch["policy"]) if "policy" in patch else r.policy,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise _invalid("policy", str(exc)) from None
        await _validate(updated)
        await store.update_resource(
            updated, str(patch.get("description", rec.description)), now or _now()
        )
        await audit.record(
            action="resource.updated", object_type="resource", object_id=r.id,
            summary=f"{updated.name}: changed {', '.join(sorted(patch))}", at=now or _now(),
            actor_id=actor.user_id, organisation_ids=(r.school_id,),
        )
    return await get_resource(actor, r.id)


async def set_opening_hours(
    actor: Actor, resource_id: str, rules: list[OpeningRule]
) -> list[OpeningRule]:
    """Replace the weekly opening rules (local time of the site); bumps the resource's
    version (`updated_at`), which keys anything derived from the rules."""
    async with transaction():
        rec = await managed_resource(actor, resource_id)
        await store.bump_version(rec.resource.id, _now())
        await calendar_store.replace_opening_rules(rec.resource.id, rules)
        await audit.record(
            action="opening_hours.changed", object_type="resource", object_id=rec.resource.id,
            summary=f"{rec.resource.name}: {len(rules)} weekly opening rule(s)", at=_now(),
            actor_id=actor.user_id, organisation_ids=(rec.resource.school_id,),
        )
    return await get_opening_hours(actor, resource_id)


async def get_opening_hours(actor: Actor, resource_id: str) -> list[OpeningRule]:
    rec = await visible_resource(actor, resource_id)
    return (await calendar_store.opening_rules([rec.resource.id])).get(rec.resource.id, [])


async def add_closure(
    actor: Actor, resource_id: str, interval: Interval, reason: str, *,
    on_conflict: str | None = None, now: datetime | None = None,
) -> ClosureView:
    """Close one resource for `interval`: `closures.add_closure` (which also settles the
    active bookings it meets; imported here late, as it builds on this module)."""
    from booking.services import closures

    return await closures.add_closure(actor, resource_id, interval, reason,
                                      on_conflict=on_conflict, now=now)


async def add_site_closure(
    actor: Actor, site_id: str, interval: Interval, reason: str, *,
    on_conflict: str | None = None, now: datetime | None = None,
) -> ClosureView:
    """Close every resource of a site for `interval`: `closures.add_site_closure`."""
    from booking.services import closures

    return await closures.add_site_closure(actor, site_id, interval, reason,
                                           on_conflict=on_conflict, now=now)


async def managed_closure(actor: Actor, closure_id: str) -> calendar_store.ClosureRecord:
    """The closure if the actor manages its school (of its resource or site); NotFound
    otherwise (a closure of another school is not known to exist)."""
    c = await calendar_store.get_closure(valid_id(closure_id))
    if c is None:
        raise NotFound("no such closure")
    if c.resource_id is not None:  # not managed_resource: its 403 would reveal the closure
        rec = await store.get_resource(c.resource_id)
        if rec is None:
            raise NotFound("no such closure")
        school = rec.resource.school_id
    else:
        site = await store.get_site(c.site_id or "")
        if site is None:
            raise NotFound("no such closure")
        school = site.school_id
    if not permissions.can_manage_school(actor, school):
        raise NotFound("no such closure")
    return c


async def delete_closure(actor: Actor, closure_id: str) -> None:
    """Deletes a closure of a school the actor manages; NotFound for everyone else, exactly as
    for an id that does not exist (only managers ever see closure ids)."""
    async with transaction():
        c = await managed_closure(actor, closure_id)
        await calendar_store.delete_closure(c.id)
        await audit_closure("closure.deleted", actor, c)


async def audit_closure(action: str, actor: Actor, c: calendar_store.ClosureRecord) -> None:
    """The audit entry of a closure added or removed (call in the same transaction), naming
    the resource or site and the local span."""
    if c.resource_id is not None:
        rec = await store.get_resource(c.resource_id)
        assert rec is not None
        where, school_id, timezone = (rec.resource.name, rec.resource.school_id,
                                      rec.resource.timezone)
    else:
        site = await store.get_site(c.site_id or "")
        assert site is not None
        where, school_id, timezone = site.name, site.school_id, site.timezone
    span = local_span(c.interval.start, c.interval.end, timezone)
    await audit.record(
        action=action, object_type="closure", object_id=c.id,
        summary=" ".join(p for p in (where, span, c.reason and f"({c.reason})") if p),
        at=_now(), actor_id=actor.user_id, organisation_ids=(school_id,),
    )


async def availability(
    actor: Actor, resource_id: str, window: Interval, now: datetime
) -> AvailabilityView:
    """Free bookable windows and busy time (never who) of a visible resource."""
    checked_window(window)
    rec, cal, e = await _visible_calendar(actor, resource_id, window)
    return AvailabilityView(
        resource_id=rec.resource.id,
        timezone=rec.resource.timezone,
        free=[FreeView(w.start, w.end)
              for w in free_spans(e.resource, e.open, e.closed, e.claims, window, now)],
        busy=[BusyView(b.interval.start, b.interval.end, b.kind, b.reason)
              for b in busy(cal, window, details=permissions.can_see_closure_details(
                  actor, rec.resource.school_id))],
    )


NEAREST_DAYS = 14
"""How far before and after a refused request `nearest_free` looks."""


async def nearest_free(
    actor: Actor, resource_id: str, wanted: Interval, now: datetime, count: int = 3
) -> list[Interval]:
    """Up to `count` free times nearest to `wanted` (within NEAREST_DAYS either side) where a
    booking of its length fits — the length brought within the policy's minimum and maximum
    — computed from the same free windows as `availability`; empty when the actor could not
    book the resource at all."""
    checked_window(wanted, "start")
    span = timedelta(days=NEAREST_DAYS)
    window = Interval(max(wanted.start - span, now), wanted.end + span)
    if window.is_empty:
        return []
    rec, _, e = await _visible_calendar(actor, resource_id, checked_window(window))
    r = rec.resource
    if not permissions.can_book_any(actor, r):
        return []
    p = r.policy
    minutes = int(wanted.duration.total_seconds() // 60)
    minutes = max(p.min_duration_minutes, min(p.max_duration_minutes, minutes))
    minutes = -(-minutes // p.slot_minutes) * p.slot_minutes
    free = free_spans(e.resource, e.open, e.closed, e.claims, window, now)
    return nearest_fits(free, Interval(wanted.start, wanted.start + timedelta(minutes=minutes)),
                        r.timezone, p.slot_minutes, count)


def single_company(actor: Actor, company_id: str | None) -> str | None:
    """The company the actor acts for: the given one (must be theirs) or their only one."""
    if company_id is not None:
        company_id = valid_id(company_id)
        if company_id not in actor.company_ids:
            raise RuleViolation([Reason("not_allowed", "you do not book for this organisation")],
                                field_name="organisation_id")
        return company_id
    companies = sorted(actor.company_ids)
    if len(companies) > 1:
        raise RuleViolation(
            [Reason("organisation_required", "say for which of your companies you book")],
            field_name="organisation_id",
        )
    return companies[0] if companies else None


async def check(
    actor: Actor, resource_id: str, interval: Interval, now: datetime,
    company_id: str | None = None,
) -> list[Reason]:
    """Why `interval` cannot be booked on the resource by the caller (empty: bookable)."""
    checked_window(interval, "start")
    rec, cal, _ = await _visible_calendar(actor, resource_id, interval)
    company = single_company(actor, company_id)
    quota = 0
    if company is not None and rec.resource.policy.quota_hours_per_week is not None:
        week = week_of(interval.start, rec.resource.timezone)
        quota = await calendar_store.quota_used_minutes(company, rec.resource.id, week)
    may_book = company is not None and permissions.can_book(actor, rec.resource, company)
    if company is not None and await company_info(company) is None:
        may_book = False
    inducted = True
    if rec.resource.policy.induction_required:  # on the resource or on its lab
        inducted = company is not None and bool(
            await store.fetch_rows(store.inducted_stmt(company, [rec.resource.id]))
        )
    return check_request(cal, interval, now, may_book=may_book, has_induction=inducted,
                         quota_used_minutes=quota)


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
