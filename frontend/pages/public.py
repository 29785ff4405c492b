"""Public pages: the landing page, the catalogue with its filters, a resource with its week."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Router, get
from litestar.response import Template

from api.clock import now_of
from booking.domain import availability
from booking.domain.errors import NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.roles import Actor
from booking.services import catalogue
from booking.services.views import ResourceView, SchoolView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.forms import FormErrors, parse_date, parse_int
from frontend.rendering import current_actor, render
from frontend.resource_extras import card_photos, page_extras
from frontend.templating import request_locale
from frontend.weekview import build_week, monday_of, opening_lines, week_window

SEARCH_ZONE = "Europe/Amsterdam"
"""Dates typed in the catalogue's free-time filter are local dates of the Netherlands."""
PAGE_SIZE = 24
TAG_SAMPLE = 200


@dataclass(frozen=True, slots=True)
class CatalogueFilters:
    q: str = ""
    kind: str = ""
    tag: str = ""
    school: str = ""
    place: str = ""
    hours: int | None = None
    free_from: date | None = None
    free_to: date | None = None

    @property
    def searches_free_time(self) -> bool:
        return self.hours is not None or self.free_from is not None or self.free_to is not None

    @property
    def active(self) -> bool:
        texts = (self.q, self.kind, self.tag, self.school, self.place)
        return any(texts) or self.searches_free_time


def _tags(resources: list[ResourceView], most: int = 10) -> list[str]:
    counts = Counter(tag for r in resources for tag in r.tags)
    return [tag for tag, _ in counts.most_common(most)]


def _places(schools: list[SchoolView]) -> list[str]:
    return sorted({site.city for s in schools for site in s.sites if site.city} | {
        s.city for s in schools if s.city
    })


