"""Several OS processes race to book the same slots through the service layer.

4 spawned processes × 4 tasks each make ~360 attempts at 60 one-hour slots (plus two-hour
attempts spanning neighbours). Afterwards every slot has exactly one active claim, no two
active claims overlap (checked in SQL), and every loser got a Conflict — nothing else.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from booking.db.sql import fetch
from tests.conftest import Backend
from tests.factories import make_company, make_resource, make_site, make_user

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
DAY = datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # Monday 08:00 local
PROCESSES, TASKS, SLOTS = 4, 4, 10
H = timedelta(hours=1)


def _attempts(resources: list[str], seed: int) -> list[tuple[str, int, int]]:
    """(resource, first slot, hours): every one-hour slot, and half the two-hour spans."""
    rng = random.Random(seed)
    items = [(r, k, 1) for r in resources for k in range(SLOTS)]
    items += [(r, k, 2) for r in resources for k in range(0, SLOTS - 1, 2)]
    rng.shuffle(items)
    return items


async def _race(url: str, user_id: str, resources: list[str], seed: int) -> Counter[str]:
    from booking.db.engine import close_engine, configure, open_engine
    from booking.domain.errors import Conflict
    from booking.services import bookings
    from booking.services.actors import load_actor
    from booking.services.views import BookingRequest

    configure(url)
    await open_engine()
    actor = await load_actor(user_id)
    queue = _attempts(resources, seed)
    counts: Counter[str] = Counter()

    async def task() -> None:
        while queue:
            rid, k, hours = queue.pop()
            start = DAY + k * H
            req = BookingRequest([rid], start, start + hours * H, title="race")
            try:
                await bookings.create_booking(actor, req, NOW)
                counts["created"] += 1
            except Conflict:
                counts["conflict"] += 1
            except Exception as exc:  # anything else is a failure of the guard
                counts[f"error:{type(exc).__name__}:{exc}"] += 1

    try:
        await asyncio.gather(*(task() for _ in range(TASKS)))
    finally:
        await close_engine()
    return counts


def _worker(url: str, user_id: str, resources: list[str], seed: int, barrier: Any,
            results: Any) -> None:
    barrier.wait(timeout=60)
    results.put(dict(asyncio.run(_race(url, user_id, resources, seed))))


@pytest.mark.slow
async def test_processes_race_for_the_same_slots(db: Backend) -> None:
    site = await make_site()
    resources = [
        await make_resource(site_id=site, min_notice_minutes=0, max_duration_minutes=600)
        for _ in range(6)
    ]
    users = []
    for _ in range(PROCESSES):
        company = await make_company()
        users.append(await make_user(memberships=[(company, "booker")]))
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(db.url, users[i], resources, i, barrier, results))
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    loop = asyncio.get_running_loop()
    totals: Counter[str] = Counter()
    for _ in procs:
        totals.update(await loop.run_in_executor(None, results.get, True, 120))
    for p in procs:
        await loop.run_in_executor(None, p.join, 30)
        assert p.exitcode == 0

    attempts = PROCESSES * len(_attempts(resources, 0))
    assert sum(totals.values()) == attempts >= 300
    assert set(totals) <= {"created", "conflict"}, totals
    assert totals["conflict"] > attempts // 2
    print(f"\n{db.name}: {dict(totals)}")

    overlaps = await fetch(
        "SELECT COUNT(*) AS n FROM claims a JOIN claims b ON a.resource = b.resource "
        "AND a.id < b.id WHERE a.active AND b.active "
        "AND a.start_s < b.end_s AND b.start_s < a.end_s"
    )
    assert overlaps[0]["n"] == 0
    rows = await fetch("SELECT resource, start_s, end_s FROM claims WHERE active")
    assert len(rows) == totals["created"]
    base = int(DAY.timestamp())
    for rid in resources:
        for k in range(SLOTS):
            s = base + k * 3600
            covering = [r for r in rows if str(r["resource"]) == rid
                        and r["start_s"] <= s and r["end_s"] >= s + 3600]
            assert len(covering) == 1, (rid, k)
