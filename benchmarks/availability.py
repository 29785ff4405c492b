"""Availability at catalogue scale: 1,000 resources and ~80k bookings per backend.

Measures (in-process, median of repeats) the service's availability of one resource over four
weeks (goal <= 5 ms) and the free-window search over all resources for two weeks with windows
of at least 4 h (`list_resources(free_from, free_to, min_free_minutes=240)`, paging through
every page with limit 200; goal <= 150 ms), each beside a naive reference in the same run: per
resource queries plus a slot-by-slot scan. Run: `.venv/bin/python benchmarks/availability.py
[sqlite] [postgresql]`.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from _common import backends, database, median, timed

from booking.db.engine import sqlite_path
from booking.db.sql import fetch
from booking.domain.intervals import Interval
from booking.domain.roles import ANONYMOUS
from booking.services import catalogue

RESOURCES, PER_RESOURCE, WEEKS = 1000, 80, 20
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)  # a Monday; bookings run 10 weeks each side
FIRST_WEEK = NOW - timedelta(weeks=WEEKS // 2)
HOURS = [("08:00", "18:00"), ("07:30", "17:00"), ("09:00", "21:00"), ("08:00", "16:30")]
TZ = ZoneInfo("Europe/Amsterdam")


def generate() -> dict[str, list[tuple[Any, ...]]]:
    """Rows per table (ids as text, instants as aware datetimes)."""
    rng = random.Random(7)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in (
        "organisations", "sites", "resources", "opening_rules", "closures", "bookings",
        "booking_resources", "occurrences", "claims")}
    company = str(uuid.uuid4())
    rows["organisations"].append((company, "company", "Bench BV", False, "", None, t0))
    sites = []
    for s in range(10):
        school = str(uuid.uuid4())
        rows["organisations"].append((school, "school", f"School {s}", False, "", None, t0))
        for _ in range(2):
            site = str(uuid.uuid4())
            sites.append((school, site))
            rows["sites"].append((site, school, f"Site {len(sites)}", "", "", "", None, None,
                                  "Europe/Amsterdam"))
            holiday = NOW + timedelta(days=rng.randrange(0, 14))
            rows["closures"].append((str(uuid.uuid4()), None, site, holiday,
                                     holiday + timedelta(days=1), "Studiedag", "holiday", None))
    for i in range(RESOURCES):
        school, site = sites[i % len(sites)]
        rid = str(uuid.uuid4())
        rates = json.dumps([{"customer_class": "standard", "hourly": "80.00", "currency": "EUR"}])
        rows["resources"].append((rid, school, site, None, "equipment", f"Machine {i:04d}", "",
                                  1, "[]", "public", rates, t0))
        opens, closes = HOURS[i % len(HOURS)]
        for day in range(1, 6):
            rows["opening_rules"].append((str(uuid.uuid4()), rid, day, opens, closes, None, None))
        if i % 7 == 0:
            start = NOW + timedelta(days=rng.randrange(0, 14), hours=8)
            rows["closures"].append((str(uuid.uuid4()), rid, None, start,
                                     start + timedelta(hours=4), "Onderhoud", "maintenance", None))
        for b in range(PER_RESOURCE):
            week, day = divmod(b, PER_RESOURCE // WEEKS)  # 4 a week, Mon-Thu
            local = datetime.combine(
                (FIRST_WEEK + timedelta(weeks=week, days=day)).date(),
                datetime.min.time(), TZ) + timedelta(hours=rng.randrange(8, 14))
            start = local.astimezone(UTC)
            end = start + timedelta(hours=rng.randrange(1, 4))
            bid, oid = str(uuid.uuid4()), str(uuid.uuid4())
            rows["bookings"].append((bid, company, "bench", "confirmed", 80, start, end, t0))
            rows["booking_resources"].append((str(uuid.uuid4()), bid, rid))
            rows["occurrences"].append((oid, bid, 0, start, end))
            rows["claims"].append((str(uuid.uuid4()), bid, oid, rid, int(start.timestamp()),
                                   int(end.timestamp()), True))
    return rows


COLUMNS = {
    "organisations": "id, kind, name, is_sme, city, region, created_at",
    "sites": "id, school, name, address, postcode, city, latitude, longitude, timezone",
    "resources": "id, school, site, parent, kind, name, description, capacity, tags, "
                 "visibility, rates, updated_at",
    "opening_rules": "id, resource, weekday, opens, closes, valid_from, valid_to",
    "closures": "id, resource, site, starts_at, ends_at, reason, kind, source",
    "bookings": "id, organisation, title, status, price_amount, starts_at, ends_at, created_at",
    "booking_resources": "id, booking, resource",
    "occurrences": "id, booking, position, starts_at, ends_at",
    "claims": "id, booking, occurrence, resource, start_s, end_s, active",
}
DEFAULTS = {"bookings": "created_at", "resources": "updated_at"}


async def load(backend: str, url: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    if backend == "sqlite":
        def text(v: Any) -> Any:
            return str(v.astimezone(UTC)) if isinstance(v, datetime) else v

        conn = sqlite3.connect(sqlite_path(url))
        with conn:
            for table, cols in COLUMNS.items():
                marks = ", ".join("?" * len(cols.split(",")))
                extra = ", updated_at" if table == "bookings" else ""
                marks_extra = ", ?" if table == "bookings" else ""
                data = [tuple(text(v) for v in r) + ((text(r[-1]),) if extra else ())
                        for r in rows[table]]
                conn.executemany(
                    f"INSERT INTO {table} ({cols}{extra}) VALUES ({marks}{marks_extra})", data)
        conn.close()
        return
    import asyncpg

    conn = await asyncpg.connect(url)
    for table, cols in COLUMNS.items():
        names = [c.strip() for c in cols.split(",")]
        data = [tuple(uuid.UUID(v) if isinstance(v, str) and len(v) == 36 and v.count("-") == 4
                      else v for v in r) for r in rows[table]]
        if table == "bookings":
            names.append("updated_at")
            data = [(*r, r[-1]) for r in data]
        await conn.copy_records_to_table(table, records=data, columns=names)
    await conn.execute("ANALYZE")
    await conn.close()


async def naive_free(rid: str, window: Interval, need_slots: int) -> bool:
    """Reference: three queries for this resource, then a 30-minute slot-by-slot scan."""
    rules = await fetch("SELECT weekday, opens, closes FROM opening_rules WHERE resource = $1",
                        rid)
    site = await fetch("SELECT site FROM resources WHERE id = $1", rid)
    closures = await fetch(
        "SELECT starts_at, ends_at FROM closures WHERE (resource = $1 OR site = $2) "
        "AND starts_at < $3 AND ends_at > $4", rid, site[0]["site"], window.end, window.start)
    claims = await fetch(
        "SELECT start_s, end_s FROM claims WHERE active AND resource = $1 AND end_s > $2 "
        "AND start_s < $3", rid, int(window.start.timestamp()), int(window.end.timestamp()))
    slot, run = window.start, 0
    earliest = NOW + timedelta(days=1)
    while slot < window.end:
        end = slot + timedelta(minutes=30)
        local = slot.astimezone(TZ)
        hhmm, local_end = local.strftime("%H:%M"), end.astimezone(TZ).strftime("%H:%M")
        ok = slot >= earliest and any(
            r["weekday"] == local.isoweekday() and r["opens"] <= hhmm and local_end <= r["closes"]
            for r in rules)
        ok = ok and not any(c["starts_at"] < end and slot < c["ends_at"] for c in closures)
        s, e = int(slot.timestamp()), int(end.timestamp())
        ok = ok and not any(c["start_s"] < e and s < c["end_s"] for c in claims)
        run = run + 1 if ok else 0
        if run >= need_slots:
            return True
        slot = end
    return False


async def search_all(window: Interval) -> int:
    found, cursor = 0, None
    while True:
        page = await catalogue.list_resources(
            ANONYMOUS, free_from=window.start, free_to=window.end, min_free_minutes=240,
            limit=200, cursor=cursor, now=NOW)
        found += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


async def bench(backend: str) -> None:
    async with database(backend) as url:
        started = time.perf_counter()
        rows = generate()
        await load(backend, url, rows)
        print(f"{backend}: loaded {len(rows['resources'])} resources, "
              f"{len(rows['bookings'])} bookings in {time.perf_counter() - started:.1f} s")
        rids = [r[0] for r in rows["resources"]]
        four = Interval(NOW, NOW + timedelta(weeks=4))
        two = Interval(NOW, NOW + timedelta(weeks=2))

        cold = await timed(lambda: catalogue.availability(ANONYMOUS, rids[0], four, NOW), 1)
        picks = iter(random.Random(1).choices(rids, k=200))
        one = await timed(lambda: catalogue.availability(ANONYMOUS, next(picks), four, NOW), 100)
        naive_one = await timed(lambda: naive_free(next(picks), four, 10**6), 20)
        print(f"  one resource, 4 weeks: service {median(one) * 1000:6.2f} ms "
              f"(cold {cold[0] * 1000:.1f} ms)  naive {median(naive_one) * 1000:6.2f} ms  "
              f"ratio x{median(naive_one) / median(one):.1f}   goal <= 5 ms")

        matches = 0

        async def run_search() -> None:
            nonlocal matches
            matches = await search_all(two)

        cold_all = await timed(run_search, 1)
        warm_all = await timed(run_search, 5)

        async def run_naive() -> None:
            assert sum([await naive_free(r, two, 8) for r in rids]) == matches

        naive_all = await timed(run_naive, 1)
        print(f"  all {len(rids)} resources, 2 weeks, >= 4 h free ({matches} match): service "
              f"{median(warm_all) * 1000:6.1f} ms (cold {cold_all[0] * 1000:.1f} ms)  "
              f"naive {naive_all[0] * 1000:7.1f} ms  ratio x{naive_all[0] / median(warm_all):.1f}"
              f"   goal <= 150 ms")


async def main() -> None:
    for backend in backends():
        await bench(backend)


if __name__ == "__main__":
    asyncio.run(main())
