"""The outbox's cost and throughput, per backend, in one run:
1. booking creation with the notification consumer (the event rows of the outbox, inside the
   booking's transaction) vs without it (CONSUMERS emptied), side by side in interleaved
   rounds — goal: within 15 %;
2. a burst of 1,000 bookings (each a pending request mailing the school's two managers, plus
   confirmed ones mailing the booker with an invitation) drained through a real aiosmtpd on
   loopback by the outbox worker; prints mails/s.
Run: `.venv/bin/python benchmarks/outbox.py [sqlite] [postgresql]`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import backends, database

from booking.db import outbox_store
from booking.services import booking_events, bookings
from booking.services.outbox_worker import deliver_due
from booking.services.views import BookingRequest
from booking.settings import Settings
from tests.factories import booker, make_resource, make_school, make_site, make_user
from tests.integration.smtp_support import SmtpSink

ROUND = 150
ROUNDS = 5
RESOURCES = 20
BURST = 1000
NOW = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
BASE = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)


async def create(actor: Any, rids: list[str], first: int, n: int) -> float:
    start = time.perf_counter()
    for i in range(first, first + n):
        at = BASE + timedelta(hours=i // len(rids))
        await bookings.create_booking(actor, BookingRequest(
            [rids[i % len(rids)]], at, at + timedelta(hours=1), title="bench"), NOW)
    return n / (time.perf_counter() - start)


async def bench(backend: str) -> None:
    async with database(backend) as url:
        school = await make_school()
        site = await make_site(school_id=school)
        for _ in range(2):
            await make_user(memberships=[(school, "facility_manager")])
        rids = [
            await make_resource(site_id=site, hours=("00:00", "24:00"), weekdays=range(1, 8),
                                min_notice_minutes=0, max_advance_days=3650,
                                approval_required=k % 2 == 0)
            for k in range(RESOURCES)
        ]
        actor, _ = await booker()
        consumers = booking_events.CONSUMERS
        await create(actor, rids, 0, 40)  # warm-up
        with_rates, without_rates = [], []
        first = 40
        for _ in range(ROUNDS):  # interleaved rounds, so load from elsewhere hits both alike
            booking_events.CONSUMERS = ()
            without_rates.append(await create(actor, rids, first, ROUND))
            first += ROUND
            booking_events.CONSUMERS = consumers
            with_rates.append(await create(actor, rids, first, ROUND))
            first += ROUND
        w, wo = max(with_rates), max(without_rates)
        pairs = sorted(a / b for a, b in zip(with_rates, without_rates, strict=True))
        print(f"{backend:10s} create: with outbox {w:6.0f}/s  without {wo:6.0f}/s  "
              f"ratio of bests {w / wo:.2f}, median ratio of neighbouring rounds "
              f"{pairs[len(pairs) // 2]:.2f}  ({ROUNDS} rounds of {ROUND}; with "
              f"{[round(x) for x in with_rates]}, without {[round(x) for x in without_rates]})",
              flush=True)

        # the burst: drain what queued so far, then 1,000 more bookings' mail
        sink = SmtpSink()
        sink.start()
        settings = Settings(database_url=url, smtp_url=sink.url)
        try:
            while await deliver_due(NOW, settings, limit=200):
                pass
            sink.received.clear()
            start = time.perf_counter()
            await create(actor, rids, first, BURST)
            queued = await outbox_store.count_unsent()  # event rows, expanded by the worker
            made = time.perf_counter() - start
            start = time.perf_counter()
            while await deliver_due(NOW, settings, limit=200):
                pass  # expands the 1,000 events into mails, then sends them
            took = time.perf_counter() - start
            print(f"{backend:10s} burst: {BURST} bookings in {made:.1f} s recorded {queued} "
                  f"events; expanded and drained {len(sink.received)} through aiosmtpd in "
                  f"{took:.1f} s = "
                  f"{len(sink.received) / took:.0f} mails/s", flush=True)
        finally:
            sink.stop()


async def main() -> None:
    for backend in backends():
        await bench(backend)


if __name__ == "__main__":
    asyncio.run(main())
