"""Facility manager pages where closures meet bookings: the question before a closure that
meets active bookings (keep and tell them, or cancel them with the reason), the question
before deleting a closure or an import (naming what reopens), and date exceptions of opening
hours (a calendar of the coming weeks)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.response import Template

from booking.clock import now_on
from booking.domain.errors import Conflict, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant, zone
from booking.domain.openinghours import (
    DayHours,
    OpeningRule,
    format_hhmm,
    open_intervals,
    parse_hhmm,
)
from booking.domain.roles import Actor
from booking.services import catalogue, closures, imports
from booking.services.closures import AffectedBooking
from booking.services.views import ResourceView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import requires, staff
from frontend.rendering import redirect, render
from frontend.weekview import monday_of

WEEKS = 4


async def closure_question(
    request: Request[Any, Any, Any], resource: ResourceView, values: dict[str, str],
    affected: list[AffectedBooking],
) -> Template:
    """The bookings a closure would meet, before anything changes, with the two ways on."""
    return await render(
        request, "manage/closure_meets.html", section="manage", status_code=409,
        resource=resource, values=values, affected=affected,
        action=f"/manage/resources/{resource.id}/closures",
    )


def settled(reason: str, on_conflict: str | None, count: int) -> Flash:
    """The flash after a closure, saying what happened to the bookings it met."""
    if not count:
        return Flash("Closed: %(reason)s.", "success", {"reason": reason})
    if on_conflict == "cancel":
        return Flash("Closed: %(reason)s. %(num)s bookings cancelled with this reason.",
                     "success", {"reason": reason, "num": count})
    return Flash("Closed: %(reason)s. %(num)s bookings stay; the companies are told.",
                 "warning", {"reason": reason, "num": count})


def rules_removed(form: Any) -> list[tuple[str, str, str]]:
    """The weekly rules a saved hours form ticks `remove` for: (weekday, opens, closes)."""
    found = []
    for key in form:
        if key.startswith("rule-") and key.endswith("-remove") and form.get(key) == "on":
            i = key[len("rule-"):-len("-remove")]
            weekday = str(form.get(f"rule-{i}-weekday") or "")
            if weekday:
                found.append((weekday, str(form.get(f"rule-{i}-opens") or ""),
                              str(form.get(f"rule-{i}-closes") or "")))
    return found


async def rules_question(
    request: Request[Any, Any, Any], resource: ResourceView, form: Any,
    removed: list[tuple[str, str, str]],
) -> Template:
    """Before weekly hours are removed: which hours close, with the form to send again."""
    fields = [(k, str(v)) for k, v in form.multi_items() if k != "_csrf"]
    return await render(
        request, "manage/delete_confirm.html", section="manage", rules=removed,
        resource=resource, fields=fields, action=f"/manage/resources/{resource.id}/hours",
        back=f"/manage/resources/{resource.id}#hours",
    )


@get("/closures/{closure_id:str}/remove", name="manage.closure_remove", guards=[requires(staff)])
async def closure_remove(request: Request[Any, Any, Any],
                         actor: Actor, closure_id: str) -> Response[Any]:
    """Before deleting a closure: what reopens (the resource, or every resource of the site)."""
    found = await closures.closure_to_delete(actor, closure_id)
    back = str(request.query_params.get("back") or "/manage#closures")
    return await render(
        request, "manage/delete_confirm.html", section="manage", closure=found.closure,
        site_name=found.site_name, reopens=found.reopens,
        action=f"/manage/closures/{closure_id}/delete",
        back=back if back.startswith("/manage") else "/manage",
    )


@get("/imports/{import_id:str}/remove", name="manage.import_remove", guards=[requires(staff)])
async def import_remove(request: Request[Any, Any, Any],
                        actor: Actor, now: datetime, import_id: str) -> Response[Any]:
    """Before deleting an import: its source and how many coming closures reopen."""
    source = await imports.get_import(actor, import_id)
    count = await closures.import_closures_left(actor, import_id, now)
    return await render(
        request, "manage/delete_confirm.html", section="manage", source=source,
        closure_count=count, action=f"/manage/imports/{import_id}/delete",
        back="/manage#imports",
    )


def _day_window(tz: str, day: date) -> Interval:
    return Interval(local_instant(tz, day, 0), local_instant(tz, day + timedelta(days=1), 0))


def _local_hours(intervals: list[Interval], tz: str) -> list[tuple[str, str]]:
    z = zone(tz)
    return [(iv.start.astimezone(z).strftime("%H:%M"),
             "24:00" if iv.end.astimezone(z).time() == time(0) else
             iv.end.astimezone(z).strftime("%H:%M")) for iv in intervals]


def _calendar(
    resource: ResourceView, rules: list[OpeningRule], exceptions: list[DayHours], today: date
) -> list[list[dict[str, Any]]]:
    """The coming weeks, Monday first: each day with its hours (weekly, or an exception's)."""
    tz = resource.timezone
    by_date = dict(exceptions)
    monday = monday_of(today)
    weeks = []
    for w in range(WEEKS):
        days = []
        for d in range(7):
            day = monday + timedelta(days=7 * w + d)
            exceptional = [(o, c) for o, c in by_date.get(day, ())]
            hours = ([(format_hhmm(o), format_hhmm(c, is_close=True)) for o, c in exceptional]
                     if day in by_date else
                     _local_hours(open_intervals(rules, (), _day_window(tz, day), tz), tz))
            days.append({"date": day, "past": day < today, "exception": day in by_date,
                         "hours": hours})
        weeks.append(days)
    return weeks


async def _exceptions_page(
    request: Request[Any, Any, Any], actor: Actor, resource: ResourceView, *,
    status_code: int = 200, **extra: Any,
) -> Template:
    now = now_on(request.app.state)
    today = local_date(now, resource.timezone)
    rules = await catalogue.get_opening_hours(actor, resource.id)
    found = await closures.opening_exceptions(actor, resource.id, today)
    return await render(
        request, "manage/exceptions.html", section="manage", status_code=status_code,
        resource=resource, weeks=_calendar(resource, rules, found, today), **extra,
    )


@get("/resources/{resource_id:str}/exceptions", name="manage.exceptions", guards=[requires(staff)])
async def exceptions_page(request: Request[Any, Any, Any],
                          actor: Actor, resource_id: str) -> Response[Any]:
    """A calendar of the coming weeks: pick a day, then add an evening or shorten it."""
    resource = await catalogue.get_resource(actor, resource_id)
    return await _exceptions_page(request, actor, resource)


def _day_hours(form: Any) -> DayHours | None:
    try:
        day = date.fromisoformat(str(form.get("date") or ""))
    except ValueError:
        return None
    if form.get("closed") == "on":
        return day, ()
    try:
        opens, closes = parse_hhmm(str(form.get("opens"))), parse_hhmm(str(form.get("closes")))
    except ValueError:
        return None
    if str(form.get("closes")) != "24:00" and closes <= opens:
        return None
    return day, ((opens, closes),)


@post("/resources/{resource_id:str}/exceptions", name="manage.exceptions_save",
      status_code=303, guards=[requires(staff)])
async def exceptions_save(request: Request[Any, Any, Any],
                          actor: Actor, now: datetime, resource_id: str) -> Response[Any]:
    """Set one day's hours (or close it). Bookings left outside: asked first (keep / cancel)."""
    resource = await catalogue.get_resource(actor, resource_id)
    form = await request.form()
    back = f"/manage/resources/{resource.id}/exceptions"
    day = _day_hours(form)
    if day is None:
        return await _exceptions_page(request, actor, resource, status_code=422,
                                      problem="Check the date and the hours.")
    on_conflict = str(form.get("on_conflict") or "") or None
    try:
        await closures.set_opening_exceptions(actor, resource.id, [day],
                                              on_conflict=on_conflict, now=now)
    except Conflict:
        return await render(
            request, "manage/closure_meets.html", section="manage", status_code=409,
            resource=resource, affected=await closures.affected_by_hours(actor, resource.id,
                                                                         [day]),
            action=back, hours_change=True,
            values={k: str(form.get(k) or "") for k in ("date", "opens", "closes", "closed")},
        )
    except RuleViolation as exc:
        return await _exceptions_page(request, actor, resource, status_code=422,
                                      problem=exc.reasons[0].message)
    return redirect(request, back, Flash("Hours of %(date)s saved.", "success",
                                         {"date": day[0].isoformat()}))


ROUTES: list[Any] = [
    Router(path="/manage", route_handlers=[closure_remove, import_remove, exceptions_page,
                                           exceptions_save],
           exception_handlers=PAGE_EXCEPTION_HANDLERS, include_in_schema=False)
]
