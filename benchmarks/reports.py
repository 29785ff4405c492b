"""Benchmark: a region's reports on ~1,000 resources and a year of bookings.

    .venv/bin/python -m benchmarks.reports [--database-url URL] [--resources 1000] [--runs 7]

Builds `booking.demo.create_demo(resources=N, now=NOW)` (about 80 bookings per resource over
±8 weeks) in a fresh database (a temp SQLite file unless `--database-url` names an empty
PostgreSQL database), copies the bookings, their resources and occurrences back in time in
17-week steps with bulk inserts until a year is covered (claims are not copied: reports do not
read them), starts `labshare serve` on it, signs in as the coordinator and times each request
over HTTP. Every figure is the median of `--runs` timed requests after two warm-ups, the cases
interleaved round by round, printed with its ratio to `GET /healthz` measured the same way in
the same run. Budget: the region report ≤ 1 s. (The copies go through the `report_uses`
triggers like every write, so building takes longer than the bulk inserts alone.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from booking.db import engine as db_engine
from booking.db.migrate import migrate
from booking.db.sql import execute, execute_many, fetch, fetch_one
from booking.db.tables import Booking, BookingResource, Occurrence
from booking.demo import create_demo

NOW = datetime(2027, 3, 31, 10, 0, tzinfo=UTC)
STEP = timedelta(weeks=17)
BUDGET_S = 1.0


def _columns(table: Any) -> list[str]:
    return [c._meta.db_column_name for c in table._meta.columns]


TIMES = ("starts_at", "ends_at", "created_at", "updated_at", "decided_at", "cancelled_at")


def _moved(row: Any, ids: dict[Any, Any], shift: timedelta, own_id: bool) -> tuple[Any, ...]:
    """`row` with a new id, its booking id mapped to the copy's, and its instants shifted."""
    new: dict[str, Any] = {"id": ids[row["id"]] if own_id else uuid.uuid4()}
    if "booking" in row:
        new["booking"] = ids[row["booking"]]
    new.update({c: row[c] - shift for c in TIMES if c in row and row[c] is not None})
    return tuple(new.get(c, row[c]) for c in row)


async def _copy_back(steps: int) -> int:
    """Copies of every booking (with resources and occurrences) `STEP`, 2·`STEP`, … earlier."""
    tables = (Booking, BookingResource, Occurrence)
    rows = {t: [dict(r) for r in await fetch(
        f"SELECT {', '.join(_columns(t))} FROM {t._meta.tablename}")] for t in tables}
    for k in range(1, steps + 1):
        ids = {row["id"]: uuid.uuid4() for row in rows[Booking]}
        async with db_engine.transaction():
            for table in tables:
                names = _columns(table)
                quoted = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join(f"${i + 1}" for i in range(len(names)))
                await execute_many(
                    f"INSERT INTO {table._meta.tablename} ({quoted}) VALUES ({marks})",
                    [_moved(r, ids, k * STEP, table is Booking) for r in rows[table]],
                )
    return steps * len(rows[Booking])


async def prepare(url: str, resources: int, steps: int) -> dict[str, int]:
    engine = db_engine.configure(url)
    await db_engine.open_engine(engine)
    try:
        await migrate()
        summary = await create_demo(resources=resources, now=NOW)
        copied = await _copy_back(steps)
        await execute("ANALYZE")
        counts = {
            t: int((await fetch_one(f"SELECT COUNT(*) AS n FROM {t}"))["n"])  # type: ignore[index]
            for t in ("resources", "bookings", "occurrences", "booking_resources")
        }
        span = await fetch_one("SELECT MIN(starts_at) AS a, MAX(ends_at) AS b FROM occurrences")
        assert span is not None
        first, last = (v if isinstance(v, datetime) else datetime.fromisoformat(v)
                       for v in (span["a"], span["b"]))
        counts["days_of_bookings"] = (last - first).days
        counts["copied_bookings"] = copied
        counts["schools"] = summary.schools
        return counts
    finally:
        await db_engine.close_engine(engine)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _timed(client: httpx.Client, cases: list[tuple[str, str]],
           runs: int) -> list[tuple[str, float, int]]:
    """Median seconds and size per case. Two warm-ups each, then `runs` rounds that request
    every case once, so that noise from the shared machine falls on all cases alike."""
    for _, path in cases:
        for _ in range(2):
            client.get(path).raise_for_status()
    samples: dict[str, list[float]] = {name: [] for name, _ in cases}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        for name, path in cases:
            started = time.perf_counter()
            answer = client.get(path)
            samples[name].append(time.perf_counter() - started)
            answer.raise_for_status()
            sizes[name] = len(answer.content)
    return [(name, statistics.median(samples[name]), sizes[name]) for name, _ in cases]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: temp "
                        "SQLite file)")
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=2, help="17-week copies back in time")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="labshare-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    started = time.perf_counter()
    counts = asyncio.run(prepare(url, args.resources, args.steps))
    print(f"data ({time.perf_counter() - started:.0f} s to build): {counts}")

    port = _free_port()
    env = {**os.environ, "LABSHARE_DATABASE_URL": url}
    labshare = shutil.which("labshare", path=os.path.dirname(sys.executable)) or "labshare"
    server = subprocess.Popen([labshare, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            login = client.post("/api/v1/auth/login", json={
                "email": "coordinator@regio.test", "password": "labshare-demo"})
            login.raise_for_status()
            year = {"from": (NOW - timedelta(days=365)).isoformat(), "to": NOW.isoformat()}
            month = {"from": (NOW - timedelta(days=30)).isoformat(), "to": NOW.isoformat()}
            q = httpx.QueryParams
            cases = [
                ("healthz", "/healthz"),
                ("region, 30 days, per resource",
                 "/api/v1/reports/utilisation?" + str(q(month))),
                ("region, 30 days, per school",
                 "/api/v1/reports/utilisation?" + str(q({**month, "group_by": "school"}))),
                ("region, 30 days, CSV",
                 "/api/v1/reports/utilisation?" + str(q({**month, "format": "csv"}))),
                ("region, a year, per resource",
                 "/api/v1/reports/utilisation?" + str(q(year))),
                ("region, a year, per week",
                 "/api/v1/reports/utilisation?" + str(q({**year, "group_by": "week"}))),
                ("region, a year, per school",
                 "/api/v1/reports/utilisation?" + str(q({**year, "group_by": "school"}))),
                ("companies, a year", "/api/v1/reports/companies?" + str(q(year))),
                ("participants, a year", "/api/v1/reports/participants?" + str(q(year))),
                ("request flow, a year", "/api/v1/reports/flow?" + str(q(year))),
            ]
            results = _timed(client, cases, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    health = results[0][1]
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n{backend}, median of {args.runs} interleaved rounds over HTTP "
          "(labshare serve, 1 worker)")
    print(f"{'request':34} {'median':>10} {'× healthz':>10} {'bytes':>9}")
    worst = 0.0
    for name, seconds, size in results:
        print(f"{name:34} {seconds * 1000:8.1f}ms {seconds / health:10.1f} {size:9d}")
        if name.startswith("region"):
            worst = max(worst, seconds)
    verdict = "within" if worst <= BUDGET_S else "OVER"
    print(f"\nslowest region report {worst * 1000:.0f} ms: {verdict} the {BUDGET_S:.0f} s budget")
    return 0 if worst <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
