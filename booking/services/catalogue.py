"""Catalogue use cases: schools, resources, opening hours, closures, availability, checks."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from booking.db import calendar_store, inductions_store, schools_store
from booking.db import catalogue_store as store
from booking.db.actor_store import company_info
from booking.db.catalogue_store import ResourceFilter, ResourceRecord, VisibleTo
from booking.db.schools_store import SchoolRow, SiteRow
from booking.domain import permissions
from booking.domain.alternatives import nearest_fits
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
    Visibility,
)
from booking.domain.roles import Actor
from booking.domain.search import parse_query
from booking.services import search
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
    FreeView,
    Page,
    ResourceView,
    SchoolView,
)


def _school_view(s: SchoolRow, sites: list[SiteRow]) -> SchoolView:
    return SchoolView(s.id, s.name, s.brin, s.level, s.city, s.region_id,
                      list(sites))


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
    schools = await schools_store.list_schools()
    sites = await schools_store.sites_of([s.id for s in schools])
    return [_school_view(s, sites.get(s.id, [])) for s in schools]


async def get_school(actor: Actor, school_id: str) -> SchoolView:
    school = await schools_store.get_school(valid_id(school_id))
    if school is None:
        raise NotFound("no such school")
    return _school_view(school, (await schools_store.sites_of([school.id])).get(school.id, []))


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


async def get_opening_hours(actor: Actor, resource_id: str) -> list[OpeningRule]:
    rec = await visible_resource(actor, resource_id)
    return (await calendar_store.opening_rules([rec.resource.id])).get(rec.resource.id, [])


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
            await inductions_store.is_inducted(company, rec.resource.id)
        )
    return check_request(cal, interval, now, may_book=may_book, has_induction=inducted,
                         quota_used_minutes=quota)
