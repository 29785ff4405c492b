"""Dependencies every controller (and page) may use: the actor, `now`, aware-datetime parsing.

App-level providers: `actor` (who asks; ANONYMOUS for visitors), `member` (signed in, else
401), `now` (aware UTC, whole seconds; tests replace the clock via `app.state.clock`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, ValidationException

from api.auth import get_actor
from api.clock import Clock, now_of, system_clock
from booking.domain.roles import Actor

__all__ = ["DEPENDENCIES", "Clock", "now_of", "parse_aware", "require_aware", "system_clock"]


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return await get_actor(request)


async def provide_member(request: Request[Any, Any, Any]) -> Actor:
    actor = await get_actor(request)
    if actor.is_anonymous:
        raise NotAuthorizedException("sign in first")
    return actor


def provide_now(request: Request[Any, Any, Any]) -> datetime:
    return now_of(request)


DEPENDENCIES = {
    "actor": Provide(provide_actor),
    "member": Provide(provide_member),
    "now": Provide(provide_now, sync_to_thread=False),
}


def parse_aware(value: str, field: str) -> datetime:
    """An RFC 3339 date-time with an offset; ValidationException (422) naming `field` otherwise."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _invalid(field, "not an RFC 3339 date-time") from None
    if parsed.utcoffset() is None:
        raise _invalid(field, "needs a time-zone offset, e.g. +01:00 or Z")
    return parsed


def require_aware(value: datetime, field: str) -> datetime:
    """`value` unchanged when it carries an offset; 422 naming `field` otherwise."""
    if value.utcoffset() is None:
        raise _invalid(field, "needs a time-zone offset, e.g. +01:00 or Z")
    return value


def _invalid(field: str, message: str) -> ValidationException:
    return ValidationException(detail=message, extra=[{"key": field, "message": message}])


LANG_COOKIE = "lang"  # the pages' language switch (frontend/templating.py)


def request_locale(request: Request[Any, Any, Any]) -> str:
    """The caller's language ("nl" | "en"): the language cookie, else `Accept-Language`,
    else Dutch."""
    from booking.i18n import negotiate_locale

    accept = request.headers.get("accept-language")
    return negotiate_locale(accept, request.cookies.get(LANG_COOKIE))
