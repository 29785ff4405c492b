"""Facility manager pages: the school at a glance, the approval queue and the schedule board.

Thin controllers: each reads the request, calls one or two services and renders; every rule
(who may approve, what a board shows, how local time maps to instants) lives in the services.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from litestar import Request, Response, Router, post

from booking.domain import permissions
from booking.domain.errors import NotAllowed, RuleViolation, StaleVersion
from booking.domain.localtime import local_date
from booking.domain.roles import Actor
from booking.i18n import translations
from booking.ical import SKIP_MESSAGES
from booking.services import board as board_service
from booking.services import board_queue, bookings, school_overview
from booking.services.board_month import month_board
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import requires, staff
from frontend.pages.manage_board import TrackTexts, collector_paused, row_renderer
from frontend.pages.manage_common import choose_school, page
from frontend.rendering import redirect, render
from frontend.templating import request_locale

QUEUE_PAGE = 50  # requests per page of the queue, soonest first
CLOSURE_DAYS = 90


@page("/", name="manage.overview", guards=[requires(staff)])
async def overview(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    """Sites and resources, coming closures and calendar imports of the school."""
    choice = await choose_school(request, actor)
    can_manage = permissions.can_manage_school(actor, choice.id)
    with collector_paused():  # a thousand resources' rows, as on the board
        by_site = await school_overview.resource_lines(actor, choice.id)
        pending = await board_queue.pending_count(actor, choice.id)
        closures = await school_overview.school_closures(
            actor, choice.id, now, now + timedelta(days=CLOSURE_DAYS)
        )
        feeds: list[Any] = []
        if can_manage:
            from booking.services import imports

            feeds = await imports.list_imports(actor, school_id=choice.id)
        names = {r.id: r.name for lines in by_site.values() for r in lines}
        sites = {s.id: s.name for s in choice.school.sites}
        return await render(
            request, "manage/overview.html", section="manage", choice=choice,
            by_site=by_site, names=names, sites=sites, pending=pending, closures=closures,
            feeds=feeds, can_manage=can_manage, resource_count=len(names),
            skip_messages=SKIP_MESSAGES,
        )


@page("/board", name="manage.board", guards=[requires(staff)])
async def board_page(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    """The schedule board: `?view=week|day|month&day=YYYY-MM-DD` (default: this week)."""
    choice = await choose_school(request, actor)
    view = "day" if request.query_params.get("view") == "day" else "week"
    today = local_date(now, choice.timezone)
    try:
        day = date.fromisoformat(request.query_params.get("day") or "")
    except ValueError:
        day = today
    if request.query_params.get("view") == "month":
        return await render(
            request, "manage/board_month.html", section="manage", choice=choice, today=today,
            month=await month_board(actor, choice.id, day), view="month", day=day,
        )
    words = translations(request_locale(request))
    texts = TrackTexts(*(words.gettext(t) for t in (
        "awaiting approval", "confirmed", "whole lab booked", "closed", "in a closure")))
    with collector_paused():
        board = await board_service.board(actor, choice.id, day, 1 if view == "day" else 7, now)
        return await render(
            request, "manage/board.html", section="manage", choice=choice, board=board,
            view=view, today=today, day=day, rows=row_renderer(texts, view == "day"),
        )


@page("/requests", name="manage.requests", guards=[requires(staff)])
async def queue(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    """Pending requests of the school, soonest first, each with approve and decline."""
    choice = await choose_school(request, actor)
    try:
        number = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        number = 1
    pending, total = await board_queue.pending_requests(
        actor, choice.id, QUEUE_PAGE, (number - 1) * QUEUE_PAGE)
    pages = max(1, -(-total // QUEUE_PAGE))
    return await render(
        request, "manage/requests.html", section="manage", choice=choice, pending=pending,
        total=total, page=number, pages=pages, first=(number - 1) * QUEUE_PAGE + 1,
        can_decide=permissions.can_manage_school(actor, choice.id),
    )


@page("/requests/{booking_id:str}", name="manage.request", guards=[requires(staff)])
async def one_request(request: Request[Any, Any, Any],
                      actor: Actor, booking_id: str) -> Response[Any]:
    """One pending request with approve and decline (the booking page and the board link here:
    a long queue is paged, so `/manage/requests#r-…` would not always find it)."""
    choice = await choose_school(request, actor)
    pending, _ = await board_queue.pending_requests(actor, choice.id, 1, booking_id=booking_id)
    if not pending:  # decided in the meantime, or not a request of this school
        return redirect(request, f"/bookings/{booking_id}", Flash(
            "This booking is not waiting for a decision.", "info"))
    total = await board_queue.pending_count(actor, choice.id)
    return await render(
        request, "manage/requests.html", section="manage", choice=choice, pending=pending,
        total=total, page=1, pages=1, first=1, single=True,
        can_decide=permissions.can_manage_school(actor, choice.id),
    )


async def _decide(request: Request[Any, Any, Any], actor: Actor, now: datetime, booking_id: str,
                  approve: bool) -> Response[Any]:
    form = await request.form()
    back = "/manage/requests" + (f"?school={form['school']}" if form.get("school") else "")
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = None  # the service applies the change without If-Match
    message = str(form.get("message") or "").strip()[:1000]
    change = bookings.approve_booking if approve else bookings.decline_booking
    try:
        booking = await change(actor, booking_id, now, if_match=version,
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


@post("/requests/{booking_id:str}/approve", name="manage.approve", status_code=303,
      guards=[requires(staff)])
async def approve(request: Request[Any, Any, Any], actor: Actor, now: datetime,
                  booking_id: str) -> Response[Any]:
    return await _decide(request, actor, now, booking_id, True)


@post("/requests/{booking_id:str}/decline", name="manage.decline", status_code=303,
      guards=[requires(staff)])
async def decline(request: Request[Any, Any, Any], actor: Actor, now: datetime,
                  booking_id: str) -> Response[Any]:
    return await _decide(request, actor, now, booking_id, False)


ROUTES: list[Any] = [
    Router(
        path="/manage",
        route_handlers=[overview, board_page, queue, one_request, approve, decline],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
