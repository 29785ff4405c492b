"""Who is asking: session cookies, bearer tokens, CSRF — shared by the JSON API and the pages.

The pages reach these through `app.state.sessions` (`api.page_sessions`), never by import:
- `await get_actor(request) -> Actor` — ANONYMOUS for visitors; cached per request.
- `await get_user(request) -> UserInfo | None` — id, email, name, locale, memberships.
- `await authenticate(email, password, client) -> user_id` — raises AuthenticationFailed (401)
  or TooManyAttempts (429, `.retry_after`); `client` is `client_address(request)`.
- `await start_session(user_id, response_or_none, request=None) -> (cookie_value, csrf)` —
  stores the session and, given a response, sets both cookies on it.
- `set_session_cookie(response, value, secure)`; `await end_session(request, response)`.
- `csrf_token(request) -> str` — the session's token for the `_csrf` form field ("" for
  visitors, who need none).

Cookies: `labshare_session` (HttpOnly, SameSite=Lax; Secure over https and whenever
`LABSHARE_BASE_URL` is https://, see `is_secure`) and the readable
`labshare_csrf`. Every unsafe request (POST/PUT/PATCH/DELETE) authenticated by the session cookie
must carry the session's CSRF token in the `X-CSRF-Token` header or the `_csrf` form field, else
403; bearer-token requests are exempt, and so are handlers with `opt={"csrf_exempt": True}`.
An `Authorization: Bearer` header that names no live token answers 401. Beside the token,
every unsafe request not authenticated by a bearer token (so logins too) that carries a foreign
`Origin` (`api.origins`) is refused with 403; a request without `Origin` is not judged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from api.clock import now_of, system_clock
from api.origins import is_foreign_origin
from booking.domain.roles import ANONYMOUS, Actor
from booking.services import accounts
from booking.services.accounts import UserInfo
from booking.services.actors import load_actor
from booking.settings import get_settings

SESSION_COOKIE = "labshare_session"
CSRF_COOKIE = "labshare_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

__all__ = [
    "ANONYMOUS",
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "UserInfo",
    "authenticate",
    "client_address",
    "csrf_token",
    "end_session",
    "get_actor",
    "get_user",
    "set_session_cookie",
    "start_session",
]


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str | None
    via: str | None = None  # "session" | "token"
    csrf: str = ""


_NOBODY = Identity(None)


async def identify(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The caller's identity, resolved once per request (bearer token first, then the cookie)."""
    cached = getattr(connection.state, "identity", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    identity = _NOBODY
    header = connection.headers.get("authorization")
    if header:
        scheme, _, secret = header.partition(" ")
        user_id = None
        if scheme.lower() == "bearer":
            user_id = await accounts.token_user(secret.strip(), now_of(connection))
        if user_id is None:
            raise NotAuthorizedException("unknown or revoked bearer token")
        identity = Identity(user_id, "token")
    elif value := connection.cookies.get(SESSION_COOKIE):
        session = await accounts.session_user(value, now_of(connection))
        if session is not None:
            identity = Identity(session.user_id, "session", session.csrf_token)
    connection.state.identity = identity
    return identity


async def get_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The Actor of this request (ANONYMOUS for visitors), loaded once per request."""
    cached = getattr(connection.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    identity = await identify(connection)
    actor = ANONYMOUS if identity.user_id is None else await load_actor(
        identity.user_id, now_of(connection))
    connection.state.actor = actor
    return actor


async def get_user(connection: ASGIConnection[Any, Any, Any, Any]) -> UserInfo | None:
    """The signed-in user with memberships, None for visitors."""
    identity = await identify(connection)
    if identity.user_id is None:
        return None
    return await accounts.get_user_info(identity.user_id)


def csrf_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The session's CSRF token for forms; "" for visitors and bearer-token callers.

    Sync: the identity is resolved before every handler runs (see `AuthMiddleware`)."""
    identity = getattr(connection.state, "identity", None)
    return identity.csrf if identity is not None else ""


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The caller's address for rate limits (`X-Forwarded-For` only when trusted)."""
    if get_settings().trust_forwarded:
        forwarded = connection.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    client = connection.client
    return (client.host if client else "unknown")[:64]


async def authenticate(email: str, password: str, client: str) -> str:
    """The user id for valid credentials; AuthenticationFailed / TooManyAttempts otherwise."""
    settings = get_settings()
    limits = accounts.LoginLimits(
        window=timedelta(minutes=settings.login_window_minutes),
        per_account=settings.login_max_failures_account,
        per_client=settings.login_max_failures_client,
        max_delay=timedelta(seconds=settings.login_max_delay_seconds),
    )
    return await accounts.authenticate(email, password, client, system_clock(), limits)


def is_secure(connection: ASGIConnection[Any, Any, Any, Any] | None) -> bool:
    """Whether cookies get the Secure flag: forced by settings, a https:// base URL, a request
    over https, or (behind a trusted proxy) `X-Forwarded-Proto: https`."""
    settings = get_settings()
    if settings.secure_cookies or settings.base_url.startswith("https://"):
        return True
    if connection is None:
        return False
    if settings.trust_forwarded and connection.headers.get("x-forwarded-proto") == "https":
        return True
    return connection.url.scheme == "https"


_FOREIGN_ORIGIN = (
    b'{"type":"/problems/forbidden","title":"Forbidden","status":403,'
    b'"detail":"this request comes from another site (Origin)"}'
)


async def _refuse_foreign_origin(send: Any) -> None:
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(_FOREIGN_ORIGIN)).encode()),
    ]})
    await send({"type": "http.response.body", "body": _FOREIGN_ORIGIN})


