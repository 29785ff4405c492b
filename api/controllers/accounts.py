"""Sign in and out, who am I, API tokens: `/api/v1/auth/*`, `/api/v1/me`, `/api/v1/tokens`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.openapi.datastructures import ResponseSpec

from api.auth import (
    authenticate,
    client_address,
    csrf_token,
    end_session,
    get_user,
    is_secure,
    set_csrf_cookie,
    set_session_cookie,
    start_session,
)
from api.schemas import problems
from booking.domain.roles import Actor
from booking.services import accounts
from booking.services.accounts import UserInfo

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[
        str, msgspec.Meta(min_length=3, max_length=254, examples=["planner@acme.test"])
    ]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class MembershipOut(msgspec.Struct):
    organisation_id: str
    organisation_name: str
    kind: Annotated[str, msgspec.Meta(examples=["company"])]
    role: Annotated[str, msgspec.Meta(examples=["booker"])]


class MeOut(msgspec.Struct):
    id: str
    email: str
    name: str
    locale: str
    memberships: list[MembershipOut]
    csrf_token: Annotated[
        str, msgspec.Meta(description="Send as X-CSRF-Token on unsafe cookie requests; '' else")
    ]


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["ERP koppeling"])]


class TokenOut(msgspec.Struct):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(msgspec.Struct):
    id: str
    name: str
    token: Annotated[str, msgspec.Meta(description="Shown once: use as `Authorization: Bearer`")]
    created_at: datetime


class TokenList(msgspec.Struct):
    items: list[TokenOut]
    next_cursor: str | None = None


def me_out(user: UserInfo, csrf: str) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        csrf_token=csrf,
        memberships=[
            MembershipOut(m.organisation_id, m.organisation_name, m.organisation_kind.value, m.role)
            for m in user.memberships
        ],
    )


@post(
    "/api/v1/auth/login",
    tags=["auth"],
    status_code=200,
    opt={"csrf_exempt": True},
    responses=problems(401, 429),
    summary="Sign in: sets the session cookie",
)
async def login(request: Request[Any, Any, Any], data: LoginIn) -> Response[MeOut]:
    """Answers the signed-in user and the CSRF token; 429 with Retry-After after too many
    failures for the account or the client address."""
    user_id = await authenticate(data.email, data.password, client_address(request))
    cookie, csrf = await start_session(user_id, None, request)
    user = await accounts.get_user_info(user_id)
    assert user is not None
    response = Response(me_out(user, csrf))
    secure = is_secure(request)
    set_session_cookie(response, cookie, secure)
    set_csrf_cookie(response, csrf, secure)
    return response


@post(
    "/api/v1/auth/logout",
    tags=["auth"],
    status_code=204,
    responses={204: ResponseSpec(None, description="Signed out"), **problems(403)},
    summary="End the cookie session (bearer tokens stay valid)",
)
async def logout(request: Request[Any, Any, Any]) -> Response[None]:
    response: Response[None] = Response(content=None, status_code=204)
    await end_session(request, response)
    return response


@get("/api/v1/me", tags=["auth"], responses=problems(401), security=SECURITY)
async def me(request: Request[Any, Any, Any], member: Actor) -> MeOut:
    """The signed-in user, memberships and the session's CSRF token."""
    user = await get_user(request)
    assert user is not None
    return me_out(user, csrf_token(request))


@post(
    "/api/v1/tokens",
    tags=["auth"],
    responses=problems(401, 403),
    security=SECURITY,
    summary="Create an API token (shown once)",
)
async def create_token(data: TokenIn, member: Actor, now: datetime) -> NewTokenOut:
    assert member.user_id is not None
    view, secret = await accounts.create_token(member.user_id, data.name, now)
    return NewTokenOut(id=view.id, name=view.name, token=secret, created_at=view.created_at)


@get("/api/v1/tokens", tags=["auth"], responses=problems(401), security=SECURITY)
async def list_tokens(member: Actor) -> TokenList:
    """The caller's tokens (never the secrets)."""
    assert member.user_id is not None
    views = await accounts.list_tokens(member.user_id)
    return TokenList(
        items=[TokenOut(v.id, v.name, v.created_at, v.last_used_at) for v in views]
    )


@delete(
    "/api/v1/tokens/{token_id:uuid}",
    tags=["auth"],
    responses=problems(401, 403, 404),
    security=SECURITY,
)
async def delete_token(member: Actor, token_id: UUID, now: datetime) -> None:
    """Revoke one of the caller's tokens; another user's token answers 404."""
    assert member.user_id is not None
    await accounts.delete_token(member.user_id, str(token_id), now)


ROUTES: list[Any] = [login, logout, me, create_token, list_tokens, delete_token]
