"""Organisations, sites, members and invitations: `/api/v1/organisations/*` (API.md part 2).

Thin: parse, call `booking.services.organisations` / `booking.services.members`, render.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, delete, get, patch, post
from msgspec import UnsetType

from api.auth import get_user
from api.resource_extras import organisations_out
from api.schemas import problems
from api.schemas_catalogue import SiteOut, site_out
from api.schemas_onboarding import (
    InvitationIn,
    InvitationList,
    InvitationOut,
    MemberList,
    MemberOut,
    MemberPatch,
    OrganisationIn,
    OrganisationList,
    OrganisationOut,
    OrganisationPatch,
    OrgKindName,
    SiteIn,
    SitePatch,
    invitation_out,
    member_out,
    organisation_out,
)
from api.schemas_photos import contact_in
from booking.domain.roles import Actor
from booking.services import contacts, members, organisations
from booking.services.contacts import checked as checked_contact
from booking.services.organisations import OrganisationInput

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
TAGS = ["organisations"]


@post("/api/v1/organisations", tags=TAGS, responses=problems(403), security=SECURITY,
      summary="Create a school, company or region (admin)")
async def create_organisation(
    data: OrganisationIn, member: Actor, now: datetime
) -> OrganisationOut:
    """BRIN is 2 digits + 2 letters, KvK 8 digits passing its check digit; else 422."""
    view = await organisations.create_organisation(member, OrganisationInput(
        kind=data.kind, name=data.name, brin=data.brin, level=data.level, kvk=data.kvk,
        region_id=data.region_id, city=data.city, is_sme=data.is_sme), now)
    return organisation_out(view)


@get("/api/v1/organisations", tags=TAGS, responses=problems(), security=SECURITY)
async def list_organisations(member: Actor, kind: OrgKindName | None = None) -> OrganisationList:
    """The admin: all; others: their own (coordinators also their region's schools)."""
    views = await organisations.list_organisations(member, kind)
    return OrganisationList(items=[organisation_out(v) for v in views])


@get("/api/v1/organisations/{org_id:uuid}", tags=TAGS, responses=problems(404),
     security=SECURITY)
async def get_organisation(member: Actor, org_id: UUID) -> OrganisationOut:
    view = await organisations.get_organisation(member, str(org_id))
    return (await organisations_out([view]))[0]


@patch("/api/v1/organisations/{org_id:uuid}", tags=TAGS, responses=problems(403, 404),
       security=SECURITY)
async def update_organisation(
    member: Actor, org_id: UUID, data: OrganisationPatch
) -> OrganisationOut:
    """Name and city: its managers; BRIN, level, KvK, SME and region: the admin only (403);
    `contact` (whom bookers call): its managers."""
    contact = None if isinstance(data.contact, UnsetType) else contact_in(data.contact)
    if contact is not None:
        checked_contact(contact)  # refused before anything changes
    changes = data.changes()
    if changes or contact is None:
        await organisations.update_organisation(member, str(org_id), changes)
    if contact is not None:
        await contacts.set_organisation_contact(member, str(org_id), contact)
    view = await organisations.get_organisation(member, str(org_id))
    return (await organisations_out([view]))[0]


@post("/api/v1/organisations/{org_id:uuid}/sites", tags=TAGS, responses=problems(403, 404),
      security=SECURITY, summary="Add a site to a school")
async def add_site(member: Actor, org_id: UUID, data: SiteIn) -> SiteOut:
    view = await organisations.add_site(
        member, str(org_id), name=data.name, address=data.address, postcode=data.postcode,
        city=data.city, timezone=data.timezone)
    return site_out(view)


@patch("/api/v1/organisations/{org_id:uuid}/sites/{site_id:uuid}", tags=TAGS,
       responses=problems(403, 404), security=SECURITY)
async def update_site(member: Actor, org_id: UUID, site_id: UUID, data: SitePatch) -> SiteOut:
    """Change a site's name, address, postcode, city or time zone."""
    return site_out(await organisations.update_site(member, str(org_id), str(site_id),
                                                    data.changes()))


@get("/api/v1/organisations/{org_id:uuid}/sites", tags=TAGS, responses=problems(404),
     security=SECURITY)
async def list_sites(member: Actor, org_id: UUID) -> list[SiteOut]:
    return [site_out(s) for s in await organisations.list_sites(member, str(org_id))]


@get("/api/v1/organisations/{org_id:uuid}/members", tags=TAGS, responses=problems(404),
     security=SECURITY)
async def list_members(member: Actor, org_id: UUID) -> MemberList:
    """Its members see the list; managers and the admin change it."""
    return MemberList(items=[member_out(m) for m in await members.list_members(member,
                                                                               str(org_id))])


@patch("/api/v1/organisations/{org_id:uuid}/members/{user_id:uuid}", tags=TAGS,
       responses=problems(403, 404), security=SECURITY)
async def change_member(
    member: Actor, org_id: UUID, user_id: UUID, data: MemberPatch, now: datetime,
) -> MemberOut:
    """Change a member's role (managers, admin); nobody changes their own (403); the last
    manager keeps the role (422)."""
    return member_out(await members.change_role(member, str(org_id), str(user_id), data.role,
                                                now))


@delete("/api/v1/organisations/{org_id:uuid}/members/{user_id:uuid}", tags=TAGS,
        responses=problems(403, 404), security=SECURITY)
async def remove_member(member: Actor, org_id: UUID, user_id: UUID, now: datetime) -> None:
    """Remove a member (managers, admin); the last manager cannot be removed (422)."""
    await members.remove_member(member, str(org_id), str(user_id), now)


@post("/api/v1/organisations/{org_id:uuid}/invitations", tags=TAGS,
      responses=problems(403, 404), security=SECURITY, summary="Invite someone by e-mail")
async def invite(
    request: Request[Any, Any, Any], member: Actor, org_id: UUID, data: InvitationIn,
    now: datetime,
) -> InvitationOut:
    """Mails a one-time link `…/invitations/<token>`, valid 7 days, in `locale`."""
    user = await get_user(request)
    view = await members.invite(member, str(org_id), data.email, data.role, now,
                                locale=data.locale, inviter_name=user.name if user else "")
    return invitation_out(view)


@get("/api/v1/organisations/{org_id:uuid}/invitations", tags=TAGS,
     responses=problems(403, 404), security=SECURITY)
async def list_invitations(member: Actor, org_id: UUID, now: datetime) -> InvitationList:
    """Invitations not yet accepted nor expired (managers, admin)."""
    views = await members.open_invitations(member, str(org_id), now)
    return InvitationList(items=[invitation_out(v) for v in views])


@delete("/api/v1/organisations/{org_id:uuid}/invitations/{invitation_id:uuid}", tags=TAGS,
        responses=problems(403, 404), security=SECURITY)
async def revoke_invitation(
    member: Actor, org_id: UUID, invitation_id: UUID, now: datetime
) -> None:
    await members.revoke_invitation(member, str(org_id), str(invitation_id), now)


ROUTES: list[Any] = [
    create_organisation, list_organisations, get_organisation, update_organisation, add_site,
    update_site, list_sites, list_members, change_member, remove_member, invite, list_invitations,
    revoke_invitation,
]
