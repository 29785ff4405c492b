"""The database itself: SQLite server settings, and the no-overlap guard on raw SQL."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

import pytest

from booking.db.engine import transaction
from booking.db.sql import execute, fetch
from tests.conftest import Backend
from tests.factories import make_company, make_resource

T = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
H = 3600


async def test_sqlite_runs_with_server_settings(db: Backend) -> None:
    if db.name != "sqlite":
        pytest.skip("SQLite PRAGMAs")
    async with transaction(write=False):  # a pooled connection of the app's engine
        mode = await fetch("PRAGMA journal_mode")
        timeout = await fetch("PRAGMA busy_timeout")
        fks = await fetch("PRAGMA foreign_keys")
        sync = await fetch("PRAGMA synchronous")
    assert next(iter(mode[0].values())) == "wal"
    assert next(iter(timeout[0].values())) >= 5000
    assert next(iter(fks[0].values())) == 1
    assert next(iter(sync[0].values())) == 1  # NORMAL


async def _booking(org: str) -> tuple[str, str]:
    bid, oid = str(uuid.uuid4()), str(uuid.uuid4())
    await execute(
        "INSERT INTO bookings (id, organisation, created_by, title, status, students, employees, "
        "price_amount, currency, rrule, starts_at, ends_at, version, sequence, decision_message, "
        "decided_at, cancelled_at, created_at, updated_at) VALUES ($1, $2, NULL, 'raw', "
        "'confirmed', 0, 0, 0, 'EUR', NULL, $3, $3, 1, 0, '', NULL, NULL, $3, $3)",
        bid, org, T,
    )
    await execute(
        "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
        "VALUES ($1, $2, 0, $3, $3)",
        oid, bid, T,
    )
    return bid, oid


async def _claim(bid: str, oid: str, rid: str, start: int, end: int, active: bool = True) -> str:
    cid = str(uuid.uuid4())
    await execute(
        "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        cid, bid, oid, rid, start, end, active,
    )
    return cid


def _is_overlap(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "booking_overlap" in str(exc)
    return getattr(exc, "sqlstate", None) == "23P01"


# (start, end) of a second claim against an active claim [0, 2h); one comment per case
CASES = [
    ((H, 3 * H), True),  # overlaps the end
    ((-H, H), True),  # overlaps the start
    ((0, 2 * H), True),  # identical
    ((H // 2, H), True),  # inside
    ((-H, 3 * H), True),  # around
    ((2 * H, 3 * H), False),  # adjacent after: half-open
    ((-H, 0), False),  # adjacent before
]


@pytest.mark.parametrize(("span", "refused"), CASES)
async def test_raw_insert_of_overlapping_active_claim_is_refused(
    db: Backend, span: tuple[int, int], refused: bool
) -> None:
    rid = await make_resource()
    org = await make_company()
    base = int(T.timestamp())
    bid, oid = await _booking(org)
    await _claim(bid, oid, rid, base, base + 2 * H)
    if not refused:
        await _claim(bid, oid, rid, base + span[0], base + span[1])
        return
    with pytest.raises(Exception) as info:
        await _claim(bid, oid, rid, base + span[0], base + span[1])
    assert _is_overlap(info.value), info.value


async def test_inactive_claims_do_not_block_and_reactivation_is_refused(db: Backend) -> None:
    rid, other = await make_resource(), await make_resource()
    org = await make_company()
    base = int(T.timestamp())
    bid, oid = await _booking(org)
    first = await _claim(bid, oid, rid, base, base + 2 * H)
    inactive = await _claim(bid, oid, rid, base, base + 2 * H, active=False)
    await _claim(bid, oid, other, base, base + 2 * H)  # another resource: unrelated
    with pytest.raises(Exception) as info:  # re-activating an overlapping claim
        await execute("UPDATE claims SET active = $1 WHERE id = $2", True, inactive)
    assert _is_overlap(info.value)
    await execute("UPDATE claims SET active = $1 WHERE id = $2", False, first)
    await _claim(bid, oid, rid, base + H, base + 3 * H)  # the time is free again
    rows = await fetch("SELECT COUNT(*) AS n FROM claims WHERE active AND resource = $1", rid)
    assert rows[0]["n"] == 1


async def test_empty_claim_is_refused(db: Backend) -> None:
    rid, org = await make_resource(), await make_company()
    bid, oid = await _booking(org)
    base = int(T.timestamp())
    with pytest.raises(Exception):  # noqa: B017 - driver-specific error types
        await _claim(bid, oid, rid, base, base)
