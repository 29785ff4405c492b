"""Personal data in the database: password-reset links, ending a person's access, anonymising,
the last-seen stamp and what the personal-data export reads.

Reset links are stored as SHA-256 digests only; a row exists for every request (address known
or not) so that the throttle counts strangers' addresses too.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from booking.db.sql import Row, execute, fetch, fetch_one
from booking.domain.instants import utc

# password resets -----------------------------------------------------------------------------


async def insert_reset(
    *, user_id: str | None, email_hash: str, client: str, token_hash: str | None,
    now: datetime, expires_at: datetime,
) -> None:
    await execute(
        'INSERT INTO password_resets (id, "user", email_hash, client, token_hash, created_at, '
        "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        str(uuid.uuid4()), user_id, email_hash, client, token_hash, utc(now), utc(expires_at),
    )


async def reset_target(email: str) -> Row | None:
    """`id, email, name, locale` of the active user with this (lower-case) address — one query
    either way, so a known address costs about what an unknown one does."""
    return await fetch_one(
        "SELECT id, email, name, locale FROM users WHERE email = $1 AND is_active", email
    )


async def resets_since(column: str, value: str, since: datetime) -> tuple[int, datetime | None]:
    """How many reset requests for `email_hash` or `client` = `value` since `since`, and the
    oldest of them."""
    if column not in ("email_hash", "client"):
        raise ValueError(column)
    row: Any = await fetch_one(
        f"SELECT count(*) AS n, min(created_at) AS oldest FROM password_resets "
        f"WHERE {column} = $1 AND created_at > $2",
        value, utc(since),
    )
    oldest = row["oldest"] if row else None
    if isinstance(oldest, str):  # SQLite's min() drops the declared type
        oldest = datetime.fromisoformat(oldest)
    return (int(row["n"]) if row else 0), oldest


async def find_reset(token_hash: str) -> Row | None:
    """`id, user_id, token_hash, expires_at, used_at` of the link with this digest."""
    return await fetch_one(
        'SELECT id, "user" AS user_id, token_hash, expires_at, used_at FROM password_resets '
        "WHERE token_hash = $1",
        token_hash,
    )


async def use_reset(reset_id: str, now: datetime) -> bool:
    """Mark the link used; False when it was used meanwhile (single use across processes)."""
    rows = await fetch(
        "UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL RETURNING id",
        utc(now), reset_id,
    )
    return bool(rows)


async def retire_resets(user_id: str, now: datetime) -> None:
    """Every still-open link of the user stops working (after a reset or an anonymisation)."""
    await execute(
        'UPDATE password_resets SET used_at = $1 WHERE "user" = $2 AND used_at IS NULL',
        utc(now), user_id,
    )


async def purge_resets(before: datetime) -> None:
    """Forget reset requests made before `before` (the throttle needs only the last hours)."""
    await execute("DELETE FROM password_resets WHERE created_at < $1", utc(before))


# a person's access ---------------------------------------------------------------------------


async def end_access(user_id: str) -> tuple[int, int]:
    """Delete every cookie session and API token of the user: (sessions, tokens) ended."""
    sessions = await fetch('DELETE FROM web_sessions WHERE "user" = $1 RETURNING id', user_id)
    tokens = await fetch('DELETE FROM api_tokens WHERE "user" = $1 RETURNING id', user_id)
    return len(sessions), len(tokens)


async def end_other_sessions(user_id: str, keep_session_hash: str) -> None:
    await execute(
        'DELETE FROM web_sessions WHERE "user" = $1 AND session_hash != $2',
        user_id, keep_session_hash,
    )


async def update_profile(user_id: str, *, name: str | None, locale: str | None) -> None:
    await execute(
        "UPDATE users SET name = COALESCE($1, name), locale = COALESCE($2, locale) "
        "WHERE id = $3",
        name, locale, user_id,
    )


async def password_hash(user_id: str) -> str | None:
    row = await fetch_one("SELECT password_hash FROM users WHERE id = $1", user_id)
    return None if row is None else str(row["password_hash"])


async def touch_seen(user_id: str, now: datetime, stale_before: datetime) -> None:
    """Set `last_seen_at` = now unless it is already later than `stale_before` (cheap: one
    indexed UPDATE that writes at most once per period)."""
    await execute(
        "UPDATE users SET last_seen_at = $1 WHERE id = $2 "
        "AND (last_seen_at IS NULL OR last_seen_at < $3)",
        utc(now), user_id, utc(stale_before),
    )


# anonymisation -------------------------------------------------------------------------------

ANONYMOUS_NAME = ""
"""The name an anonymised person keeps (pages show their own word for "deleted person")."""


async def anonymise_user(user_id: str, now: datetime) -> bool:
    """Replace name and e-mail, make the password unusable, deactivate; drop memberships,
    digest lines and every mail to the old address (queued ones would still reach the person,
    sent ones hold name and address). False when unknown or anonymised already."""
    before = await fetch_one(
        "SELECT email FROM users WHERE id = $1 AND anonymised_at IS NULL", user_id
    )
    if before is None:
        return False
    await execute(
        "DELETE FROM outbox_messages WHERE kind = 'mail' AND recipient = $1", before["email"]
    )
    await execute('DELETE FROM digest_items WHERE "user" = $1', user_id)
    rows = await fetch(
        "UPDATE users SET name = $1, email = $2, password_hash = '!', is_active = FALSE, "
        "anonymised_at = $3 WHERE id = $4 AND anonymised_at IS NULL RETURNING id",
        ANONYMOUS_NAME, f"deleted-{user_id}@invalid", utc(now), user_id,
    )
    if rows:
        await execute('DELETE FROM memberships WHERE "user" = $1', user_id)
    return bool(rows)


async def inactive_users(seen_before: datetime, limit: int) -> list[str]:
    """People not seen since `seen_before` (or, never seen, created before it), oldest first."""
    rows = await fetch(
        "SELECT id FROM users WHERE anonymised_at IS NULL "
        "AND COALESCE(last_seen_at, created_at) < $1 "
        f"ORDER BY COALESCE(last_seen_at, created_at), id LIMIT {int(limit)}",
        utc(seen_before),
    )
    return [str(r["id"]) for r in rows]


# the export ----------------------------------------------------------------------------------


async def account(user_id: str) -> Row | None:
    return await fetch_one(
        "SELECT id, email, name, locale, is_active, created_at, last_seen_at, reminders, digest "
        "FROM users WHERE id = $1",
        user_id,
    )


async def sessions(user_id: str) -> list[Row]:
    return await fetch(
        'SELECT created_at, expires_at FROM web_sessions WHERE "user" = $1 ORDER BY created_at',
        user_id,
    )


async def bookings_created(user_id: str) -> list[Row]:
    return await fetch(
        "SELECT id, organisation, title, status, starts_at, ends_at, students, employees, "
        "created_at FROM bookings WHERE created_by = $1 ORDER BY created_at, id",
        user_id,
    )


async def reset_requests(user_id: str) -> list[Row]:
    return await fetch(
        'SELECT created_at, expires_at, used_at FROM password_resets WHERE "user" = $1 '
        "ORDER BY created_at",
        user_id,
    )


async def mails_to(email: str) -> list[Row]:
    """The outbox's mails to this address (payload JSON: template, context)."""
    return await fetch(
        "SELECT payload, status, created_at, sent_at FROM outbox_messages "
        "WHERE kind = 'mail' AND recipient = $1 ORDER BY created_at, id",
        email,
    )


async def webhooks_created(user_id: str) -> list[Row]:
    return await fetch(
        "SELECT id, organisation, url, created_at FROM webhooks WHERE created_by = $1 "
        "ORDER BY created_at, id",
        user_id,
    )


async def inductions_recorded(user_id: str) -> list[Row]:
    return await fetch(
        "SELECT id, organisation, resource, completed_at FROM inductions "
        "WHERE recorded_by = $1 ORDER BY completed_at",
        user_id,
    )
