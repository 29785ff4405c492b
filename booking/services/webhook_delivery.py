"""One webhook delivery: sign the stored body, check the target is public, POST it.

Signature (Stripe-style): `Labshare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
"<t>.<body>")>`; receivers recompute it over the raw body and reject an old `t` (replays).
The target must pass the same private-address rule as calendar imports
(`LABSHARE_IMPORT_ALLOW_PRIVATE`), checked at every attempt because DNS may change.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import httpx

from booking.db import webhooks_store
from booking.services.ics_fetch import FetchError, FetchPolicy, _check_host
from booking.services.mail_transport import PermanentFailure, TemporaryFailure

SIGNATURE_HEADER = "Labshare-Signature"
USER_AGENT = "labshare-webhooks/1.0"
TIMEOUT = 10.0


def signature(secret: str, body: bytes, at: int) -> str:
    """The header value for `body` signed at unix time `at`."""
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """True when `header` is a valid signature of `body` (for receivers and tests)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    expected = signature(secret, body, int(parts["t"])).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts["v1"])


async def deliver_webhook(webhook_id: str | None, url: str, body: str, now: datetime) -> None:
    """POST `body` to `url`; returns on a 2xx, raises TemporaryFailure (retry) otherwise, or
    PermanentFailure when the subscription no longer exists."""
    secret = None if webhook_id is None else await webhooks_store.get_secret(webhook_id)
    if secret is None:
        raise PermanentFailure("the webhook was deleted")
    try:
        await _check_host(url, FetchPolicy.from_env())
    except FetchError as exc:
        raise TemporaryFailure(str(exc)) from None
    raw = body.encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, raw, int(now.timestamp())),
    }
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            response = await client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise TemporaryFailure(f"HTTP {response.status_code}")
