"""The outbox: mail and webhook deliveries, leased by workers in any number of processes.

Leasing follows FIELD-NOTES: PostgreSQL claims with `FOR UPDATE SKIP LOCKED` in one short
statement (two workers get disjoint rows); SQLite has no SKIP LOCKED and relies on the caller's
`BEGIN IMMEDIATE` (one writer at a time). Either way a claim sets `locked_until`, so a worker that
dies mid-send gives its rows back when the lease expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.db.engine import is_sqlite
from booking.db.sql import Row, execute, execute_many, fetch, fetch_one
from booking.domain.instants import utc

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class NewMessage:
    kind: str  # mail | webhook
    recipient: str
    payload: str  # JSON
    now: datetime
    dedupe_key: str | None = None
    webhook_id: str | None = None


@dataclass(frozen=True, slots=True)
class Leased:
    id: int
    kind: str
    recipient: str
    payload: str
    attempts: int  # including this one
    webhook_id: str | None
    created_at: datetime


_INSERT = (
    "INSERT INTO outbox_messages (kind, recipient, payload, status, attempts, next_attempt_at, "
    "last_error, created_at, dedupe_key, webhook) VALUES ($1, $2, $3, 'pending', 0, $4, '', $4, "
    "$5, $6) ON CONFLICT (dedupe_key) DO NOTHING"
)


def _args(m: NewMessage) -> tuple[Any, ...]:
    return (m.kind, m.recipient[:500], m.payload, utc(m.now), m.dedupe_key, m.webhook_id)


async def insert_messages(messages: Sequence[NewMessage]) -> None:
    """Queue messages in the current transaction; a repeated `dedupe_key` is silently skipped."""
    if len(messages) == 1:
        await execute(_INSERT, *_args(messages[0]))
    elif messages:
        await execute_many(_INSERT, [_args(m) for m in messages])


async def lease_due(
    now: datetime, until: datetime, limit: int, kinds: Sequence[str] = ("mail", "webhook")
) -> list[Leased]:
    """Claim up to `limit` unsent rows of `kinds` that are due and not leased, until `until`;
    counts the attempt. On SQLite call inside a write (`BEGIN IMMEDIATE`) transaction."""
    if not kinds:
        return []
    lock = "" if is_sqlite() else " FOR UPDATE SKIP LOCKED"
    marks = ", ".join(f"${i}" for i in range(3, 3 + len(kinds)))
    rows = await fetch(
        "UPDATE outbox_messages SET locked_until = $1, attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox_messages WHERE status = 'pending' "
        "AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2) "
        f"AND kind IN ({marks}) ORDER BY next_attempt_at, id LIMIT {int(limit)}{lock}) "
        "RETURNING id, kind, recipient, payload, attempts, webhook, created_at",
        utc(until), utc(now), *kinds,
    )
    leased = [
        Leased(int(r["id"]), r["kind"], r["recipient"], r["payload"], int(r["attempts"]),
               None if r["webhook"] is None else str(r["webhook"]), r["created_at"])
        for r in rows
    ]
    leased.sort(key=lambda m: m.id)
    return leased


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    payload: str


async def pending_events(limit: int) -> list[EventRow]:
    """Recorded booking events not yet expanded into messages, oldest first."""
    rows = await fetch(
        "SELECT id, payload FROM outbox_messages WHERE kind = 'event' AND status = 'pending' "
        f"ORDER BY id LIMIT {int(limit)}",
    )
    return [EventRow(int(r["id"]), r["payload"]) for r in rows]


async def claim_event(event_id: int) -> bool:
    """Mark an event row expanded; False when another worker did already (in a transaction,
    so the expansion and this mark commit together)."""
    rows = await fetch(
        "UPDATE outbox_messages SET status = 'sent', attempts = 1, sent_at = next_attempt_at "
        "WHERE id = $1 AND status = 'pending' RETURNING id",
        event_id,
    )
    return bool(rows)


async def mark_sent(message_id: int, now: datetime) -> None:
    await execute(
        "UPDATE outbox_messages SET status = 'sent', sent_at = $1, locked_until = NULL, "
        "last_error = '' WHERE id = $2",
        utc(now), message_id,
    )


async def mark_retry(message_id: int, error: str, next_at: datetime) -> None:
    """Give the row back for another attempt at `next_at`."""
    await execute(
        "UPDATE outbox_messages SET next_attempt_at = $1, locked_until = NULL, last_error = $2 "
        "WHERE id = $3",
        utc(next_at), error[:2000], message_id,
    )


async def mark_failed(message_id: int, error: str) -> None:
    """Give up: the row stays, visible to the admin, and is never sent."""
    await execute(
        "UPDATE outbox_messages SET status = 'failed', locked_until = NULL, last_error = $1 "
        "WHERE id = $2",
        error[:2000], message_id,
    )


_COLUMNS = (
    "id, kind, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, "
    "sent_at, webhook"
)


async def list_messages(
    *, status: str | None = None, kind: str | None = None, webhook_id: str | None = None,
    limit: int = 100, before_id: int | None = None,
) -> list[Row]:
    """Newest first; filters are optional. Recorded booking events (kind `event`) are listed
    only when asked for by `kind`."""
    where: list[str] = [] if kind is not None else ["kind != 'event'"]
    args: list[Any] = []
    for column, value in (("status", status), ("kind", kind), ("webhook", webhook_id)):
        if value is not None:
            args.append(value)
            where.append(f"{column} = ${len(args)}")
    if before_id is not None:
        args.append(before_id)
        where.append(f"id < ${len(args)}")
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return await fetch(
        f"SELECT {_COLUMNS} FROM outbox_messages{clause} ORDER BY id DESC LIMIT {int(limit)}",
        *args,
    )


async def get_message(message_id: int) -> Row | None:
    return await fetch_one(f"SELECT {_COLUMNS} FROM outbox_messages WHERE id = $1", message_id)


async def count_unsent() -> int:
    row = await fetch_one("SELECT COUNT(*) AS n FROM outbox_messages WHERE status = 'pending'")
    return 0 if row is None else int(row["n"])


async def raise_sequence(uid: str) -> int:
    """The next iTIP SEQUENCE for `uid`: 0 the first time, then one more on every call."""
    rows = await fetch(
        "INSERT INTO itip_sequences (uid, sequence) VALUES ($1, 0) ON CONFLICT (uid) "
        "DO UPDATE SET sequence = itip_sequences.sequence + 1 RETURNING sequence",
        uid[:200],
    )
    return int(rows[0]["sequence"])
