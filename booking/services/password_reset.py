"""Password reset by a mailed one-time link: no account enumeration, 1 h, single use.

`request_reset` answers the same way whether or not the address has an account (the API says
202 either way): it writes one `password_resets` row in both cases (the throttle counts
strangers' addresses too) and only for a real, active account a token and the mail. The link's
token is 256 random bits; only its SHA-256 is stored, looked up by that digest and compared in
constant time. `reset_password` uses it once, sets the password and ends every cookie session
and API token of the person, in one transaction with its audit entry.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta

from booking.db import accounts_store, privacy_store
from booking.db.actor_store import memberships as load_memberships
from booking.db.engine import transaction
from booking.domain.errors import Gone, NotFound
from booking.domain.passwords import check_new_password
from booking.services import accounts, audit
from booking.services.outbox import enqueue_mail

RESET_LIFETIME = timedelta(hours=1)


def reset_path(token: str) -> str:
    """The path of the page behind the mail's link (the mail makes it absolute)."""
    return f"/password-reset/{token}"


async def request_reset(
    email: str, client: str, now: datetime,
    limits: accounts.ResetLimits | None = None,
) -> str | None:
    """Start a reset for `email`: when the address has an active account, a new link is mailed
    (through the outbox, in this transaction) and its token returned — never show it to whoever
    asked; else None, and the caller answers alike.

    Raises TooManyAttempts when this address or client asked too often (counted alike for
    unknown addresses)."""
    email = accounts.normalise_email(email)[:254]
    email_hash = accounts.digest(email)
    await accounts.check_reset_throttle(email_hash, client, now, limits or accounts.ResetLimits())
    token = secrets.token_urlsafe(32)
    async with transaction():
        user = await privacy_store.reset_target(email)
        await privacy_store.insert_reset(
            user_id=str(user["id"]) if user else None, email_hash=email_hash,
            client=client[:64], token_hash=accounts.digest(token) if user else None,
            now=now, expires_at=now + RESET_LIFETIME,
        )
        if user is not None:
            await enqueue_mail(
                to_email=user["email"], to_name=user["name"], locale=user["locale"],
                template="password_reset", now=now,
                context={"name": user["name"], "link": reset_path(token),
                         "minutes": int(RESET_LIFETIME.total_seconds() // 60)},
            )
    if secrets.randbelow(50) == 0:
        await privacy_store.purge_resets(now - timedelta(days=1))
    return token if user is not None else None


async def check_link(token: str, now: datetime) -> str:
    """The user id of a usable link; NotFound for an unknown token, Gone when used or expired."""
    if not token or len(token) > 200:
        raise NotFound("no such link")
    wanted = accounts.digest(token)
    row = await privacy_store.find_reset(wanted)
    if row is None or not secrets.compare_digest(str(row["token_hash"]), wanted):
        raise NotFound("no such link")
    if row["used_at"] is not None or row["expires_at"] <= now:
        raise Gone("this link was used or has expired; ask for a new one")
    return str(row["user_id"])


async def reset_password(token: str, password: str, now: datetime) -> str:
    """Set a new password through a link; returns the user id. The link works once, within
    RESET_LIFETIME; every cookie session and API token of the person ends, and every other
    open link of theirs stops working. Raises NotFound, Gone, RuleViolation (password)."""
    check_new_password(password)
    await check_link(token, now)  # fail fast before paying for the hash
    new_hash = await asyncio.to_thread(accounts.hash_password, password)
    async with transaction():
        row = await privacy_store.find_reset(accounts.digest(token))
        if row is None:
            raise NotFound("no such link")
        if row["expires_at"] <= now or not await privacy_store.use_reset(str(row["id"]), now):
            raise Gone("this link was used or has expired; ask for a new one")
        user_id = str(row["user_id"])
        await accounts_store.set_password_hash(user_id, new_hash)
        sessions, tokens = await privacy_store.end_access(user_id)
        await privacy_store.retire_resets(user_id, now)
        await audit.record(
            action="user.password_reset", object_type="user", object_id=user_id,
            summary=f"password reset by e-mail link; {sessions} session(s) and {tokens} API "
                    "token(s) ended",
            at=now, actor_id=user_id,
            organisation_ids=[m.organisation_id for m in await load_memberships(user_id)],
        )
    return user_id