@get("/", name="home", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    """What labshare offers, for whom and how, with a search box and popular skill tags."""
    actor = await current_actor(request)
    sample = await catalogue.list_resources(actor, limit=TAG_SAMPLE)
    schools = await catalogue.list_schools(actor)
    return await render(
        request, "public/home.html", section="home",
        tags=_tags(sample.items, 8), resource_count=len(sample.items),
        more_resources=sample.next_cursor is not None, school_count=len(schools),
        place_count=len(_places(schools)),
    )


@get("/resources", name="catalogue", include_in_schema=False)
async def catalogue_page(
    request: Request[Any, Any, Any],
    q: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
    school: str | None = None,
    place: str | None = None,
    hours: str | None = None,
    free_from: str | None = None,
    free_to: str | None = None,
    cursor: str | None = None,
) -> Template:
    """Labs and equipment, filtered; "free for at least N hours between two dates"."""
    actor = await current_actor(request)
    now = now_of(request)
    errors = FormErrors(request_locale(request))
    filters = CatalogueFilters(
        q=(q or "").strip()[:100], kind=kind if kind in ("lab", "equipment") else "",
        tag=(tag or "").strip().lower()[:40], school=(school or "").strip(),
        place=(place or "").strip()[:100],
        hours=parse_int(hours, "hours", errors, low=1, high=24),
        free_from=parse_date(free_from, "free_from", errors),
        free_to=parse_date(free_to, "free_to", errors),
    )
    schools = await catalogue.list_schools(actor)
    sample = await catalogue.list_resources(actor, limit=TAG_SAMPLE)
    kwargs: dict[str, Any] = {
        "kind": filters.kind or None, "tag": filters.tag or None, "q": filters.q or None,
        "school_id": filters.school if any(s.id == filters.school for s in schools) else None,
        "limit": TAG_SAMPLE if filters.place else PAGE_SIZE, "cursor": cursor or None,
    }
    if filters.searches_free_time and not errors:
        today = local_date(now, SEARCH_ZONE)
        first = filters.free_from or today
        last = filters.free_to or first + timedelta(days=13)
        if last < first:
            errors.add("free_to", "The end date lies before the start date.")
        else:
            kwargs.update(
                free_from=local_instant(SEARCH_ZONE, first, 0),
                free_to=local_instant(SEARCH_ZONE, last + timedelta(days=1), 0),
                min_free_minutes=(filters.hours or 1) * 60, now=now,
            )
    items: list[ResourceView] = []
    next_cursor = None
    weeks: dict[str, date] = {}
    if not errors:
        try:
            page = await catalogue.list_resources(actor, **kwargs)
            items, next_cursor = page.items, page.next_cursor
        except RuleViolation as exc:
            errors.add(exc.field_name or "free_from", exc.reasons[0].message)
    if filters.place:  # the catalogue service has no place filter yet: narrow this page
        items = [r for r in items if r.city.lower() == filters.place.lower()]
    if "free_from" in kwargs and not errors:
        weeks = await _first_free_weeks(
            actor, items, Interval(kwargs["free_from"], kwargs["free_to"]),
            kwargs["min_free_minutes"], now,
        )
    return await render(
        request, "public/catalogue.html", section="catalogue",
        filters=filters, errors=errors, resources=items, next_cursor=next_cursor,
        **await card_photos(items),
        schools=schools, places=_places(schools), tags=_tags(sample.items, 30),
        next_url=_next_url(request, next_cursor), weeks=weeks,
    )


async def _first_free_weeks(
    actor: Actor, items: list[ResourceView], window: Interval, minutes: int, now: datetime
) -> dict[str, date]:
    """Per found resource, the Monday of the week holding its first free window of at least
    `minutes` inside the searched `window` (else the week the search starts in), so that its
    link opens the week the visitor was looking for."""
    weeks: dict[str, date] = {}
    for resource in items:
        tz = resource.timezone
        at = window.start
        try:
            view = await catalogue.availability(actor, resource.id, window, now)
            at = next(
                (f.start for f in view.free if f.end - f.start >= timedelta(minutes=minutes)),
                at,
            )
        except (NotFound, RuleViolation):
            pass
        weeks[resource.id] = monday_of(local_date(max(at, window.start), tz))
    return weeks


def _next_url(request: Request[Any, Any, Any], cursor: str | None) -> str | None:
    if not cursor:
        return None
    query = [(k, v) for k, v in request.query_params.items() if k != "cursor" and v]
    return "/resources?" + urlencode([*query, ("cursor", cursor)])


@get("/resources/{resource_id:str}", name="resource", include_in_schema=False)
async def resource_page(
    request: Request[Any, Any, Any], resource_id: str, week: str | None = None
) -> Template:
    """A lab or machine: what it is, rates, the policy in plain words and its week of free time."""
    actor = await current_actor(request)
    now = now_of(request)
    resource = await catalogue.get_resource(actor, resource_id)
    tz = resource.timezone
    asked = parse_date(week, "week", {})
    monday = monday_of(asked or local_date(now, tz))
    window = week_window(monday, tz)
    view = await catalogue.availability(actor, resource.id, window, now)
    rules = await catalogue.get_opening_hours(actor, resource.id)
    grid = build_week(
        view, monday, rules=rules, now=now,
        min_minutes=resource.policy.min_duration_minutes,
        max_minutes=resource.policy.max_duration_minutes,
        reach=availability.reach(resource.policy, tz, now),
    )
    return await render(
        request, "public/resource.html", section="catalogue",
        resource=resource, week=grid, opening=opening_lines(rules, monday),
        related=await _related(actor, resource), this_week=monday_of(local_date(now, tz)),
        **await page_extras(actor, [resource]),
    )


async def _related(actor: Any, resource: ResourceView) -> list[ResourceView]:
    """The lab's equipment, or the lab an item of equipment stands in (those the actor sees)."""
    ids = resource.children if resource.kind == "lab" else [resource.parent_id or ""]
    found: list[ResourceView] = []
    for rid in ids:
        if not rid:
            continue
        try:
            found.append(await catalogue.get_resource(actor, rid))
        except NotFound:
            continue
    return found


ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=[home, catalogue_page, resource_page],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
