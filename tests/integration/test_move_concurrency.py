"""Several OS processes (one company each) move their own bookings into the same free slot at
once, on both databases: per resource exactly one move wins, every other gets a Conflict and
keeps its old time, and no two active claims overlap."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from booking.db.sql import fetch
from tests.conftest import Backend
from tests.factories import make_company, make_resource, make_site, make_user

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
DAY = datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # Monday 08:00 local
PROCESSES, TASKS, ROUNDS = 4, 3, 12
H = timedelta(hours=1)
TARGET = DAY + 6 * H  # 14:00 local: free on every resource


async def _race(url: str, user_id: str, moves: list[str]) -> Counter[str]:
    from booking.db.engine import close_engine, configure, open_engine
    from booking.domain.errors import Conflict
    from booking.services import booking_change
    from booking.services.actors import load_actor
    from booking.services.views import BookingPatch

    configure(url)
    await open_engine()
    actor = await load_actor(user_id)
    queue = list(moves)
    counts: Counter[str] = Counter()

    async def task() -> None:
        while queue:
            booking_id = queue.pop()
            try:
                await booking_change.change_booking(
                    actor, booking_id, BookingPatch(start=TARGET, end=TARGET + H), NOW,
                    if_match=1)
                counts["moved"] += 1
            except Conflict:
                counts["conflict"] += 1
            except Exception as exc:  # anything else is a failure of the guard
                counts[f"error:{type(exc).__name__}:{exc}"] += 1

    try:
        await asyncio.gather(*(task() for _ in range(TASKS)))
    finally:
        await close_engine()
    return counts


def _worker(url: str, user_id: str, moves: list[str], barrier: Any, results: Any) -> None:
    barrier.wait(timeout=60)
    results.put(dict(asyncio.run(_race(url, user_id, moves))))


@pytest.mark.slow
async def test_processes_move_into_the_same_slot(db: Backend) -> None:
    from booking.services import bookings
    from booking.services.actors import load_actor
    from booking.services.views import BookingRequest

    site = await make_site()
    resources = [await make_resource(site_id=site, min_notice_minutes=0) for _ in range(ROUNDS)]
    users, moves = [], []
    for p in range(PROCESSES):
        company = await make_company()
        user = await make_user(memberships=[(company, "booker")])
        actor = await load_actor(user)
        mine = []
        for rid in resources:  # each company holds hour p on every resource
            start = DAY + p * H
            b = (await bookings.create_booking(
                actor, BookingRequest([rid], start, start + H, title="own"), NOW)).booking
            assert b is not None
            mine.append(b.id)
        users.append(user)
        moves.append(mine)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db.url, users[i], moves[i], barrier, results))
             for i in range(PROCESSES)]
    for proc in procs:
        proc.start()
    loop = asyncio.get_running_loop()
    totals: Counter[str] = Counter()
    for _ in procs:
        totals.update(await loop.run_in_executor(None, results.get, True, 120))
    for proc in procs:
        await loop.run_in_executor(None, proc.join, 30)
        assert proc.exitcode == 0
    print(f"\n{db.name}: {dict(totals)}")
    assert set(totals) <= {"moved", "conflict"}, totals
    assert totals == {"moved": ROUNDS, "conflict": ROUNDS * (PROCESSES - 1)}

    overlaps = await fetch(
        "SELECT COUNT(*) AS n FROM claims a JOIN claims b ON a.resource = b.resource "
        "AND a.id < b.id WHERE a.active AND b.active "
        "AND a.start_s < b.end_s AND b.start_s < a.end_s")
    assert overlaps[0]["n"] == 0
    target = int(TARGET.timestamp())
    for rid in resources:
        rows = await fetch("SELECT start_s FROM claims WHERE active AND resource = $1", rid)
        starts = sorted(int(r["start_s"]) for r in rows)
        assert len(starts) == PROCESSES and starts.count(target) == 1  # losers kept theirs
