"""Accounts in the database: users, memberships, cookie sessions, API tokens, login failures.

Secrets are never stored: sessions and tokens are kept as SHA-256 hex digests.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from booking.db.sql import Row, execute, fetch, fetch_one
from booking.domain.instants import utc


def _id() -> str:
    return str(uuid.uuid4())


# users and memberships ------------------------------------------------------------------------


async def find_login(email: str) -> Row | None:
    """`id, password_hash, is_active` of the user with this (lower-case) e-mail address."""
    return await fetch_one(
        "SELECT id, password_hash, is_active FROM users WHERE email = $1", email
    )


async def get_user(user_id: str) -> Row | None:
    return await fetch_one(
        "SELECT id, email, name, locale, is_active FROM users WHERE id = $1", user_id
    )


async def insert_user(
    *, email: str, name: str, password_hash: str, locale: str, now: datetime
) -> str:
    user_id = _id()
    await execute(
        "INSERT INTO users (id, email, name, password_hash, locale, is_active, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        user_id, email, name, password_hash, locale, True, utc(now),
    )
    return user_id


async def set_password_hash(user_id: str, password_hash: str) -> None:
    await execute("UPDATE users SET password_hash = $1 WHERE id = $2", password_hash, user_id)


async def organisation_kind(organisation_id: str) -> str | None:
    row = await fetch_one("SELECT kind FROM organisations WHERE id = $1", organisation_id)
    return None if row is None else str(row["kind"])


async def find_organisation(name_or_id: str) -> Row | None:
    """An organisation by exact id or (case-insensitive) name."""
    try:
        uuid.UUID(name_or_id)
    except ValueError:
        return await fetch_one(
            "SELECT id, kind, name FROM organisations WHERE lower(name) = lower($1)", name_or_id
        )
    return await fetch_one("SELECT id, kind, name FROM organisations WHERE id = $1", name_or_id)


async def insert_membership(user_id: str, organisation_id: str, role: str) -> None:
    await execute(
        'INSERT INTO memberships (id, "user", organisation, role) VALUES ($1, $2, $3, $4)',
        _id(), user_id, organisation_id, role,
    )


# cookie sessions ------------------------------------------------------------------------------


async def insert_session(
    *, session_hash: str, user_id: str, csrf_token: str, now: datetime, expires_at: datetime
) -> None:
    await execute(
        "INSERT INTO web_sessions (id, session_hash, \"user\", csrf_token, data, created_at, "
        "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        _id(), session_hash, user_id, csrf_token, "{}", utc(now), utc(expires_at),
    )


async def find_session(session_hash: str, now: datetime) -> Row | None:
    """`user, csrf_token, last_seen_at` of a live session of an active user."""
    return await fetch_one(
        'SELECT s."user" AS user_id, s.csrf_token, u.last_seen_at FROM web_sessions s '
        'JOIN users u ON u.id = s."user" '
        "WHERE s.session_hash = $1 AND s.expires_at > $2 AND u.is_active",
        session_hash, utc(now),
    )


async def delete_session(session_hash: str) -> None:
    await execute("DELETE FROM web_sessions WHERE session_hash = $1", session_hash)


async def delete_expired_sessions(now: datetime) -> None:
    await execute("DELETE FROM web_sessions WHERE expires_at <= $1", utc(now))


# API tokens -----------------------------------------------------------------------------------


async def insert_token(*, user_id: str, name: str, token_hash: str, now: datetime) -> str:
    token_id = _id()
    await execute(
        'INSERT INTO api_tokens (id, "user", name, token_hash, created_at) '
        "VALUES ($1, $2, $3, $4, $5)",
        token_id, user_id, name, token_hash, utc(now),
    )
    return token_id


async def list_tokens(user_id: str) -> list[Row]:
    return await fetch(
        "SELECT id, name, created_at, last_used_at FROM api_tokens "
        'WHERE "user" = $1 ORDER BY created_at, id',
        user_id,
    )


async def get_token(user_id: str, token_id: str) -> Row | None:
    return await fetch_one(
        "SELECT id, name, created_at, last_used_at FROM api_tokens "
        'WHERE id = $1 AND "user" = $2',
        token_id, user_id,
    )


async def delete_token(user_id: str, token_id: str) -> bool:
    rows = await fetch(
        'DELETE FROM api_tokens WHERE id = $1 AND "user" = $2 RETURNING id', token_id, user_id
    )
    return bool(rows)


async def find_token(token_hash: str) -> Row | None:
    """`id, user_id, last_used_at, last_seen_at` of the token of an active user."""
    return await fetch_one(
        'SELECT t.id, t."user" AS user_id, t.last_used_at, u.last_seen_at FROM api_tokens t '
        'JOIN users u ON u.id = t."user" WHERE t.token_hash = $1 AND u.is_active',
        token_hash,
    )


async def touch_token(token_id: str, now: datetime) -> None:
    await execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", utc(now), token_id)


# login failures -------------------------------------------------------------------------------


def _latest(row: Any) -> tuple[int, datetime | None]:
    latest = row["latest"] if row else None
    if isinstance(latest, str):  # SQLite's max() drops the declared type
        latest = datetime.fromisoformat(latest)
    return (int(row["n"]) if row else 0), latest


async def pair_failures_since(
    email: str, client: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many failed logins for `email` from `client` since `since`, and the latest."""
    row: Any = await fetch_one(
        "SELECT count(*) AS n, max(created_at) AS latest FROM login_attempts "
        "WHERE email = $1 AND client = $2 AND created_at > $3",
        email, client, utc(since),
    )
    return _latest(row)


async def client_failures_since(client: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failed logins from `client` (any account) since `since`, and the latest."""
    row: Any = await fetch_one(
        "SELECT count(*) AS n, max(created_at) AS latest FROM login_attempts "
        "WHERE client = $1 AND created_at > $2",
        client, utc(since),
    )
    return _latest(row)


async def insert_failure(email: str, client: str, now: datetime) -> None:
    await execute(
        "INSERT INTO login_attempts (id, email, client, created_at) VALUES ($1, $2, $3, $4)",
        _id(), email, client, utc(now),
    )


async def clear_failures(email: str, client: str) -> None:
    """Forget the failures of `email` from `client` (after it signed in from there)."""
    await execute("DELETE FROM login_attempts WHERE email = $1 AND client = $2", email, client)


async def purge_failures(before: datetime) -> None:
    await execute("DELETE FROM login_attempts WHERE created_at <= $1", utc(before))
