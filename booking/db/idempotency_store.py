"""Idempotency records: the first response to a key, scoped by organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from booking.db.sql import execute, fetch, fetch_one
from booking.domain.instants import utc


@dataclass(frozen=True, slots=True)
class IdempotencyRow:
    id: str
    request_hash: str
    state: str  # running | done
    status_code: int | None
    response_body: str | None
    created_at: datetime


async def claim_key(organisation_id: str, key: str, request_hash: str, now: datetime) -> bool:
    """Insert a `running` record; False when (organisation, key) already has one."""
    rows = await fetch(
        "INSERT INTO idempotency_records (id, organisation, key, request_hash, state, "
        "status_code, response_body, created_at) VALUES ($1, $2, $3, $4, 'running', NULL, "
        "NULL, $5) ON CONFLICT (organisation, key) DO NOTHING RETURNING id",
        str(uuid.uuid4()), organisation_id, key, request_hash, utc(now),
    )
    return bool(rows)


async def get_record(organisation_id: str, key: str) -> IdempotencyRow | None:
    row = await fetch_one(
        "SELECT id, request_hash, state, status_code, response_body, created_at "
        "FROM idempotency_records WHERE organisation = $1 AND key = $2",
        organisation_id, key,
    )
    if row is None:
        return None
    return IdempotencyRow(
        str(row["id"]), row["request_hash"], row["state"], row["status_code"],
        row["response_body"], row["created_at"],
    )


async def take_over(record: IdempotencyRow, request_hash: str, now: datetime) -> bool:
    """Restart a stale `running` record; False when another process got there first."""
    rows = await fetch(
        "UPDATE idempotency_records SET created_at = $1, request_hash = $2 "
        "WHERE id = $3 AND state = 'running' AND created_at = $4 RETURNING id",
        utc(now), request_hash, record.id, record.created_at,
    )
    return bool(rows)


async def finish(
    organisation_id: str, key: str, request_hash: str, status_code: int, body: str,
    now: datetime,
) -> None:
    """Store the response (insert or complete the running record; a done one stays)."""
    await execute(
        "INSERT INTO idempotency_records (id, organisation, key, request_hash, state, "
        "status_code, response_body, created_at) VALUES ($1, $2, $3, $4, 'done', $5, $6, $7) "
        "ON CONFLICT (organisation, key) DO UPDATE SET state = 'done', "
        "status_code = excluded.status_code, response_body = excluded.response_body "
        "WHERE idempotency_records.state = 'running'",
        str(uuid.uuid4()), organisation_id, key, request_hash, status_code, body, utc(now),
    )


async def release(organisation_id: str, key: str) -> None:
    """Drop a `running` record (the request failed without a stored response)."""
    await execute(
        "DELETE FROM idempotency_records WHERE organisation = $1 AND key = $2 "
        "AND state = 'running'",
        organisation_id, key,
    )


async def purge(older_than: datetime) -> None:
    await execute("DELETE FROM idempotency_records WHERE created_at < $1", utc(older_than))
