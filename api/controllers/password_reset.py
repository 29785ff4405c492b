"""Password reset by mailed link: `/api/v1/auth/password-reset` and `…/password-reset/{token}`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.auth import client_address
from api.schemas import NewPassword, problems
from booking.services import password_reset


class ResetRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[
        str, msgspec.Meta(min_length=1, max_length=254, examples=["planner@acme.test"])
    ]


class NewPasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    password: NewPassword


Token = Annotated[str, Parameter(min_length=1, max_length=200,
                                 description="The last path segment of the mailed link")]


@post(
    "/api/v1/auth/password-reset",
    tags=["auth"],
    status_code=202,
    responses={202: ResponseSpec(None, description="Accepted (whether or not the address has "
                                                   "an account)"), **problems(429)},
    summary="Ask for a password-reset link by e-mail",
)
async def request_reset(
    request: Request[Any, Any, Any], data: ResetRequestIn, now: datetime
) -> Response[None]:
    """Always 202 — an unknown address looks exactly like a known one; the mail's link works
    once within an hour. 429 (Retry-After) when this address or client asked too often."""
    await password_reset.request_reset(data.email, client_address(request), now)
    return Response(content=None, status_code=202)


@post(
    "/api/v1/auth/password-reset/{token:str}",
    tags=["auth"],
    status_code=204,
    responses={204: ResponseSpec(None, description="Password set; every session and API token "
                                                   "of the person ended"),
               **problems(404, 410)},
    summary="Set a new password with the mailed link's token",
)
async def reset_password(token: Token, data: NewPasswordIn, now: datetime) -> Response[None]:
    """404 for a token that never existed, 410 for a used or expired one, 422 for a password
    shorter than 8 characters."""
    await password_reset.reset_password(token, data.password, now)
    return Response(content=None, status_code=204)


ROUTES: list[Any] = [request_reset, reset_password]
