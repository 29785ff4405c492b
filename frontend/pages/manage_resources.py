"""Facility manager pages for one resource (details, opening hours, closures) and the school's
calendar imports. Every change goes through the catalogue or imports service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response, Router, post
from litestar.response import Template

from booking.clock import now_on
from booking.domain.errors import Conflict, NotAllowed, NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.i18n import reason_message
from booking.i18n.fetch_errors import fetch_error_message
from booking.services import catalogue, closures, imports, resource_admin, school_overview
from booking.services.views import ResourceView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.forms import FormErrors
from frontend.guards import requires, staff
from frontend.pages.manage_closures import (
    closure_question,
    rules_question,
    rules_removed,
    settled,
)
from frontend.pages.manage_common import (
    SchoolChoice,
    choose_school,
    form_errors,
    local_moment,
    page,
)
from frontend.pages.manage_forms import (
    SERVICE_FIELDS,
    ResourceForm,
    RuleRow,
    read_rules,
    rule_rows,
)
from frontend.pages.photos import manage_extras
from frontend.rendering import redirect, render
from frontend.templating import request_locale

CLOSURES_AHEAD = timedelta(days=365)


async def _resource_page(
    request: Request[Any, Any, Any], actor: Actor, choice: SchoolChoice,
    resource: ResourceView | None, values: ResourceForm, *, errors: FormErrors | None = None,
    rows: list[RuleRow] | None = None, hour_errors: FormErrors | None = None,
    closure_errors: FormErrors | None = None, closure_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    labs = [r for lines in (await school_overview.resource_lines(actor, choice.id)).values()
            for r in lines if r.kind == "lab"]
    closures: list[Any] = []
    if resource is not None:
        now = now_on(request.app.state)
        closures = [
            c for c in await school_overview.school_closures(
                actor, choice.id, now, now + CLOSURES_AHEAD)
            if c.resource_id == resource.id or c.site_id == resource.site_id
        ]
        if rows is None:
            rows = rule_rows(await catalogue.get_opening_hours(actor, resource.id))
    return await render(
        request, "manage/resource.html", section="manage", status_code=status_code,
        choice=choice, resource=resource, values=values, errors=errors or {},
        site_options=[(s.id, s.name) for s in choice.school.sites],
        lab_options=[(r.id, r.name) for r in labs if resource is None or r.id != resource.id],
        rows=rows or [], hour_errors=hour_errors or {}, closures=closures,
        closure_errors=closure_errors or {}, closure_values=closure_values or {},
        **await manage_extras(resource),
    )


async def _choice_for(request: Request[Any, Any, Any], actor: Actor, resource: ResourceView
                      ) -> SchoolChoice:
    choice = await choose_school(request, actor)
    if choice.id != resource.school_id:  # the resource's own school, if the user works there
        names = dict(choice.options)
        if resource.school_id not in names:
            raise NotFound("resource")
        school = await catalogue.get_school(actor, resource.school_id)
        choice = SchoolChoice(school, choice.options)
    return choice


def _service_error(errors: FormErrors, exc: RuleViolation) -> None:
    errors.add(SERVICE_FIELDS.get(exc.field_name or "", "name"), exc.reasons[0].message)


@page("/resources/new", name="manage.resource_new", guards=[requires(staff)])
async def new_resource(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    choice = await choose_school(request, actor)
    site = choice.school.sites[0].id if choice.school.sites else ""
    return await _resource_page(request, actor, choice, None, ResourceForm(site_id=site))


@post("/resources/new", name="manage.resource_create", status_code=303, guards=[requires(staff)])
async def create_resource(request: Request[Any, Any, Any],
                          actor: Actor, now: datetime) -> Response[Any]:
    choice = await choose_school(request, actor)
    values = ResourceForm.read(await request.form())
    errors = form_errors(request)
    data = values.to_input(choice.id, errors)
    if data is not None:
        try:
            created = await resource_admin.create_resource(actor, data, now=now)
        except RuleViolation as exc:
            _service_error(errors, exc)
        else:
            return redirect(request, f"/manage/resources/{created.id}{choice.query()}", Flash(
                "%(name)s has been added. Now set its opening hours.", "success",
                {"name": created.name}))
    return await _resource_page(request, actor, choice, None, values, errors=errors,
                                status_code=422)


@page("/resources/{resource_id:str}", name="manage.resource", guards=[requires(staff)])
async def resource_page(request: Request[Any, Any, Any],
                        actor: Actor, resource_id: str) -> Response[Any]:
    resource = await catalogue.get_resource(actor, resource_id)
    choice = await _choice_for(request, actor, resource)
    return await _resource_page(request, actor, choice, resource, ResourceForm.of(resource))


@post("/resources/{resource_id:str}", name="manage.resource_update", status_code=303,
      guards=[requires(staff)])
async def update_resource(request: Request[Any, Any, Any],
                          actor: Actor, now: datetime, resource_id: str) -> Response[Any]:
    resource = await catalogue.get_resource(actor, resource_id)
    choice = await _choice_for(request, actor, resource)
    values = ResourceForm.read(await request.form())
    values.kind = resource.kind
    errors = form_errors(request)
    patch = values.to_patch(errors)
    if patch is not None:
        try:
            updated = await resource_admin.update_resource(actor, resource.id, patch,
                                                      now=now)
        except RuleViolation as exc:
            _service_error(errors, exc)
        else:
            return redirect(request, f"/manage/resources/{updated.id}", Flash(
                "Saved: %(name)s.", "success", {"name": updated.name}))
    return await _resource_page(request, actor, choice, resource, values, errors=errors,
                                status_code=422)


@post("/resources/{resource_id:str}/hours", name="manage.hours", status_code=303,
      guards=[requires(staff)])
async def save_hours(request: Request[Any, Any, Any],
                     actor: Actor, resource_id: str) -> Response[Any]:
    resource = await catalogue.get_resource(actor, resource_id)
    choice = await _choice_for(request, actor, resource)
    errors = form_errors(request)
    form = await request.form()
    rows, rules = read_rules(form, errors)
    removed = rules_removed(form)
    if removed and not errors and form.get("confirmed") != "1":  # ask before hours close
        return await rules_question(request, resource, form, removed)
    if not errors:
        try:
            await resource_admin.set_opening_hours(actor, resource.id, rules)
        except RuleViolation as exc:
            errors.add("rule-0-opens", exc.reasons[0].message)
        else:
            return redirect(request, f"/manage/resources/{resource.id}#hours", Flash(
                "Opening hours of %(name)s saved.", "success", {"name": resource.name}))
    return await _resource_page(request, actor, choice, resource, ResourceForm.of(resource),
                                rows=rows, hour_errors=errors, status_code=422)


@post("/resources/{resource_id:str}/closures", name="manage.closure_add", status_code=303,
      guards=[requires(staff)])
async def add_closure(request: Request[Any, Any, Any],
                      actor: Actor, now: datetime, resource_id: str) -> Response[Any]:
    resource = await catalogue.get_resource(actor, resource_id)
    choice = await _choice_for(request, actor, resource)
    form = await request.form()
    errors = form_errors(request)
    start = local_moment(form, "start", resource.timezone, errors)
    end = local_moment(form, "end", resource.timezone, errors, end=True)
    reason = str(form.get("reason") or "").strip()[:300]
    if not reason:
        errors.add("reason", "Say why, e.g. maintenance or exams.")
    if start is not None and end is not None and end <= start:
        errors.add("end_time", "The end must be after the start.")
    if not errors and start is not None and end is not None:
        whole = form.get("whole_site") == "on"
        where = {"site_id": resource.site_id} if whole else {"resource_id": resource.id}
        on_conflict = str(form.get("on_conflict") or "") or None
        values = {k: str(form.get(k) or "") for k in (
            "start_date", "start_time", "end_date", "end_time", "reason", "whole_site")}
        try:
            affected = await closures.affected_bookings(actor, Interval(start, end), **where)
            if affected and on_conflict is None:  # ask before anything changes
                return await closure_question(request, resource, values, affected)
            if whole:
                await closures.add_site_closure(actor, resource.site_id, Interval(start, end),
                                                 reason, on_conflict=on_conflict,
                                                 now=now)
            else:
                await closures.add_closure(actor, resource.id, Interval(start, end), reason,
                                            on_conflict=on_conflict, now=now)
        except Conflict:  # a booking came in meanwhile: ask again, with it
            affected = await closures.affected_bookings(actor, Interval(start, end), **where)
            return await closure_question(request, resource, values, affected)
        except RuleViolation as exc:
            errors.add("start_date", exc.reasons[0].message)
        else:
            return redirect(request, f"/manage/resources/{resource.id}#closures",
                            settled(reason, on_conflict, len(affected)))
    return await _resource_page(
        request, actor, choice, resource, ResourceForm.of(resource), closure_errors=errors,
        closure_values={k: str(form.get(k) or "") for k in (
            "start_date", "start_time", "end_date", "end_time", "reason", "whole_site")},
        status_code=422,
    )


@post("/closures/{closure_id:str}/delete", name="manage.closure_delete", status_code=303,
      guards=[requires(staff)])
async def delete_closure(request: Request[Any, Any, Any],
                         actor: Actor, closure_id: str) -> Response[Any]:
    form = await request.form()
    back = str(form.get("back") or "/manage")
    back = back if back.startswith("/manage") else "/manage"
    await closures.delete_closure(actor, closure_id)
    return redirect(request, back, Flash("The closure has been removed.", "success"))


@post("/imports", name="manage.import_add", status_code=303, guards=[requires(staff)])
async def add_import(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    form = await request.form()
    choice = await choose_school(request, actor)
    target = str(form.get("target") or "")
    kind, _, target_id = target.partition(":")
    url = str(form.get("url") or "").strip()
    back = "/manage" + choice.query() + "#imports"
    if not url:
        return redirect(request, back, Flash("Enter the web address of the calendar.", "error"))
    try:
        created = await imports.create_import(
            actor, kind=str(form.get("kind") or "timetable"), now=now, url=url,
            resource_id=target_id if kind == "resource" else None,
            site_id=target_id if kind == "site" else None,
        )
    except (RuleViolation, NotAllowed) as exc:
        return redirect(request, back, Flash(
            "The calendar was not added: %(reason)s", "error",
            {"reason": _reasons_text(exc, request_locale(request))}))
    if created.status == "pending":
        return redirect(request, back, Flash(
            "Calendar added: it is large, so it is read in the background within a few "
            "minutes.", "success"))
    if created.status == "error":
        return redirect(request, back, Flash(
            "Added, but the first fetch failed: %(error)s", "warning",
            {"error": fetch_error_message(created.last_error, request_locale(request))}))
    return redirect(request, back, Flash(
        "Calendar added: %(num)s events read.", "success", {"num": created.events}))


@post("/imports/{import_id:str}/refresh", name="manage.import_refresh", status_code=303,
      guards=[requires(staff)])
async def refresh_import(request: Request[Any, Any, Any],
                         actor: Actor, now: datetime, import_id: str) -> Response[Any]:
    try:
        done = await imports.refresh_import(actor, import_id, now)
    except RuleViolation as exc:
        return redirect(request, "/manage#imports", Flash(
            "The calendar was not fetched: %(reason)s", "error",
            {"reason": _reasons_text(exc, request_locale(request))}))
    flash = (Flash("Fetched again: %(num)s events.", "success", {"num": done.events})
             if done.status == "ok" else
             Flash("The fetch failed: %(error)s. The last good events stay in place.", "warning",
                   {"error": fetch_error_message(done.last_error, request_locale(request))}))
    return redirect(request, "/manage#imports", flash)


def _reasons_text(exc: RuleViolation | NotAllowed, locale: str) -> str:
    """Why a calendar was refused, in the reader's language."""
    if isinstance(exc, RuleViolation):
        return "; ".join(reason_message(r, locale) for r in exc.reasons)
    return str(exc)


@post("/imports/{import_id:str}/delete", name="manage.import_delete", status_code=303,
      guards=[requires(staff)])
async def delete_import(request: Request[Any, Any, Any],
                        actor: Actor, import_id: str) -> Response[Any]:
    await imports.delete_import(actor, import_id)
    return redirect(request, "/manage#imports", Flash(
        "The calendar and its closures have been removed.", "success"))


ROUTES: list[Any] = [
    Router(
        path="/manage",
        route_handlers=[
            new_resource, create_resource, resource_page, update_resource, save_hours,
            add_closure, delete_closure, add_import, refresh_import, delete_import,
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
