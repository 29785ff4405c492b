"""How long reading an uploaded ICS takes by size, beside the request-path bound of imports.

Run: `.venv/bin/python benchmarks/ics_imports.py`. Prints, for uploads of N single events,
the seconds `read_import` takes and the ratio to the 1,000-event body that
`booking.services.ics_reading.SYNC_MAX_EVENTS` still reads inside a request; then, per backend,
the seconds a whole `create_import` of that body takes (parse, closures, overlaps) beside one
of 10,000 events (answered `pending`: read later by the background job)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from _common import database

from booking.domain.intervals import Interval
from booking.ical import read_import
from booking.services.ics_reading import SYNC_MAX_BYTES, SYNC_MAX_EVENTS
from booking.services.imports import create_import
from tests.factories import make_resource, make_school, make_site, manager

NOW = datetime(2027, 3, 1, tzinfo=UTC)


def upload(events: int) -> str:
    """`events` one-hour events, one every 2 hours from NOW (UTC), as an ICS text."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//NL"]
    for n in range(events):
        start = NOW + timedelta(hours=2 * n)
        lines += ["BEGIN:VEVENT", f"UID:e{n}@bench", "DTSTAMP:20270101T000000Z",
                  f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                  f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
                  f"SUMMARY:Les {n}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    window = Interval(NOW - timedelta(days=30), NOW + timedelta(days=3650))
    rows = []
    for size in (100, SYNC_MAX_EVENTS, 10_000):
        body = upload(size)
        began = time.perf_counter()
        got = read_import(body, window)
        rows.append((size, len(body), time.perf_counter() - began, len(got.events)))
    bound = next(seconds for size, _, seconds, _ in rows if size == SYNC_MAX_EVENTS)
    for size, length, seconds, read in rows:
        print(f"{size:>6} events  {length / 1024:>7.0f} KB  {seconds:6.2f} s  "
              f"{seconds / bound:5.1f}× the in-request bound  ({read} read)")
    print(f"bounds: {SYNC_MAX_EVENTS} events / {SYNC_MAX_BYTES // 1024} KB in the request")


async def requests() -> None:
    for backend in ("sqlite", "postgresql"):
        async with database(backend):
            school = await make_school()
            site = await make_site(school_id=school)
            resource = await make_resource(site_id=site)
            boss = await manager(school)
            timings = []
            for size in (SYNC_MAX_EVENTS, 10_000):
                body = upload(size)
                began = time.perf_counter()
                view = await create_import(boss, resource_id=resource, ics=body,
                                           kind="holidays", now=NOW)
                timings.append((size, time.perf_counter() - began, view.status))
            print(backend, "  ".join(f"create {n} events: {t:.2f} s ({st})"
                                     for n, t, st in timings))


if __name__ == "__main__":
    main()
    asyncio.run(requests())
