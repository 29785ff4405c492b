"""One-time links and partnerships: invitation acceptance, company sign-up and its
confirmation, `/api/v1/partnerships` (API.md part 2). Thin: parse, call the services, render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, delete, get, patch, post
from litestar.params import Parameter

from api.auth import client_address, login_limits
from api.deps import check_date
from api.schemas import problems
from api.schemas_onboarding import (
    AcceptedOut,
    AcceptIn,
    ConfirmedOut,
    InvitationOut,
    PartnershipIn,
    PartnershipList,
    PartnershipOut,
    PartnershipPatch,
    SignupAccepted,
    SignupIn,
    SignupOut,
    invitation_out,
    partnership_out,
)
from booking.domain.roles import Actor
from booking.services import members, organisations, signup

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
Token = Annotated[str, Parameter(max_length=200, description="The link's token")]


@get("/api/v1/invitations/{token:str}", tags=["organisations"], responses=problems(404, 410))
async def read_invitation(token: Token, now: datetime) -> InvitationOut:
    """What the link offers; 410 (in words) when used or expired."""
    return invitation_out(await members.read_invitation(token, now))


@post("/api/v1/invitations/{token:str}/accept", tags=["organisations"], status_code=200,
      responses=problems(404, 410))
async def accept_invitation(
    actor: Actor, token: Token, now: datetime, data: AcceptIn | None = None
) -> AcceptedOut:
    """Signed in: the membership is added to the caller. Otherwise `{name, password}` create
    the account of the invited address (422 when it already has one: sign in first)."""
    body = data or AcceptIn()
    done = await members.accept_invitation(
        actor, token, now, name=body.name, password=body.password, locale=body.locale)
    return AcceptedOut(done.user_id, done.organisation_id, done.role, done.new_account)


@post("/api/v1/signup", tags=["organisations"], status_code=202, responses=problems(429),
      summary="A company signs up (mails a confirmation link)")
async def request_signup(
    request: Request[Any, Any, Any], data: SignupIn, now: datetime
) -> Response[SignupAccepted]:
    """202 whatever the address (no account enumeration); 422 only for a KvK number that fails
    its check digit (or a malformed body); 429 when throttled like login."""
    await signup.request_signup(
        signup.SignupInput(data.company_name, data.kvk, data.name, data.email, data.password,
                           data.locale),
        client_address(request), now, limits=login_limits())
    return Response(SignupAccepted("check your mailbox for the confirmation link"),
                    status_code=202)


@get("/api/v1/signup/{token:str}", tags=["organisations"], responses=problems(404, 410))
async def read_signup(token: Token, now: datetime) -> SignupOut:
    view = await signup.read_signup(token, now)
    return SignupOut(view.company_name, view.kvk, view.name, view.email)


@post("/api/v1/signup/{token:str}", tags=["organisations"], status_code=201,
      responses=problems(404, 410), summary="Confirm a sign-up: the company exists")
async def confirm_signup(token: Token, now: datetime) -> ConfirmedOut:
    """The company exists with this person as its `company_admin`; 410 when used or expired."""
    done = await signup.confirm_signup(token, now)
    return ConfirmedOut(done.organisation_id, done.user_id)


def _dates(valid_from: date | None, valid_to: date | None) -> tuple[date | None, date | None]:
    return (None if valid_from is None else check_date(valid_from, "valid_from"),
            None if valid_to is None else check_date(valid_to, "valid_to"))


@post("/api/v1/partnerships", tags=["organisations"], responses=problems(403),
      security=SECURITY, summary="Make a company a partner of a school")
async def create_partnership(member: Actor, data: PartnershipIn, now: datetime) -> PartnershipOut:
    """The school's facility managers, its region's coordinator, the admin; the company by id
    or KvK number. Prices and `bookable_by: partners` follow from the next request on."""
    start, end = _dates(data.valid_from, data.valid_to)
    view = await organisations.create_partnership(
        member, school_id=data.school_id, company_id=data.company_id,
        company_kvk=data.company_kvk, valid_from=start, valid_to=end, now=now)
    return partnership_out(view)


@get("/api/v1/partnerships", tags=["organisations"], responses=problems(), security=SECURITY)
async def list_partnerships(
    member: Actor, now: datetime, school: UUID | None = None
) -> PartnershipList:
    """What the caller may see: the admin all, a school its own, a coordinator its region's,
    a company its own; `active` says whether it holds today."""
    views = await organisations.list_partnerships(
        member, now, None if school is None else str(school))
    return PartnershipList(items=[partnership_out(v) for v in views])


@get("/api/v1/partnerships/{partnership_id:uuid}", tags=["organisations"],
     responses=problems(404), security=SECURITY)
async def get_partnership(member: Actor, partnership_id: UUID, now: datetime) -> PartnershipOut:
    return partnership_out(await organisations.get_partnership(member, str(partnership_id), now))


@patch("/api/v1/partnerships/{partnership_id:uuid}", tags=["organisations"],
       responses=problems(403, 404), security=SECURITY)
async def update_partnership(
    member: Actor, partnership_id: UUID, data: PartnershipPatch, now: datetime
) -> PartnershipOut:
    """New validity dates (both given; null means open-ended)."""
    start, end = _dates(data.valid_from, data.valid_to)
    return partnership_out(await organisations.update_partnership(
        member, str(partnership_id), start, end, now))


@delete("/api/v1/partnerships/{partnership_id:uuid}", tags=["organisations"],
        responses=problems(403, 404), security=SECURITY)
async def delete_partnership(member: Actor, partnership_id: UUID) -> None:
    await organisations.delete_partnership(member, str(partnership_id))


ROUTES: list[Any] = [
    read_invitation, accept_invitation, request_signup, read_signup, confirm_signup,
    create_partnership, list_partnerships, get_partnership, update_partnership,
    delete_partnership,
]
