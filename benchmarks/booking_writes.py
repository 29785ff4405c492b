"""Booking write path: the service (`create_booking`) vs the same transaction on a raw
persistent driver connection (aiosqlite / asyncpg), side by side in one run per backend.

The raw transaction runs the same statements: BEGIN (IMMEDIATE on SQLite), read the
resource's policy, insert booking, booking_resource, occurrence and claim, COMMIT. The service
additionally checks policy, opening hours, closures and claims with the domain.
Run: `.venv/bin/python benchmarks/booking_writes.py [sqlite] [postgresql]`. Goal: ratio >= 0.5.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from _common import backends, database

from booking.db.engine import sqlite_path
from booking.services import bookings
from booking.services.views import BookingRequest
from tests.factories import booker, make_resource, make_site

N = 600
RESOURCES = 20
NOW = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
BASE = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)


def slot(i: int) -> tuple[int, datetime]:
    return i % RESOURCES, BASE + timedelta(hours=i // RESOURCES)


async def run_service(actor: Any, rids: list[str], first: int, n: int) -> float:
    start = time.perf_counter()
    for i in range(first, first + n):
        r, at = slot(i)
        await bookings.create_booking(actor, BookingRequest([rids[r]], at, at + timedelta(hours=1),
                                                            title="bench"), NOW)
    return n / (time.perf_counter() - start)


READ = (
    "SELECT r.id, r.school, r.approval_required, r.min_notice_minutes, r.max_advance_days, "
    "r.buffer_before_minutes, r.buffer_after_minutes, r.rates, s.timezone FROM resources r "
    "JOIN sites s ON s.id = r.site WHERE r.id = {p1}"
)
INSERTS = (
    "INSERT INTO bookings (id, organisation, created_by, title, status, students, employees, "
    "price_amount, currency, rrule, starts_at, ends_at, version, sequence, decision_message, "
    "decided_at, cancelled_at, created_at, updated_at) VALUES ({p1}, {p2}, NULL, 'bench', "
    "'confirmed', 0, 0, {p3}, 'EUR', NULL, {p4}, {p5}, 1, 0, '', NULL, NULL, {p6}, {p6})",
    "INSERT INTO booking_resources (id, booking, resource) VALUES ({p1}, {p2}, {p3})",
    "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
    "VALUES ({p1}, {p2}, 0, {p3}, {p4})",
    "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
    "VALUES ({p1}, {p2}, {p3}, {p4}, {p5}, {p6}, TRUE)",
)


def params(i: int, rid: str, org: str, ts: Any) -> list[tuple[Any, ...]]:
    _, at = slot(i)
    end = at + timedelta(hours=1)
    bid, oid = str(uuid.uuid4()), str(uuid.uuid4())
    return [
        (bid, org, Decimal("100.00"), ts(at), ts(end), ts(NOW)),
        (str(uuid.uuid4()), bid, rid),
        (oid, bid, ts(at), ts(end)),
        (str(uuid.uuid4()), bid, oid, rid, int(at.timestamp()), int(end.timestamp())),
    ]


async def run_raw_sqlite(url: str, rids: list[str], org: str, first: int, n: int) -> float:
    import aiosqlite

    conn = await aiosqlite.connect(sqlite_path(url), isolation_level=None)
    await conn.execute("PRAGMA busy_timeout = 10000")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    q = [s.format(**{f"p{k}": f"?{k}" for k in range(1, 8)}) for s in (READ, *INSERTS)]
    start = time.perf_counter()
    for i in range(first, first + n):
        rid = rids[slot(i)[0]]
        await conn.execute("BEGIN IMMEDIATE")
        async with conn.execute(q[0], (rid,)) as cur:
            await cur.fetchone()
        for sql, args in zip(q[1:], params(i, rid, org, str), strict=True):
            await conn.execute(sql, args)
        await conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    await conn.close()
    return rate


async def run_raw_pg(url: str, rids: list[str], org: str, first: int, n: int) -> float:
    import asyncpg

    conn = await asyncpg.connect(url)
    q = [s.format(**{f"p{k}": f"${k}" for k in range(1, 8)}) for s in (READ, *INSERTS)]
    start = time.perf_counter()
    for i in range(first, first + n):
        rid = rids[slot(i)[0]]
        async with conn.transaction():
            await conn.fetchrow(q[0], rid)
            for sql, args in zip(q[1:], params(i, rid, org, lambda d: d), strict=True):
                await conn.execute(sql, *args)
    rate = n / (time.perf_counter() - start)
    await conn.close()
    return rate


async def bench(backend: str) -> None:
    async with database(backend) as url:
        site = await make_site()
        rids = [
            await make_resource(site_id=site, hours=("00:00", "24:00"), weekdays=range(1, 8),
                                min_notice_minutes=0, max_advance_days=3650)
            for _ in range(RESOURCES)
        ]
        actor, org = await booker()
        raw = run_raw_sqlite if backend == "sqlite" else run_raw_pg
        await run_service(actor, rids, 0, 50)  # warm-up
        await raw(url, rids, org, 50, 50)
        service_rates, raw_rates = [], []
        first = 100
        for _ in range(3):  # interleaved rounds, so load from elsewhere hits both alike
            service_rates.append(await run_service(actor, rids, first, N // 3))
            first += N // 3
            raw_rates.append(await raw(url, rids, org, first, N // 3))
            first += N // 3
        s, r = max(service_rates), max(raw_rates)
        print(f"{backend:10s} service {s:7.0f} bookings/s   raw driver {r:7.0f} /s   "
              f"ratio {s / r:.2f}  (best of 3 rounds of {N // 3}; all: "
              f"{[round(x) for x in service_rates]} vs {[round(x) for x in raw_rates]})")


async def main() -> None:
    for backend in backends():
        await bench(backend)


if __name__ == "__main__":
    asyncio.run(main())
