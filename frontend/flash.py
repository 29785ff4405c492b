"""One-time messages after an action ("Boeking bevestigd"), kept in a signed cookie.

A cookie works for visitors and signed-in users alike and needs no process memory, so any worker
can show a message another worker stored. Messages are stored as English gettext ids plus
parameters and translated when shown, so they follow a language switch.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

FLASH_COOKIE = "flash"
KINDS = ("success", "info", "warning", "error")
MAX_MESSAGES = 4


@dataclass(frozen=True, slots=True)
class Flash:
    """A message id (English, translated on display), its `%(name)s` parameters and a kind."""

    message: str
    kind: str = "success"
    params: dict[str, str | int] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _secret() -> bytes:
    """`LABSHARE_SECRET_KEY`, else a key file in the data directory shared by all local workers."""
    configured = os.environ.get("LABSHARE_SECRET_KEY")
    if configured:
        return configured.encode()
    path = Path(os.environ.get("LABSHARE_DATA_DIR", "data")).resolve() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def _sign(payload: bytes) -> str:
    mac = hmac.new(_secret(), payload, hashlib.sha256).digest()[:16]
    return _b64(payload) + "." + _b64(mac)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def read_flashes(request: Request[Any, Any, Any]) -> list[Flash]:
    """The messages waiting in the request's cookie; a forged or broken cookie gives none."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return []
    body, _, mac = raw.partition(".")
    try:
        payload = _unb64(body)
        if not hmac.compare_digest(_sign(payload).partition(".")[2], mac):
            return []
        items = json.loads(payload)
        return [
            Flash(str(i["m"]), i["k"] if i.get("k") in KINDS else "info", dict(i.get("p", {})))
            for i in items
        ][:MAX_MESSAGES]
    except (ValueError, KeyError, TypeError):
        return []


def flash_cookie(messages: list[Flash]) -> Cookie:
    """A cookie holding `messages` (short-lived, HttpOnly, SameSite=Lax)."""
    payload = json.dumps(
        [{"m": f.message, "k": f.kind, "p": f.params} for f in messages[-MAX_MESSAGES:]],
        separators=(",", ":"),
    ).encode()
    return Cookie(
        key=FLASH_COOKIE, value=_sign(payload), path="/", httponly=True, samesite="lax", max_age=300
    )


def clear_cookie() -> Cookie:
    """The cookie that removes shown messages."""
    return Cookie(key=FLASH_COOKIE, value="", path="/", httponly=True, samesite="lax", max_age=0)
