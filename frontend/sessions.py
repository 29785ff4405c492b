"""What the pages need from the app's auth (who asks, sessions, CSRF): a port the app factory fills.

The pages import no `api`: `create_app` puts an object of this shape on `app.state.sessions`
(`api.page_sessions.PageSessions`), and handlers get `actor`, `user`, `csrf` and `now` injected.
"""

from __future__ import annotations

from typing import Any, Protocol

from litestar import Response
from litestar.connection import ASGIConnection

from booking.domain.roles import Actor
from booking.services.accounts import LoginLimits, UserInfo

Connection = ASGIConnection[Any, Any, Any, Any]


class Sessions(Protocol):
    """The auth operations a page may use; each is the one rule the JSON API uses too."""

    async def actor(self, connection: Connection) -> Actor:
        """The caller (ANONYMOUS for visitors), loaded once per request."""

    async def user(self, connection: Connection) -> UserInfo | None:
        """The signed-in user with memberships, None for visitors."""

    def csrf(self, connection: Connection) -> str:
        """The session's CSRF token for the `_csrf` form field ("" for visitors)."""

    def client(self, connection: Connection) -> str:
        """The caller's address for rate limits (proxies per settings)."""

    def cookie(self, connection: Connection) -> str | None:
        """The session cookie's value, if the request carries one."""

    def login_limits(self) -> LoginLimits:
        """The throttle's limits for logins and other unauthenticated actions."""

    async def authenticate(self, email: str, password: str, client: str) -> str:
        """The user id for valid credentials; AuthenticationFailed / TooManyAttempts otherwise."""

    async def start(self, user_id: str, response: Response[Any], request: Connection) -> None:
        """A new session for `user_id` (replacing the request's), cookies set on `response`."""

    async def end(self, request: Connection, response: Response[Any]) -> None:
        """Ends the cookie session (if any) and clears its cookies."""


def sessions_of(connection: Connection) -> Sessions:
    """The app's auth port (set by the app factory)."""
    found: Sessions = connection.app.state.sessions
    return found
