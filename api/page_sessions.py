"""The app's auth as the pages see it (`frontend.sessions.Sessions`), put on `app.state` by
`create_app`, so that `frontend/` imports nothing from `api/`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Response
from litestar.connection import ASGIConnection

from api import auth
from booking.domain.roles import Actor
from booking.services.accounts import LoginLimits, UserInfo

Connection = ASGIConnection[Any, Any, Any, Any]


class PageSessions:
    """Delegates to `api.auth`: the same rules for pages and the JSON API."""

    async def actor(self, connection: Connection) -> Actor:
        """The caller (ANONYMOUS for visitors), loaded once per request."""
        return await auth.get_actor(connection)

    async def user(self, connection: Connection) -> UserInfo | None:
        """The signed-in user with memberships, None for visitors."""
        return await auth.get_user(connection)

    def csrf(self, connection: Connection) -> str:
        """The session's CSRF token for the `_csrf` form field ("" for visitors)."""
        return auth.csrf_token(connection)

    def client(self, connection: Connection) -> str:
        """The caller's address for rate limits (proxies per settings)."""
        return auth.client_address(connection)

    def cookie(self, connection: Connection) -> str | None:
        """The session cookie's value, if the request carries one."""
        return connection.cookies.get(auth.SESSION_COOKIE)

    def login_limits(self) -> LoginLimits:
        """The throttle's limits for logins and other unauthenticated actions."""
        return auth.login_limits()

    async def authenticate(self, email: str, password: str, client: str) -> str:
        """The user id for valid credentials; AuthenticationFailed / TooManyAttempts otherwise."""
        return await auth.authenticate(email, password, client)

    async def start(self, user_id: str, response: Response[Any], request: Connection) -> None:
        """A new session for `user_id` (replacing the request's), cookies set on `response`."""
        await auth.start_session(user_id, response, request)

    async def end(self, request: Connection, response: Response[Any]) -> None:
        """Ends the cookie session (if any) and clears its cookies."""
        await auth.end_session(request, response)


if TYPE_CHECKING:  # mypy holds this class to the pages' port
    from frontend.sessions import Sessions

    _CONFORMS: Sessions = PageSessions()
