"""HTTP methods as RFC 9110 has them, around Litestar's router: HEAD is answered like GET on
every page and endpoint, and `Allow` (on OPTIONS and on 405) lists exactly what the path serves.

Litestar builds a path's OPTIONS answer from the first group of handlers registered on it, so
a path whose GET and POST come from separate handlers answered `Allow: OPTIONS, POST`; its 405
listed no HEAD although HEAD works. Both are rewritten here from the app's merged routes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import cast

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allow(methods: set[str] | frozenset[str]) -> str:
    served = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(m for m in _ORDER if m in served)


def _untyped(path: str) -> str:
    """`/resources/{resource_id:uuid}` as `/resources/{resource_id}`."""
    return _TYPED.sub(r"{\1}", path)


_TYPED = re.compile(r"\{(\w+):[^}]*\}")


def head_as_get(app: ASGIApp) -> ASGIApp:
    """Answer HEAD like GET without the body (RFC 9110 §9.3.2), for every page and endpoint:
    link checkers and calendar clients send HEAD."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = cast("Message", {"type": "http.response.body", "body": b"",
                                           "more_body": False})
            await send(message)

        await app(cast("Scope", {**scope, "method": "GET"}), receive, send_headers_only)

    return middleware


def exact_allow(litestar: Litestar, app: ASGIApp) -> ASGIApp:
    """Rewrite `Allow` on OPTIONS answers and on 405s to every method the path serves."""
    merged: defaultdict[str, set[str]] = defaultdict(set)
    for route in litestar.routes:
        if isinstance(route, HTTPRoute):  # one path may be several routes ({id:str}, {id:uuid})
            merged[_untyped(route.path)] |= route.methods
    by_template = {path: frozenset(methods) for path, methods in merged.items()}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        method = scope["method"]

        async def send_exact(message: Message) -> None:
            if message["type"] == "http.response.start" and (
                message["status"] == 405 or method == "OPTIONS"
            ):
                headers = list(message.get("headers", []))
                old = next((v for k, v in headers if k.lower() == b"allow"), None)
                methods = by_template.get(_untyped(str(scope.get("path_template", ""))))
                if methods is None and old is not None:
                    methods = frozenset(m.strip() for m in old.decode().split(","))
                if methods is not None:
                    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                    headers.append((b"allow", _allow(methods).encode()))
                    message = cast("Message", {**message, "headers": headers})
            await send(message)

        await app(scope, receive, send_exact)

    return middleware
