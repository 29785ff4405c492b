"""A move vs a create, side by side in one run per backend: `change_booking` (detach the
booking's claims, create's reads and verdicts, new claims, version guard) against
`create_booking` of the same one-hour bookings, in interleaved rounds.
Run: `.venv/bin/python benchmarks/booking_moves.py [sqlite] [postgresql]`. Goal: a move costs
at most 1.5× a create (ratio = move ms / create ms ≤ 1.5).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import backends, database

from booking.services import booking_change, bookings
from booking.services.views import BookingPatch, BookingRequest
from tests.factories import booker, make_resource, make_site

N = 600
RESOURCES = 20
NOW = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
BASE = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)
MOVED = timedelta(days=21)  # each booking moves three weeks on, onto free time


def slot(i: int) -> tuple[int, datetime]:
    return i % RESOURCES, BASE + timedelta(hours=i // RESOURCES)


async def creates(actor: Any, rids: list[str], first: int, n: int) -> tuple[float, list[str]]:
    made = []
    start = time.perf_counter()
    for i in range(first, first + n):
        r, at = slot(i)
        b = (await bookings.create_booking(
            actor, BookingRequest([rids[r]], at, at + timedelta(hours=1), title="bench"),
            NOW)).booking
        assert b is not None
        made.append(b.id)
    return (time.perf_counter() - start) / n * 1000, made


async def moves(actor: Any, ids: list[str], first: int) -> float:
    start = time.perf_counter()
    for k, bid in enumerate(ids):
        _, at = slot(first + k)
        await booking_change.change_booking(
            actor, bid, BookingPatch(start=at + MOVED, end=at + MOVED + timedelta(hours=1)),
            NOW, if_match=1)
    return (time.perf_counter() - start) / len(ids) * 1000


async def bench(backend: str) -> None:
    async with database(backend):
        site = await make_site()
        rids = [
            await make_resource(site_id=site, hours=("00:00", "24:00"), weekdays=range(1, 8),
                                min_notice_minutes=0, max_advance_days=3650)
            for _ in range(RESOURCES)
        ]
        actor, _ = await booker()
        _, warm = await creates(actor, rids, 0, 40)  # warm-up
        await moves(actor, warm, 0)
        create_ms, move_ms = [], []
        first = 40
        for _ in range(3):  # interleaved rounds, so load from elsewhere hits both alike
            ms, made = await creates(actor, rids, first, N // 3)
            create_ms.append(ms)
            move_ms.append(await moves(actor, made, first))
            first += N // 3
        c, m = min(create_ms), min(move_ms)
        print(f"{backend:10s} create {c:6.2f} ms   move {m:6.2f} ms   move/create {m / c:.2f}  "
              f"(best of 3 rounds of {N // 3}; all: {[round(x, 2) for x in create_ms]} vs "
              f"{[round(x, 2) for x in move_ms]})")


async def main() -> None:
    for backend in backends():
        await bench(backend)


if __name__ == "__main__":
    asyncio.run(main())