def set_session_cookie(response: Response[Any], value: str, secure: bool) -> None:
    """The HttpOnly session cookie (SameSite=Lax; Secure when served over https)."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=get_settings().session_days * 86400,
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def set_csrf_cookie(response: Response[Any], csrf: str, secure: bool) -> None:
    """The readable CSRF cookie, for scripts that send `X-CSRF-Token`."""
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=get_settings().session_days * 86400,
        path="/",
        httponly=False,
        secure=secure,
        samesite="lax",
    )


async def start_session(
    user_id: str,
    response: Response[Any] | None = None,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> tuple[str, str]:
    """A new session for `user_id`: `(cookie_value, csrf_token)`; sets the cookies on
    `response` when given (Secure when `request` came over https or settings say so)."""
    now = now_of(request) if request is not None else system_clock()
    lifetime = timedelta(days=get_settings().session_days)
    session = await accounts.start_session(user_id, now, lifetime)
    if request is not None:
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            await accounts.end_session(old)  # no session fixation: a login replaces it
        request.state.identity = Identity(user_id, "session", session.csrf_token)
        request.state.actor = None
    if response is not None:
        secure = is_secure(request)
        set_session_cookie(response, session.cookie_value, secure)
        set_csrf_cookie(response, session.csrf_token, secure)
    return session.cookie_value, session.csrf_token


async def end_session(request: ASGIConnection[Any, Any, Any, Any], response: Response[Any]) -> None:
    """Ends the cookie session (if any) and clears both cookies; bearer tokens stay valid."""
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        await accounts.end_session(value)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    request.state.identity = _NOBODY
    request.state.actor = ANONYMOUS


class AuthMiddleware(ASGIMiddleware):
    """Resolves the caller before every handler (so `csrf_token` is sync) and refuses
    cookie-authenticated unsafe requests without the session's CSRF token (403), and unsafe
    requests not made with a bearer token that carry a foreign `Origin` (403, before the
    handler: a login from another site never runs).

    A middleware rather than a `before_request` hook, so that no layer can override it."""

    scopes = (ScopeType.HTTP,)
    # feeds authenticate by the secret token in their URL, not by session or bearer
    exclude_path_pattern = ("^/static/", "^/schema", "^/healthz", "^/feeds/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        unsafe = request.method not in SAFE_METHODS
        origin = request.headers.get("origin")
        if (unsafe and origin is not None and "authorization" not in request.headers
                and is_foreign_origin(origin, request.headers.get("host", ""),
                                      get_settings().base_url)):
            await _refuse_foreign_origin(send)
            return
        identity = await identify(request)
        if (
            identity.via == "session"
            and unsafe
            and not scope["route_handler"].opt.get("csrf_exempt")
        ):
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent and request.content_type[0] in _FORM_TYPES:
                sent = str((await request.form()).get(CSRF_FIELD) or "")
            if not (sent and secrets.compare_digest(sent.encode(), identity.csrf.encode())):
                raise PermissionDeniedException(
                    "missing or wrong CSRF token (X-CSRF-Token header or _csrf form field)"
                )
        await next_app(scope, receive, send)


def login_limits() -> accounts.LoginLimits:
    """The login throttle's limits from the settings; other unauthenticated actions (sign-up)
    are throttled by the same numbers."""
    settings = get_settings()
    return accounts.LoginLimits(
        window=timedelta(minutes=settings.login_window_minutes),
        per_account=settings.login_max_failures_account,
        per_client=settings.login_max_failures_client,
    )
