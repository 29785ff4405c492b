"""Facility manager pages: the school at a glance, the approval queue and the schedule board.

Thin controllers: each reads the request, calls one or two services and renders; every rule
(who may approve, what a board shows, how local time maps to instants) lives in the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, Router, get, post

from api.clock import now_of
from booking.domain.errors import NotAllowed, RuleViolation, StaleVersion
from booking.domain.localtime import local_date
from booking.domain.roles import Actor
from booking.i18n import translations
from booking.services import board as board_service
from booking.services import bookings, catalogue
from booking.services.views import BookingView, ResourceView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.pages.manage_board import TrackTexts, track_renderer
from frontend.pages.manage_common import choose_school, require_staff
from frontend.rendering import redirect, render
from frontend.templating import request_locale

QUEUE_LIMIT = 200
CLOSURE_DAYS = 90


async def school_resources(actor: Actor, school_id: str) -> list[ResourceView]:
    """Every resource of the school, by name (the catalogue's pages, followed to the end)."""
    found: list[ResourceView] = []
    cursor: str | None = None
    while True:
        page = await catalogue.list_resources(actor, school_id=school_id, limit=200, cursor=cursor)
        found.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


async def pending_requests(actor: Actor, resource_ids: set[str]) -> list[BookingView]:
    """Pending bookings on any of `resource_ids`, soonest first."""
    page = await bookings.list_bookings(actor, status="pending", limit=QUEUE_LIMIT)
    return [b for b in page.items if resource_ids.intersection(b.resource_ids)]


@get("/", name="manage.overview")
async def overview(request: Request[Any, Any, Any]) -> Response[Any]:
    """Sites and resources, coming closures and calendar imports of the school."""
    actor = await require_staff(request)
    if not isinstance(actor, Actor):
        return actor
    choice = await choose_school(request, actor)
    now = now_of(request)
    resources = await school_resources(actor, choice.id)
    pending = await pending_requests(actor, {r.id for r in resources})
    closures = await board_service.school_closures(
        actor, choice.id, now, now + timedelta(days=CLOSURE_DAYS)
    )
    feeds: list[Any] = []
    if choice.id in actor.managed_school_ids or actor.is_admin:
        from booking.services import imports

        feeds = await imports.list_imports(actor, school_id=choice.id)
    by_site: dict[str, list[ResourceView]] = {}
    for r in _board_order(resources):
        by_site.setdefault(r.site_id, []).append(r)
    names = {r.id: r.name for r in resources}
    sites = {s.id: s.name for s in choice.school.sites}
    return await render(
        request, "manage/overview.html", section="manage", choice=choice, by_site=by_site,
        names=names, sites=sites, pending=pending, closures=closures, feeds=feeds,
        can_manage=choice.id in actor.managed_school_ids or actor.is_admin,
        resource_count=len(resources),
    )


def _board_order(resources: list[ResourceView]) -> list[ResourceView]:
    """Labs each followed by their equipment, then loose equipment (as on the board)."""
    children: dict[str, list[ResourceView]] = {}
    for r in resources:
        if r.parent_id:
            children.setdefault(r.parent_id, []).append(r)
    ids = {r.id for r in resources}
    ordered: list[ResourceView] = []
    for r in resources:
        if r.kind == "lab":
            ordered.append(r)
            ordered.extend(children.get(r.id, []))
    ordered.extend(r for r in resources if r.kind != "lab" and r.parent_id not in ids)
    return ordered


@get("/board", name="manage.board")
async def board_page(request: Request[Any, Any, Any]) -> Response[Any]:
    """The schedule board: `?view=week|day&day=YYYY-MM-DD` (default: this week)."""
    actor = await require_staff(request)
    if not isinstance(actor, Actor):
        return actor
    choice = await choose_school(request, actor)
    now = now_of(request)
    view = "day" if request.query_params.get("view") == "day" else "week"
    today = local_date(now, choice.timezone)
    try:
        day = date.fromisoformat(request.query_params.get("day") or "")
    except ValueError:
        day = today
    board = await board_service.board(actor, choice.id, day, 1 if view == "day" else 7, now)
    words = translations(request_locale(request))
    texts = TrackTexts(*(words.gettext(t) for t in (
        "awaiting approval", "confirmed", "whole lab booked", "closed", "participants")))
    track = track_renderer(texts, view == "day", "/manage/requests" + choice.query())
    return await render(
        request, "manage/board.html", section="manage", choice=choice, board=board, view=view,
        today=today, day=day, track=track,
    )


@get("/requests", name="manage.requests")
async def queue(request: Request[Any, Any, Any]) -> Response[Any]:
    """Pending requests of the school, soonest first, each with approve and decline."""
    actor = await require_staff(request)
    if not isinstance(actor, Actor):
        return actor
    choice = await choose_school(request, actor)
    resources = await school_resources(actor, choice.id)
    names = {r.id: r.name for r in resources}
    pending = await pending_requests(actor, set(names))
    return await render(
        request, "manage/requests.html", section="manage", choice=choice, pending=pending,
        names=names, can_decide=choice.id in actor.managed_school_ids or actor.is_admin,
    )


async def _decide(request: Request[Any, Any, Any], booking_id: str, approve: bool) -> Response[Any]:
    actor = await require_staff(request)
    if not isinstance(actor, Actor):
        return actor
    form = await request.form()
    back = "/manage/requests" + (f"?school={form['school']}" if form.get("school") else "")
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = None  # the service applies the change without If-Match
    message = str(form.get("message") or "").strip()[:1000]
    change = bookings.approve_booking if approve else bookings.decline_booking
    try:
        booking = await change(actor, booking_id, now_of(request), if_match=version,
                               message=message)
    except StaleVersion:
        return redirect(request, back, Flash(
            "This request changed while you were looking at it. Here is how it stands now.",
            "warning"))
    except (RuleViolation, NotAllowed) as exc:
        return redirect(request, back, Flash(
            "This request cannot be changed: %(reason)s", "error", {"reason": str(exc)}))
    done = "Approved: %(company)s, %(title)s." if approve else (
        "Declined: %(company)s, %(title)s. The company has been told.")
    return redirect(request, back, Flash(
        done, "success", {"company": booking.organisation_name, "title": booking.title}))


@post("/requests/{booking_id:str}/approve", name="manage.approve", status_code=303)
async def approve(request: Request[Any, Any, Any], booking_id: str) -> Response[Any]:
    return await _decide(request, booking_id, True)


@post("/requests/{booking_id:str}/decline", name="manage.decline", status_code=303)
async def decline(request: Request[Any, Any, Any], booking_id: str) -> Response[Any]:
    return await _decide(request, booking_id, False)


ROUTES: list[Any] = [
    Router(
        path="/manage",
        route_handlers=[overview, board_page, queue, approve, decline],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
