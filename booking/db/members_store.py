"""Members of organisations, invitations and company sign-up requests in the database.

Link tokens are never stored: only their SHA-256 hex digest (`token_hash`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from booking.db.sql import Row, execute, fetch, fetch_one
from booking.domain.instants import utc


def _id() -> str:
    return str(uuid.uuid4())


# members --------------------------------------------------------------------------------------


async def members(org_id: str) -> list[Row]:
    """`user_id, email, name, role` per membership row, by name."""
    return await fetch(
        'SELECT CAST(u.id AS TEXT) AS user_id, u.email, u.name, m.role FROM memberships m '
        'JOIN users u ON u.id = m."user" WHERE m.organisation = $1 AND u.is_active '
        "ORDER BY u.name, u.email, m.role",
        org_id,
    )


async def member_roles(org_id: str, user_id: str) -> list[str]:
    rows = await fetch(
        'SELECT role FROM memberships WHERE organisation = $1 AND "user" = $2 ORDER BY role',
        org_id, user_id,
    )
    return [str(r["role"]) for r in rows]


async def count_role(org_id: str, role: str) -> int:
    """Active users holding `role` in the organisation."""
    row = await fetch_one(
        'SELECT count(DISTINCT m."user") AS n FROM memberships m JOIN users u ON u.id = m."user" '
        "WHERE m.organisation = $1 AND m.role = $2 AND u.is_active",
        org_id, role,
    )
    return int(row["n"]) if row else 0


async def set_role(org_id: str, user_id: str, role: str) -> None:
    """The user's one role in the organisation becomes `role`."""
    await remove_member(org_id, user_id)
    await add_member(org_id, user_id, role)


async def add_member(org_id: str, user_id: str, role: str) -> None:
    """Adds the membership unless the user already holds exactly that role."""
    if role in await member_roles(org_id, user_id):
        return
    await execute(
        'INSERT INTO memberships (id, "user", organisation, role) VALUES ($1, $2, $3, $4)',
        _id(), user_id, org_id, role,
    )


async def remove_member(org_id: str, user_id: str) -> None:
    await execute(
        'DELETE FROM memberships WHERE organisation = $1 AND "user" = $2', org_id, user_id
    )


async def user_by_email(email: str) -> Row | None:
    return await fetch_one(
        "SELECT CAST(id AS TEXT) AS id, email, name, is_active FROM users WHERE email = $1",
        email,
    )


# invitations ----------------------------------------------------------------------------------

_INVITATION_SELECT = (
    "SELECT CAST(i.id AS TEXT) AS id, CAST(i.organisation AS TEXT) AS organisation, i.email, "
    "i.role, i.token_hash, i.created_at, i.expires_at, i.accepted_at, o.name AS "
    "organisation_name, o.kind AS organisation_kind FROM invitations i "
    "JOIN organisations o ON o.id = i.organisation "
)


async def insert_invitation(
    *, org_id: str, email: str, role: str, token_hash: str, invited_by: str | None,
    now: datetime, expires_at: datetime,
) -> str:
    inv_id = _id()
    await execute(
        "INSERT INTO invitations (id, organisation, email, role, token_hash, invited_by, "
        "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        inv_id, org_id, email, role, token_hash, invited_by, utc(now), utc(expires_at),
    )
    return inv_id


async def find_invitation(token_hash: str) -> Row | None:
    return await fetch_one(_INVITATION_SELECT + "WHERE i.token_hash = $1", token_hash)


async def get_invitation(inv_id: str) -> Row | None:
    return await fetch_one(_INVITATION_SELECT + "WHERE i.id = $1", inv_id)


async def open_invitations(org_id: str, now: datetime) -> list[Row]:
    return await fetch(
        _INVITATION_SELECT + "WHERE i.organisation = $1 AND i.accepted_at IS NULL "
        "AND i.expires_at > $2 ORDER BY i.created_at, i.id",
        org_id, utc(now),
    )


async def use_invitation(inv_id: str, user_id: str, now: datetime) -> bool:
    """Marks the invitation accepted; False when it already was (single use, race-safe)."""
    rows = await fetch(
        "UPDATE invitations SET accepted_at = $2, accepted_by = $3 "
        "WHERE id = $1 AND accepted_at IS NULL RETURNING id",
        inv_id, utc(now), user_id,
    )
    return bool(rows)


async def delete_invitation(inv_id: str) -> None:
    await execute("DELETE FROM invitations WHERE id = $1", inv_id)


# sign-up requests -----------------------------------------------------------------------------


async def insert_signup(
    *, token_hash: str, company_name: str, kvk: str, name: str, email: str, password_hash: str,
    locale: str, now: datetime, expires_at: datetime,
) -> str:
    signup_id = _id()
    await execute(
        "INSERT INTO signup_requests (id, token_hash, company_name, kvk, name, email, "
        "password_hash, locale, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        signup_id, token_hash, company_name, kvk, name, email, password_hash, locale, utc(now),
        utc(expires_at),
    )
    return signup_id


async def find_signup(token_hash: str) -> Row | None:
    return await fetch_one(
        "SELECT CAST(id AS TEXT) AS id, token_hash, company_name, kvk, name, email, "
        "password_hash, locale, created_at, expires_at, confirmed_at, "
        "CAST(organisation AS TEXT) AS organisation FROM signup_requests WHERE token_hash = $1",
        token_hash,
    )


async def confirm_signup(signup_id: str, org_id: str, now: datetime) -> bool:
    """Marks the request confirmed; False when it already was (single use, race-safe)."""
    rows = await fetch(
        "UPDATE signup_requests SET confirmed_at = $2, organisation = $3 "
        "WHERE id = $1 AND confirmed_at IS NULL RETURNING id",
        signup_id, utc(now), org_id,
    )
    return bool(rows)
