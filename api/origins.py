"""Is a request's `Origin` foreign? The check beside the CSRF token (login CSRF included).

Foreign means neither the origin of `LABSHARE_BASE_URL` nor that of the request's own `Host`;
`Origin: null` (sandboxed frames, privacy redirects) is foreign too. Requests without `Origin`
(curl, integrations, old browsers on same-origin forms) are not judged here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _netloc(scheme: str, host: str, port: int | None) -> str:
    """`host[:port]`, lower-case, without the scheme's default port."""
    host = host.lower()
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return host
    return f"{host}:{port}"


def _origin_netloc(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, _netloc(parts.scheme, parts.hostname, port)


def is_foreign_origin(origin: str, host: str, base_url: str = "") -> bool:
    """True when `origin` (the header's value) is neither `base_url`'s origin nor the origin
    of `host` (the request's `Host` header, over http or https)."""
    sent = _origin_netloc(origin.strip())
    if sent is None:
        return True
    scheme, netloc = sent
    if base_url and _origin_netloc(base_url) == sent:
        return False
    own = _origin_netloc(f"{scheme}://{host.strip()}")
    return own is None or own[1] != netloc
