"""Security headers on every response (pages, API, errors, static files), set in one place.

`security_headers(app, settings)` wraps the whole ASGI app, so nothing a handler, an error
handler or the static router does can leave them out:
- `Content-Security-Policy`: scripts and styles from this origin only (no inline script; style
  *attributes* are allowed for the server-computed positions of the week and board views),
  `frame-ancestors 'none'` (no clickjacking), `form-action 'self'`, `base-uri 'none'`; the
  interactive API docs under `/schema` get the CDN their renderers load from.
- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older browsers),
  `Referrer-Policy: same-origin` (feed and manage URLs never leak to other sites),
  `Permissions-Policy` switching off camera, microphone, geolocation, payment and USB,
  `Cross-Origin-Opener-Policy: same-origin`.
- HSTS and the `Secure` flag on every cookie when `LABSHARE_BASE_URL` is https://, the
  request itself came over https, or a trusted proxy says so (`X-Forwarded-Proto: https` with
  `LABSHARE_TRUST_FORWARDED=1`).
- `Cache-Control: no-store` on every response to a request that carries credentials (a bearer
  token or the session cookie) and on every response that sets a cookie — except static files
  and photo files (content-hashed URLs whose handler says `private` where it matters).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.types import ASGIApp, Receive, Send

from booking.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_CDN = "https://cdn.jsdelivr.net https://unpkg.com"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com data:; img-src 'self' data: https:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""Only for the HTML renderers of the OpenAPI document (Redoc, Swagger, …), never for pages."""
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SESSION_COOKIE_NAME = b"labshare_session"

_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _is_docs(path: str) -> bool:
    return path.startswith("/schema") and not path.endswith((".json", ".yaml", ".yml"))


def _has_credentials(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"authorization":
            return True
        if name == b"cookie" and SESSION_COOKIE_NAME + b"=" in value:
            return True
    return False


def _secure_cookie(value: bytes) -> bytes:
    return value if b"secure" in value.lower() else value + b"; Secure"


def security_headers(app: ASGIApp, settings: Settings) -> ASGIApp:
    """`app` with the headers above on every HTTP response."""
    https_base = settings.base_url.startswith("https://")

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        secure = https_base or scope.get("scheme") == "https" or (
            settings.trust_forwarded
            and (b"x-forwarded-proto", b"https") in scope["headers"]
        )
        personal = _has_credentials(scope["headers"]) and not path.startswith(
            ("/static/", "/photos/"))  # photos: content-hashed, their own Cache-Control

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _amend(list(message.get("headers") or []))}
            await send(message)

        def _amend(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
            present = {name.lower() for name, _ in headers}
            sets_cookie = b"set-cookie" in present
            if secure:
                headers = [(n, _secure_cookie(v) if n.lower() == b"set-cookie" else v)
                           for n, v in headers]
                headers.append((b"strict-transport-security", HSTS.encode()))
            if personal or sets_cookie:
                headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                headers.append((b"cache-control", b"no-store"))
            if b"content-security-policy" not in present:
                headers.append((b"content-security-policy",
                                (DOCS_CSP if _is_docs(path) else CSP).encode()))
            headers.extend(h for h in _ALWAYS if h[0] not in present)
            return headers

        await app(scope, receive, send_with_headers)

    return middleware
