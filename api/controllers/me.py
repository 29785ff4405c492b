"""The signed-in person's own account: `PATCH|DELETE /api/v1/me`, `GET /api/v1/me/export`,
`POST /api/v1/me/sign-out-everywhere` (GET /api/v1/me lives with sign-in in accounts.py).

`PATCH /api/v1/me` is one handler for two services: the account fields (name, locale, password:
`booking.services.profile`) and the notification choices (reminders, digest:
`booking.services.notice_settings`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec

from api.auth import SESSION_COOKIE, client_address, csrf_token, end_session
from api.controllers.accounts import SECURITY, MeOut, me_out
from api.schemas import NewPassword, problems
from booking.domain.roles import Actor
from booking.services import accounts, notice_settings, privacy, profile


class MePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What a person may change of their own account; anything else (role, organisation,
    e-mail, …) is refused with 422."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    locale: Annotated[str, msgspec.Meta(examples=["nl", "en"])] | None = None
    password: NewPassword | None = None
    current_password: Annotated[str, msgspec.Meta(max_length=1024)] | None = None
    reminders: Annotated[bool | None, msgspec.Meta(
        description="A mail 24 h before each booking starts")] = None
    digest: Annotated[bool | None, msgspec.Meta(
        description="Facility managers: one mail a day instead of one per request")] = None


class MeUpdatedOut(MeOut):
    """The account after the change, with the notification choices now held."""

    reminders: bool = True
    digest: bool = False


async def patch_profile(request: Request[Any, Any, Any], user_id: str, data: MePatch,
                        now: datetime) -> None:
    """The account part of PATCH /me (name, locale, password)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    await profile.update_profile(
        user_id, now=now, client=client_address(request), name=data.name, locale=data.locale,
        password=data.password, current_password=data.current_password,
        keep_session_hash=accounts.digest(cookie) if cookie else None,
    )


@patch("/api/v1/me", tags=["auth"], security=SECURITY, responses=problems(401, 403, 429))
async def update_me(
    request: Request[Any, Any, Any], member: Actor, data: MePatch, now: datetime
) -> MeUpdatedOut:
    """Change name, language or password (`current_password` required; other cookie sessions
    end), turn reminders or the daily digest on or off. 422 for anything else, such as a role,
    an organisation or the e-mail address."""
    assert member.user_id is not None
    await patch_profile(request, member.user_id, data, now)
    choices = await notice_settings.update_choices(
        member.user_id, reminders=data.reminders, digest=data.digest)
    user = await accounts.get_user_info(member.user_id)
    assert user is not None
    me = me_out(user, csrf_token(request))
    return MeUpdatedOut(**{f: getattr(me, f) for f in MeOut.__struct_fields__},
                        reminders=choices.reminders, digest=choices.digest)


@post(
    "/api/v1/me/sign-out-everywhere",
    tags=["auth"],
    status_code=204,
    security=SECURITY,
    responses={204: ResponseSpec(None, description="Every session and API token ended"),
               **problems(401, 403)},
)
async def sign_out_everywhere(
    request: Request[Any, Any, Any], member: Actor, now: datetime
) -> Response[None]:
    """Ends every cookie session (this one too) and every API token of the caller."""
    assert member.user_id is not None
    await profile.sign_out_everywhere(member.user_id, now)
    response: Response[None] = Response(content=None, status_code=204)
    await end_session(request, response)  # the cookies go too
    return response


@get("/api/v1/me/export", tags=["privacy"], security=SECURITY, responses=problems(401))
async def export_me(member: Actor) -> dict[str, Any]:
    """All personal data held on the caller (AVG/GDPR art. 15 and 20): account, memberships,
    sessions and tokens (metadata, never secrets), feeds, bookings they created, reset
    requests, inductions recorded, audit entries by or about them."""
    assert member.user_id is not None
    return await privacy.export(member.user_id)


@delete(
    "/api/v1/me",
    tags=["privacy"],
    status_code=204,
    security=SECURITY,
    responses={204: ResponseSpec(None, description="Anonymised"), **problems(401, 403)},
)
async def delete_me(request: Request[Any, Any, Any], member: Actor, now: datetime
                    ) -> Response[None]:
    """Anonymise the caller: name and e-mail replaced, password unusable, memberships,
    sessions, tokens and feeds ended. Their organisations keep the bookings, without the name."""
    assert member.user_id is not None
    await privacy.anonymise(member.user_id, now, actor_id=member.user_id, reason="request")
    response: Response[None] = Response(content=None, status_code=204)
    await end_session(request, response)  # the cookies go too
    return response


ROUTES: list[Any] = [update_me, sign_out_everywhere, export_me, delete_me]
