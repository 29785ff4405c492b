"""One organisation's page: details, sites, members, invitations and partnerships — for the
platform admin and the organisation's own managers (members see it read-only).

Thin: every rule (who may see or change what, identifiers, the last manager) lives in
`booking.services.organisations` and `booking.services.members`; a refusal comes back as a
message on the same page (Post/Redirect/Get).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Request, Response, Router, post

from booking.domain import organisations as rules
from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor, OrgKind
from booking.services import members, organisations
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import signed_in
from frontend.pages.manage_common import page
from frontend.pages.photos import organisation_contact
from frontend.rendering import current_actor, current_user, redirect, render
from frontend.templating import request_locale


def refused(exc: RuleViolation) -> Flash:
    """A service's refusal as an error message (English id, translated when shown)."""
    return Flash(exc.reasons[0].message if exc.reasons else str(exc), "error")


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if k != "_csrf"}


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise rules.invalid(field, "date", "Enter a date as YYYY-MM-DD.") from None


@page("/{org_id:str}", name="organisation")
async def organisation_page(request: Request[Any, Any, Any],
                            actor: Actor, now: datetime, org_id: str) -> Response[Any]:
    org = await organisations.get_organisation(actor, org_id)
    kind = OrgKind(org.kind)
    can_manage = rules.can_manage_members(actor, org.id, kind)
    people = await members.list_members(actor, org.id)
    invitations = await members.open_invitations(actor, org.id, now) if can_manage else []
    sites = await organisations.list_sites(actor, org.id) if kind is OrgKind.SCHOOL else []
    partnerships = []
    if kind in (OrgKind.SCHOOL, OrgKind.COMPANY):
        partnerships = [p for p in await organisations.list_partnerships(actor, now)
                        if org.id in (p.school_id, p.company_id)]
    regions = []
    if actor.is_admin and kind is OrgKind.SCHOOL:
        regions = await organisations.list_organisations(actor, OrgKind.REGION.value)
    return await render(
        request, "admin/organisation.html", section="admin" if actor.is_admin else "members",
        org=org, kind=kind.value, people=people, invitations=invitations, sites=sites,
        partnerships=partnerships, regions=regions, can_manage=can_manage,
        roles=[r.value for r in rules.ROLES_BY_KIND[kind]], is_admin=actor.is_admin,
        can_partner=kind is OrgKind.SCHOOL and rules.can_manage_partnerships(
            actor, org.id, org.region_id),
        can_add_site=kind is OrgKind.SCHOOL and (actor.is_admin or
                                                  org.id in actor.managed_school_ids),
        me=actor.user_id, mail_locale=request_locale(request),
        **(await organisation_contact(org.id) if kind is OrgKind.SCHOOL else {}),
    )


async def _act(
    request: Request[Any, Any, Any], org_id: str, work: Any, done: Flash
) -> Response[Any]:
    """Run `work(actor, form)`; back to the organisation's page with `done` or the refusal."""
    actor = await current_actor(request)  # signed in: the router's guard
    form = await _form(request)
    try:
        await work(actor, form)
    except RuleViolation as exc:
        return redirect(request, f"/organisations/{org_id}", refused(exc))
    return redirect(request, f"/organisations/{org_id}", done)


@post("/{org_id:str}/edit", name="organisation.edit", status_code=303)
async def edit(request: Request[Any, Any, Any], org_id: str) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        fields = {"name", "city"} | ({"brin", "level", "kvk", "region_id"} if actor.is_admin
                                     else set())
        patch: dict[str, Any] = {k: form[k] for k in fields if k in form}
        if "region_id" in patch:
            patch["region_id"] = patch["region_id"] or None
        if actor.is_admin and "is_sme" in fields | {"is_sme"}:
            patch["is_sme"] = form.get("is_sme") == "on"
        await organisations.update_organisation(actor, org_id, patch)
    return await _act(request, org_id, work, Flash("The details have been saved."))


@post("/{org_id:str}/sites", name="organisation.add_site", status_code=303)
async def add_site(request: Request[Any, Any, Any], org_id: str) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await organisations.add_site(
            actor, org_id, name=form.get("name", ""), address=form.get("address", ""),
            postcode=form.get("postcode", ""), city=form.get("city", ""),
            timezone=form.get("timezone") or "Europe/Amsterdam")
    return await _act(request, org_id, work, Flash("The site has been added."))


@post("/{org_id:str}/sites/{site_id:str}", name="organisation.edit_site", status_code=303)
async def edit_site(request: Request[Any, Any, Any], org_id: str, site_id: str) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        fields = ("name", "address", "postcode", "city", "timezone")
        await organisations.update_site(actor, org_id, site_id,
                                        {k: form[k] for k in fields if k in form})
    return await _act(request, org_id, work, Flash("The site has been saved."))


@post("/{org_id:str}/invitations", name="organisation.invite", status_code=303)
async def invite(request: Request[Any, Any, Any], now: datetime, org_id: str) -> Response[Any]:
    user = await current_user(request)

    async def work(actor: Actor, form: dict[str, str]) -> None:
        await members.invite(actor, org_id, form.get("email", ""), form.get("role", ""),
                             now, locale=form.get("locale") or "nl",
                             inviter_name=user.name if user else "")
    return await _act(request, org_id, work, Flash("The invitation has been sent."))


@post("/{org_id:str}/invitations/{invitation_id:str}/revoke", name="organisation.revoke",
      status_code=303)
async def revoke(
    request: Request[Any, Any, Any], now: datetime, org_id: str, invitation_id: str
) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await members.revoke_invitation(actor, org_id, invitation_id, now)
    return await _act(request, org_id, work, Flash("The invitation has been withdrawn.", "info"))


@post("/{org_id:str}/members/{user_id:str}/role", name="organisation.role", status_code=303)
async def change_role(
    request: Request[Any, Any, Any], now: datetime, org_id: str, user_id: str
) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await members.change_role(actor, org_id, user_id, form.get("role", ""), now)
    return await _act(request, org_id, work, Flash("The role has been changed."))


@post("/{org_id:str}/members/{user_id:str}/remove", name="organisation.remove",
      status_code=303)
async def remove(
    request: Request[Any, Any, Any], now: datetime, org_id: str, user_id: str
) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await members.remove_member(actor, org_id, user_id, now)
    return await _act(request, org_id, work, Flash("The member has been removed.", "info"))


@post("/{org_id:str}/partnerships", name="organisation.partner", status_code=303)
async def add_partner(request: Request[Any, Any, Any], now: datetime, org_id: str) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await organisations.create_partnership(
            actor, school_id=org_id, company_kvk=form.get("kvk", ""),
            valid_from=_date(form.get("valid_from", ""), "valid_from"),
            valid_to=_date(form.get("valid_to", ""), "valid_to"), now=now)
    return await _act(request, org_id, work, Flash("The company is now a partner."))


@post("/{org_id:str}/partnerships/{partnership_id:str}/delete", name="organisation.unpartner",
      status_code=303)
async def end_partner(
    request: Request[Any, Any, Any], now: datetime, org_id: str, partnership_id: str
) -> Response[Any]:
    async def work(actor: Actor, form: dict[str, str]) -> None:
        await organisations.delete_partnership(actor, partnership_id, now)
    return await _act(request, org_id, work, Flash("The partnership has ended.", "info"))


ROUTES: list[Any] = [
    Router(
        path="/organisations",
        route_handlers=[organisation_page, edit, add_site, edit_site, invite, revoke,
                        change_role, remove, add_partner, end_partner],
        guards=[signed_in],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
