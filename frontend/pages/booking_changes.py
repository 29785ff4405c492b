"""Changing a booking from its page: "Wijzigen" (the week picker of booking, a check step
with the new price, then confirm), and each occurrence of a series cancelled or moved alone."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get, post
from litestar.response import Template

from booking.clock import now_on
from booking.domain import availability
from booking.domain.errors import Conflict, RuleViolation, StaleVersion
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, zone
from booking.domain.roles import Actor
from booking.services import booking_change, bookings, catalogue
from booking.services.views import BookingPatch, BookingView, OccurrenceView, ResourceView
from frontend.booking_form import BookingForm, to_request
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.forms import FormErrors, parse_date, parse_int
from frontend.guards import booker, requires, signed_in
from frontend.rendering import redirect, render
from frontend.templating import request_locale
from frontend.weekview import Week, build_week, monday_of, week_window


def _occurrence(booking: BookingView, position: int | None) -> OccurrenceView | None:
    for o in booking.occurrences:
        if o.position == position:
            return o
    return None


def _values(booking: BookingView, position: int | None, query: dict[str, str]) -> BookingForm:
    """The form as the booking (or one occurrence) stands, with a picked slot laid over it."""
    tz = booking.timezone
    o = _occurrence(booking, position)
    start, end = (o.start, o.end) if o else (booking.start, booking.end)
    if o is None and booking.occurrences:
        first = next((x for x in booking.occurrences if x.status == "active"), None)
        start, end = (first.start, first.end) if first else (start, end)
    local_start, local_end = start.astimezone(zone(tz)), end.astimezone(zone(tz))
    return BookingForm(
        resource_id=booking.resource_ids[0],
        date=query.get("date") or local_start.date().isoformat(),
        start=query.get("start") or local_start.strftime("%H:%M"),
        end=query.get("end") or local_end.strftime("%H:%M"),
        title=booking.title, students=str(booking.participants.students),
        employees=str(booking.participants.employees),
        extras=list(booking.resource_ids[1:]),
    )


def _relinked(week: Week, booking_id: str, position: int | None) -> Week:
    """The booking form's week with each free hour leading back to this change form."""
    extra = {} if position is None else {"position": str(position)}

    def link(href: str | None) -> str | None:
        if href is None:
            return None
        query = href.split("?", 1)[1] + ("&" + urlencode(extra) if extra else "")
        return f"/bookings/{booking_id}/change?{query}#form"

    days = [dataclasses.replace(d, blocks=[dataclasses.replace(b, href=link(b.href))
                                           for b in d.blocks]) for d in week.days]
    return dataclasses.replace(week, days=days)


async def _page(
    request: Request[Any, Any, Any], actor: Actor, booking: BookingView, values: BookingForm,
    position: int | None, week_of: date | None, *, status_code: int = 200, **extra: Any,
) -> Template:
    resource: ResourceView = await catalogue.get_resource(actor, booking.resource_ids[0])
    now = now_on(request.app.state)
    tz = resource.timezone
    day = parse_date(values.date, "date", {})
    monday = monday_of(week_of or day or local_date(now, tz))
    view = await catalogue.availability(actor, resource.id, week_window(monday, tz), now)
    week = build_week(
        view, monday, rules=await catalogue.get_opening_hours(actor, resource.id), now=now,
        min_minutes=resource.policy.min_duration_minutes,
        max_minutes=resource.policy.max_duration_minutes,
        reach=availability.reach(resource.policy, tz, now),
    )
    return await render(
        request, "booker/change.html", section="bookings", status_code=status_code,
        booking=booking, resource=resource, values=values, position=position,
        occurrence=_occurrence(booking, position), week=_relinked(week, booking.id, position),
        this_week=monday_of(local_date(now, tz)), tz=tz, errors=extra.pop("errors", {}),
        **extra,
    )


def _position(value: Any) -> int | None:
    return parse_int(str(value), "position", {}, low=0, high=10_000) if value not in (
        None, "") else None


