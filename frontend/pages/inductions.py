"""The safety inductions page of a school: which companies completed the induction of each lab
or machine that requires one, and recording a new one (facility managers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, post

from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor
from booking.services import catalogue, inductions, organisations
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import requires, staff
from frontend.pages.manage_common import choose_school, page
from frontend.pages.organisation import refused
from frontend.rendering import redirect, render

MAX_RESOURCES = 200


@page("/inductions", name="manage.inductions", guards=[requires(staff)])
async def inductions_page(request: Request[Any, Any, Any],
                          actor: Actor, now: datetime) -> Response[Any]:
    choice = await choose_school(request, actor)
    can_manage = actor.is_admin or choice.id in actor.managed_school_ids
    found = await catalogue.list_resources(actor, school_id=choice.id, limit=MAX_RESOURCES,
                                           now=now)
    needing = [r for r in found.items if r.policy.induction_required]
    done = {r.id: await inductions.list_inductions(actor, r.id) for r in needing} \
        if can_manage else {}
    return await render(request, "manage/inductions.html", section="manage", choice=choice,
                        resources=needing, done=done, can_manage=can_manage)


@post("/inductions", name="manage.induction_record", status_code=303, guards=[requires(staff)])
async def record(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    choice = await choose_school(request, actor)
    form = await request.form()
    back = f"/manage/inductions{choice.query()}"
    try:
        company = await organisations.company_by_kvk(actor, str(form.get("kvk") or ""))
        await inductions.record_induction(actor, str(form.get("resource_id") or ""),
                                          company.id, now)
    except RuleViolation as exc:
        return redirect(request, back, refused(exc))
    return redirect(request, back, Flash("Recorded: %(company)s completed the induction.",
                                         "success", {"company": company.name}))


ROUTES: list[Any] = [
    Router(path="/manage", route_handlers=[inductions_page, record],
           exception_handlers=PAGE_EXCEPTION_HANDLERS, include_in_schema=False)
]
