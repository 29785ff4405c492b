"""`GET /.well-known/security.txt` (RFC 9116): whom to tell about a vulnerability, from settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, get
from litestar.response import Response

from api.clock import now_of
from booking.settings import Settings, get_settings

VALID_FOR = timedelta(days=365)


def security_contact(settings: Settings) -> str:
    """`LABSHARE_SECURITY_CONTACT`, else `mailto:security@<host of the public base URL>`."""
    if settings.security_contact:
        return settings.security_contact
    host = urlsplit(settings.public_base_url).hostname or "localhost"
    return f"mailto:security@{host}"


@get("/.well-known/security.txt", tags=["operations"], media_type="text/plain",
     summary="Where to report a vulnerability (RFC 9116)")
async def security_txt(request: Request[Any, Any, Any]) -> Response[str]:
    """Contact (`LABSHARE_SECURITY_CONTACT`), an expiry a year ahead, languages, canonical URL."""
    settings = getattr(request.app.state, "settings", None) or get_settings()
    expires = (now_of(request) + VALID_FOR).replace(hour=0, minute=0, second=0)
    body = (
        f"Contact: {security_contact(settings)}\n"
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "Preferred-Languages: nl, en\n"
        f"Canonical: {settings.public_base_url}/.well-known/security.txt\n"
    )
    return Response(body, media_type="text/plain; charset=utf-8")


ROUTES: list[Any] = [security_txt]
