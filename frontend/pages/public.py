"""Public pages: the landing page, the catalogue with its filters, a resource with its week."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Router, get
from litestar.response import Template

from booking.domain import availability
from booking.domain.errors import NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.roles import Actor
from booking.services import catalogue
from booking.services.views import Page, ResourceView, SchoolView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.forms import FormErrors, parse_date, parse_int
from frontend.monthview import build_month, first_of_month, month_window
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
        tags=_tags(sample.items, 8), resource_count=sample.total or len(sample.items),
        more_resources=False, school_count=len(schools),
        place_count=len(_places(schools)),
    )


@get("/resources", name="catalogue", include_in_schema=False)
async def catalogue_page(
    request: Request[Any, Any, Any], now: datetime,
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
    """Labs and equipment, filtered and searched (ranked when `q` is given); "free for at
    least N hours between two dates", each card saying when."""
    actor = await current_actor(request)
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
        "city": filters.place or None, "limit": PAGE_SIZE, "cursor": cursor or None,
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
    page: Page[ResourceView] = Page([])
    if not errors:
        try:
            page = await catalogue.list_resources(actor, **kwargs)
        except RuleViolation as exc:
            errors.add(exc.field_name or "free_from", exc.reasons[0].message)
    return await render(
        request, "public/catalogue.html", section="catalogue",
        filters=filters, errors=errors, resources=page.items, next_cursor=page.next_cursor,
        total=page.total or 0, suggestion=page.suggestion,
        suggestion_url=_suggestion_url(request, page.suggestion),
        **await card_photos(page.items),
        schools=schools, places=_places(schools), tags=_tags(sample.items, 30),
        next_url=_next_url(request, page.next_cursor), weeks=_first_free_weeks(page.items),
    )


def _first_free_weeks(items: list[ResourceView]) -> dict[str, date]:
    """Per resource found in a free-time search, the Monday of the week holding its first
    free window, so that its link opens the week the visitor was looking for."""
    return {r.id: monday_of(local_date(r.first_free.start, r.timezone))
            for r in items if r.first_free is not None}


def _suggestion_url(request: Request[Any, Any, Any], suggestion: str | None) -> str | None:
    """This search with `q` replaced by the suggested words ("did you mean …?")."""
    if not suggestion:
        return None
    query = [(k, v) for k, v in request.query_params.items() if k not in ("q", "cursor") and v]
    return "/resources?" + urlencode([("q", suggestion), *query])


def _next_url(request: Request[Any, Any, Any], cursor: str | None) -> str | None:
    if not cursor:
        return None
    query = [(k, v) for k, v in request.query_params.items() if k != "cursor" and v]
    return "/resources?" + urlencode([*query, ("cursor", cursor)])


FIRST_FREE_DAYS = 84
"""How far ahead the resource page looks for the first week with bookable time."""


@get("/resources/{resource_id:str}", name="resource", include_in_schema=False)
async def resource_page(
    request: Request[Any, Any, Any], now: datetime, resource_id: str, week: str | None = None,
    view: str | None = None, month: str | None = None,
) -> Template:
    """A lab or machine: what it is, rates, the policy in plain words and its free time, by
    week (`?week=`, by default the first week with bookable time) or by month
    (`?view=month&month=YYYY-MM`)."""
    actor = await current_actor(request)
    resource = await catalogue.get_resource(actor, resource_id)
    tz = resource.timezone
    rules = await catalogue.get_opening_hours(actor, resource.id)
    asked = parse_date(week, "week", {}) or (_month(month) if view == "month" else None)
    first_free = None if asked else await _first_free_day(actor, resource, now)
    today = local_date(now, tz)
    monday = monday_of(asked or first_free or today)
    context: dict[str, Any] = {}
    if view == "month":
        first = first_of_month(asked or first_free or today)
        free_view = await catalogue.availability(actor, resource.id, month_window(first, tz), now)
        context["month"] = build_month(free_view, first, rules=rules, now=now,
                                       reach=availability.reach(resource.policy, tz, now))
        monday = monday_of(max(first, today))
    else:
        week_view = await catalogue.availability(actor, resource.id, week_window(monday, tz), now)
        context["week"] = build_week(
            week_view, monday, rules=rules, now=now,
            min_minutes=resource.policy.min_duration_minutes,
            max_minutes=resource.policy.max_duration_minutes,
            reach=availability.reach(resource.policy, tz, now),
        )
    return await render(
        request, "public/resource.html", section="catalogue",
        resource=resource, opening=opening_lines(rules, monday), monday=monday,
        related=await _related(actor, resource), this_week=monday_of(today),
        this_month=first_of_month(today), view="month" if "month" in context else "week",
        **context,
        **await page_extras(actor, [resource]),
    )


def _month(text: str | None) -> date | None:
    """The 1st of the month `YYYY-MM` (or of a date's month); None when not one."""
    if not text:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        return None


async def _first_free_day(actor: Actor, resource: ResourceView, now: datetime) -> date | None:
    """The local date of the resource's first bookable free window within FIRST_FREE_DAYS."""
    days = min(FIRST_FREE_DAYS, resource.policy.max_advance_days + 1)
    view = await catalogue.availability(
        actor, resource.id, Interval(now, now + timedelta(days=days)), now)
    return local_date(view.free[0].start, resource.timezone) if view.free else None


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
