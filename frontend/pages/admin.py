"""The platform admin's start page: every region, school and company, and a new one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, post

from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor
from booking.services import organisations
from booking.services.organisations import OrganisationInput
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import admin, requires
from frontend.pages.manage_common import page
from frontend.pages.organisation import refused
from frontend.rendering import redirect, render

KINDS = ("region", "school", "company")



async def _page(request: Request[Any, Any, Any], actor: Actor, values: dict[str, str],
                status_code: int = 200, error: str = "") -> Response[Any]:
    everything = await organisations.list_organisations(actor)
    by_kind = {k: [o for o in everything if o.kind == k] for k in KINDS}
    return await render(request, "admin/overview.html", section="admin", by_kind=by_kind,
                        values=values, error=error, status_code=status_code)


@page("/", name="admin", guards=[requires(admin)])
async def overview(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    return await _page(request, actor, {"kind": request.query_params.get("kind") or "school"})


@post("/organisations", name="admin.create", status_code=303, guards=[requires(admin)])
async def create(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    form = {k: str(v).strip() for k, v in (await request.form()).items() if k != "_csrf"}
    kind = form.get("kind", "")
    if kind not in KINDS:
        return await _page(request, actor, form, 422, "Choose what to create.")
    try:
        made = await organisations.create_organisation(actor, OrganisationInput(
            kind=kind, name=form.get("name", ""), brin=form.get("brin") or None,
            level=form.get("level") or None, kvk=form.get("kvk") or None,
            region_id=form.get("region_id") or None, city=form.get("city", ""),
            is_sme=form.get("is_sme") == "on"), now)
    except RuleViolation as exc:
        return await _page(request, actor, form, 422, refused(exc).message)
    return redirect(request, f"/organisations/{made.id}",
                    Flash("%(name)s has been created.", "success", {"name": made.name}))


ROUTES: list[Any] = [
    Router(path="/admin", route_handlers=[overview, create],
           exception_handlers=PAGE_EXCEPTION_HANDLERS, include_in_schema=False)
]
