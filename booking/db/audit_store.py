"""The audit trail in the database: append-only entries and the organisations that may read them.

Nothing here updates or deletes an entry — the tables' triggers would refuse it anyway.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from booking.db.engine import current_engine
from booking.db.sql import Row, Stmt, fetch, fetch_batch
from booking.domain.instants import utc

_COLUMNS = (
    "e.id, e.at, e.actor, COALESCE(u.name, '') AS actor_name, e.action, e.object_type, "
    "e.object_id, e.summary"
)


_last_v7 = 0


def ordered_id() -> str:
    """A UUID version 7 that sorts by creation: 48 bits of Unix milliseconds and a 12-bit
    per-process counter (RFC 9562 method 1), so entries of one second keep their order in
    `ORDER BY at, id` — `at` has whole seconds only."""
    global _last_v7
    seq = max(time.time_ns() // 1_000_000 << 12, _last_v7 + 1)
    _last_v7 = seq
    value = ((seq >> 12) << 80) | (0x7 << 76) | ((seq & 0xFFF) << 64) | (0b10 << 62)
    return str(uuid.UUID(int=value | secrets.randbits(62)))


def in_transaction() -> bool:
    """Whether the caller runs inside a transaction (audit rows must share the change's)."""
    return current_engine().current_transaction.get() is not None


async def insert_entry(
    *, at: datetime, actor_id: str | None, action: str, object_type: str, object_id: str,
    summary: str, organisation_ids: Iterable[str],
) -> str:
    """One entry readable by `organisation_ids` (the platform admin reads every entry)."""
    entry_id, at = ordered_id(), utc(at)
    scopes = [(str(uuid.uuid4()), entry_id, org, at) for org in dict.fromkeys(organisation_ids)]
    statements = [Stmt(
        'INSERT INTO audit_entries (id, at, actor, action, object_type, object_id, summary) '
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        (entry_id, at, actor_id, action[:64], object_type[:32], object_id[:64], summary),
    )]
    if scopes:
        statements.append(Stmt(
            "INSERT INTO audit_scopes (id, entry, organisation, at) VALUES ($1, $2, $3, $4)",
            scopes, many=True,
        ))
    await fetch_batch(statements)
    return entry_id


async def list_entries(
    *, organisation_ids: Iterable[str] | None, start: datetime | None, end: datetime | None,
    before: tuple[datetime, str] | None, limit: int,
) -> list[Row]:
    """Entries newest first (by `at`, then id) in `[start, end)`, older than the `before` key;
    only those scoped to `organisation_ids` unless it is None (everything)."""
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where: list[str] = []
    bounds: list[str] = []  # on `at`, for the entries and (indexed) for their scopes
    if start is not None:
        bounds.append(f"at >= {arg(utc(start))}")
    if end is not None:
        bounds.append(f"at < {arg(utc(end))}")
    if before is not None:
        at, entry_id = arg(utc(before[0])), arg(before[1])
        bounds.append(f"at <= {at}")
        where.append(f"(e.at < {at} OR e.id < {entry_id})")
    where += [f"e.{b}" for b in bounds]
    if organisation_ids is not None:
        orgs = list(organisation_ids)
        if not orgs:
            return []
        # through audit_scopes' (organisation, at, entry) index: only this trail's entries
        where.append(
            "e.id IN (SELECT s.entry FROM audit_scopes s WHERE s.organisation IN "
            f"({', '.join(arg(o) for o in orgs)})"
            + "".join(f" AND s.{b}" for b in bounds) + ")"
        )
    sql = (f"SELECT {_COLUMNS} FROM audit_entries e LEFT JOIN users u ON u.id = e.actor"
           + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY e.at DESC, e.id DESC LIMIT {int(limit)}")
    return await fetch(sql, *args)


async def entries_about(user_id: str) -> list[Row]:
    """Entries the user made or that concern the user (object `user`), oldest first."""
    return await fetch(
        f"SELECT {_COLUMNS} FROM audit_entries e LEFT JOIN users u ON u.id = e.actor "
        "WHERE e.actor = $1 OR (e.object_type = 'user' AND e.object_id = $2) "
        "ORDER BY e.at, e.id",
        user_id, user_id,
    )
