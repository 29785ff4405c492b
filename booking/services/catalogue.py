"""Catalogue use cases: schools, resources, opening hours, closures, availability, checks."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from booking.db import calendar_store, inductions_store, schools_store
from booking.db import catalogue_store as store
from booking.db.actor_store import company_info
from booking.db.catalogue_store import ResourceRecord, VisibleTo
from booking.db.schools_store import SchoolRow, SiteRow
from booking.domain import permissions
from booking.domain.availability import (
    ResourceCalendar,
    busy,
    check_request,
    free_spans,
    has_free_span,
)
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule
from booking.domain.resources import (
    Visibility,
)
from booking.domain.roles import Actor
from booking.services.calendars import (
    SearchInputs,
    checked_window,
    decode_cursor,
    encode_cursor,
    load_one,
    load_search_inputs,
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

SEARCH_CHUNK = 250


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
    """Visible resources by (name, id); with `free_from`/`free_to` only those having a free
    bookable window of at least `min_free_minutes` (default: any) in that range. `q` is a
    literal substring of name or description; `city` the site's city (whole, any case)."""
    after = tuple(decode_cursor(cursor, 2)) if cursor else None
    if school_id is not None:
        school_id = valid_id(school_id)
    search = free_from is not None or free_to is not None or min_free_minutes is not None
    filters: dict[str, Any] = {
        "visible": visible_to(actor), "kind": kind, "tag": tag, "school_id": school_id, "q": q,
        "city": city or None,
    }
    if not search:
        rows = await store.list_resources(**filters, after=after, limit=limit + 1)
        return _page(actor, [r for r in rows if permissions.can_see_resource(actor, r.resource)],
                     rows, limit)
    if free_from is None or free_to is None or now is None:
        raise RuleViolation(
            [Reason("invalid_window", "free_from and free_to are both required")],
            field_name="free_from",
        )
    window = checked_window(Interval(free_from, free_to), "free_from")
    need = timedelta(minutes=max(min_free_minutes or 0, 0))
    found: list[ResourceRecord] = []
    size = limit + 1  # when most resources match, the first chunk is the page
    while len(found) <= limit:
        chunk = await store.list_resources(**filters, after=after, limit=size)
        if not chunk:
            break
        inputs = await load_search_inputs(chunk, window)
        for rec in chunk:
            got = inputs[rec.resource.id]
            if permissions.can_see_resource(actor, rec.resource) and has_free_span(
                got.resource, got.open, got.closed, got.claims, window, now, need
            ):
                found.append(rec)
        last = chunk[-1].resource
        after = (last.name, last.id)
        if len(chunk) < size:
            break
        size = max(SEARCH_CHUNK, limit + 1 - len(found))
    return _page(actor, found, found, limit)


def _page(
    actor: Actor, items: list[ResourceRecord], scanned: list[ResourceRecord], limit: int
) -> Page[ResourceView]:
    if len(scanned) <= limit:
        return Page([resource_view(r, actor) for r in items[:limit]], None)
    last = scanned[limit - 1].resource
    keep = [r for r in items if (r.resource.name, r.resource.id) <= (last.name, last.id)]
    return Page([resource_view(r, actor) for r in keep], encode_cursor(last.name, last.id))


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
              for b in busy(cal, window)],
    )


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
