"""The one guard of the pages: who may enter (visitors go to sign in, others get 403).

`guards=[signed_in]` or `guards=[requires(staff)]` on a route or a Router; the pages' exception
handlers (`frontend.errors`) turn the refusals into the redirect to `/login?next=…` (401) and
the 403 page. The handler then takes the signed-in `actor: Actor` as an injected parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from booking.domain.roles import Actor
from frontend.rendering import current_actor

GUARDS: dict[Guard, Callable[[Actor], bool] | None] = {}
"""Every guard `requires` made, with the role test it adds to being signed in (for the tests)."""


def requires(allowed: Callable[[Actor], bool] | None = None) -> Guard:
    """A guard letting in signed-in people for whom `allowed(actor)` holds (all, by default)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = await current_actor(connection)
        if actor.is_anonymous:
            raise NotAuthorizedException("sign in first")
        if allowed is not None and not allowed(actor):
            raise PermissionDeniedException("not for your role")

    GUARDS[guard] = allowed
    return guard


def staff(actor: Actor) -> bool:
    """A member of a school's staff, or an admin."""
    return bool(actor.staff_school_ids or actor.is_admin)


def booker(actor: Actor) -> bool:
    """A member of a company (who books)."""
    return bool(actor.company_ids)


def admin(actor: Actor) -> bool:
    """An administrator."""
    return actor.is_admin


signed_in = requires()
"""Any signed-in person."""
