"""Dependencies every controller (and page) may use: the actor, `now`, aware-datetime parsing.

App-level providers: `actor` (who asks; ANONYMOUS for visitors), `member` (signed in, else
401), `now` (aware UTC, whole seconds; tests replace the clock via `app.state.clock`).

Every instant a client sends passes `require_aware` (query parameters, in the controllers) or
`api.requests` (JSON bodies, which calls the same checks): it needs an offset and must lie in
[`EARLIEST`, `LATEST`] — so no arithmetic further down (a 30-day default window, a buffer, a
local-time conversion) can overflow Python's years 1–9999.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from api.auth import get_actor
from api.clock import Clock, now_of, system_clock
from api.messages import invalid
from booking.domain.roles import Actor

__all__ = [
    "DEPENDENCIES",
    "EARLIEST",
    "LATEST",
    "Clock",
    "check_date",
    "now_of",
    "parse_aware",
    "require_aware",
    "system_clock",
]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""The earliest instant (and date) the API accepts."""
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""The latest instant (and date) the API accepts."""
_OUT_OF_RANGE = "must lie between 2000-01-01 and 2100-01-01"


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
        raise invalid(field, "not an RFC 3339 date-time") from None
    return require_aware(parsed, field)


def require_aware(value: datetime, field: str) -> datetime:
    """`value` unchanged when it carries an offset and lies in [EARLIEST, LATEST]; 422 naming
    `field` otherwise."""
    if value.utcoffset() is None:
        raise invalid(field, "needs a time-zone offset, e.g. +01:00 or Z")
    if not EARLIEST <= value <= LATEST:  # aware comparison: no conversion, no overflow
        raise invalid(field, _OUT_OF_RANGE)
    return value


def check_date(value: date, field: str) -> date:
    """`value` unchanged when it lies in [EARLIEST, LATEST] (as dates); 422 naming `field`."""
    if not EARLIEST.date() <= value <= LATEST.date():
        raise invalid(field, _OUT_OF_RANGE)
    return value


LANG_COOKIE = "lang"  # the pages' language switch (frontend/templating.py)


def request_locale(request: Request[Any, Any, Any]) -> str:
    """The caller's language ("nl" | "en"): the language cookie, else `Accept-Language`,
    else Dutch."""
    from booking.i18n import negotiate_locale

    accept = request.headers.get("accept-language")
    return negotiate_locale(accept, request.cookies.get(LANG_COOKIE))
