"""Feed serving with 2,000 events: cold render, warm (cached body) and 304, each as a ratio to
`GET /healthz` measured in the same run, through the real app in-process (httpx ASGITransport,
so the app's middleware is included and no network is).

cold = body cache cleared before each request (queries + events + icalendar render);
warm = 200 with the body from the cache (validator queries only); 304 = If-None-Match while no
booking changed (one query); 304 recount = the same after a change anywhere (the scope's
watermark aggregate is recounted: two queries).
Run: `.venv/bin/python benchmarks/feeds.py [sqlite] [postgresql]`. Goal: 304 within 2x healthz.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from _common import backends, database, median, timed

from api.app import create_app
from booking.db.engine import transaction
from booking.db.sql import execute_many
from booking.services import feed_serving, feeds
from booking.settings import Settings
from tests.factories import actor_for, make_company, make_resource, make_user

EVENTS = 2000
ROUNDS = 300
COLD_ROUNDS = 5
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


async def _bookings(company: str, resource: str) -> None:
    """EVENTS confirmed one-hour bookings, 4 hours apart, from 20 days back (inside the window),
    last changed an hour ago."""
    first = NOW - timedelta(days=20)
    bookings: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    occurrences: list[tuple[Any, ...]] = []
    for n in range(EVENTS):
        bid = str(uuid.uuid4())
        start = first + timedelta(hours=4 * n)
        end = start + timedelta(hours=1)
        bookings.append((bid, company, f"Training {n}", start, end, NOW - timedelta(hours=1)))
        links.append((str(uuid.uuid4()), bid, resource))
        occurrences.append((str(uuid.uuid4()), bid, 0, start, end))
    async with transaction():
        await execute_many(
            "INSERT INTO bookings (id, organisation, title, status, students, employees, "
            "price_amount, currency, starts_at, ends_at, version, sequence, decision_message, "
            "created_at, updated_at) VALUES ($1, $2, $3, 'confirmed', 6, 2, 100, 'EUR', $4, $5, "
            "1, 0, '', $6, $6)",
            bookings,
        )
        await execute_many(
            "INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)", links
        )
        await execute_many(
            "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            occurrences,
        )


async def run(backend: str) -> None:
    async with database(backend) as url:
        company = await make_company(name="Acme Metaal BV")
        user = await make_user(memberships=[(company, "booker")])
        await _bookings(company, await make_resource(name="CNC-cel"))
        made = await feeds.create_feed(await actor_for(user), "me", base_url="http://bench",
                                       now=NOW)
        path = made.url.removeprefix("http://bench")
        app = create_app(Settings(database_url=url, migrate_on_startup=False),
                         clock=lambda: NOW, route_packages=("api.controllers",),
                         own_engine=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = await client.get(path)
            assert first.status_code == 200 and first.content.count(b"BEGIN:VEVENT") == EVENTS
            etag = first.headers["etag"]

            async def health() -> None:
                assert (await client.get("/healthz")).status_code == 200

            async def cold() -> None:
                feed_serving._bodies.clear()
                assert (await client.get(path)).status_code == 200

            async def warm() -> None:
                assert (await client.get(path)).status_code == 200

            async def not_modified() -> None:
                r = await client.get(path, headers={"If-None-Match": etag})
                assert r.status_code == 304

            async def not_modified_recount() -> None:
                feed_serving._marks.clear()  # as right after a booking changed somewhere
                await not_modified()

            for fn in (health, warm, not_modified):  # warm-up
                await timed(fn, 20)
            results = {
                "healthz": median(await timed(health, ROUNDS)),
                "304": median(await timed(not_modified, ROUNDS)),
                "304 recount": median(await timed(not_modified_recount, ROUNDS)),
                "warm 200": median(await timed(warm, ROUNDS)),
                "cold 200": median(await timed(cold, COLD_ROUNDS)),
            }
            size = len(first.content)
        base = results["healthz"]
        print(f"\n{backend}: {EVENTS} events, body {size / 1024:.0f} KiB")
        for name, seconds in results.items():
            print(f"  {name:>11}: {seconds * 1000:8.2f} ms   {seconds / base:7.2f}x healthz")
        verdict = "met" if results["304"] <= 2 * base else "NOT met"
        print(f"  goal (304 within 2x healthz): {verdict}")


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for backend in backends():
        await run(backend)


if __name__ == "__main__":
    asyncio.run(main())