@get("/bookings/{booking_id:str}/change", name="booking.change", include_in_schema=False,
     guards=[requires(booker)])
async def change_form(request: Request[Any, Any, Any],
                      actor: Actor, booking_id: str) -> Response[Any]:
    """The change form: the booking's times prefilled, or a free hour picked in the week."""
    booking = await bookings.get_booking(actor, booking_id)
    query = dict(request.query_params)
    position = _position(query.get("position"))
    return await _page(request, actor, booking, _values(booking, position, query), position,
                       parse_date(query.get("week"), "week", {}))


@post("/bookings/{booking_id:str}/change", name="booking.change.submit",
      include_in_schema=False, status_code=200, guards=[requires(booker)])
async def change_submit(request: Request[Any, Any, Any],
                        actor: Actor, now: datetime, booking_id: str) -> Response[Any]:
    """`action=check` shows the new price and whether it can be done; `action=confirm`
    changes the booking (with the version the page showed) and goes back to it."""
    booking = await bookings.get_booking(actor, booking_id)
    form = await request.form()
    values = BookingForm.from_post(form)
    values.resource_id, values.extras = booking.resource_ids[0], list(booking.resource_ids[1:])
    position = _position(form.get("position"))
    resource = await catalogue.get_resource(actor, booking.resource_ids[0])
    errors = FormErrors(request_locale(request))
    req = to_request(values, resource, errors)
    if req is None:
        return await _page(request, actor, booking, values, position, None, status_code=422,
                           errors=errors)
    patch = BookingPatch(start=req.start, end=req.end) if position is not None else BookingPatch(
        start=req.start, end=req.end, title=req.title, participants=req.participants)
    try:
        if form.get("action") != "confirm":
            preview = await booking_change.preview_change(actor, booking.id, patch, now,
                                                          position)
            return await _page(request, actor, booking, values, position, None,
                               preview=preview, checked=True)
        version = parse_int(str(form.get("version") or ""), "version", {}) or -1
        if position is None:
            await booking_change.change_booking(actor, booking.id, patch, now, if_match=version)
        else:
            await booking_change.move_occurrence(
                actor, booking.id, position, Interval(req.start, req.end), now, if_match=version)
    except StaleVersion:
        return redirect(request, f"/bookings/{booking.id}", Flash(
            "This booking changed in the meantime. Check it and change it again.", "warning"))
    except RuleViolation as exc:
        return await _page(request, actor, booking, values, position, None, status_code=422,
                           refused=exc.reasons)
    except Conflict:
        return await _page(request, actor, booking, values, position, None, status_code=409,
                           conflict=True)
    return redirect(request, f"/bookings/{booking.id}", Flash(
        "Changed: “%(title)s”.", "success", {"title": req.title}))


@post("/bookings/{booking_id:str}/occurrences/{position:int}/cancel",
      name="booking.occurrence.cancel", include_in_schema=False, status_code=303,
      guards=[signed_in])
async def occurrence_cancel(
    request: Request[Any, Any, Any], actor: Actor, now: datetime, booking_id: str, position: int
) -> Response[Any]:
    """Cancel one week of a series (the company or the school's facility manager)."""
    form = await request.form()
    back = f"/bookings/{booking_id}"
    version = parse_int(str(form.get("version") or ""), "version", {})
    try:
        await booking_change.cancel_occurrence(actor, booking_id, position, now,
                                               if_match=version)
    except StaleVersion:
        return redirect(request, back, Flash(
            "This booking changed in the meantime. Check it and cancel again if you still want to.",
            "warning"))
    except RuleViolation:
        return redirect(request, back, Flash("This booking can no longer be cancelled.", "error"))
    return redirect(request, back, Flash("This week is cancelled; the others stay booked.",
                                         "success"))


ROUTES: list[Any] = [
    Router(path="/", route_handlers=[change_form, change_submit, occurrence_cancel],
           exception_handlers=PAGE_EXCEPTION_HANDLERS, include_in_schema=False)
]
