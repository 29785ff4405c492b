"""Faults against a real `labshare serve --workers 2`, on each backend (slow, bounded in time).

- kill -9 of the whole server (master and workers) during a burst of creates: every booking
  that was answered 201 is there afterwards, with its resources, occurrences and claims, and
  nothing is half-written; on SQLite `PRAGMA integrity_check` says ok.
- the database cut and restored mid-run (PostgreSQL, through tests/faults.TcpProxy): 503
  `/problems/unavailable` with Retry-After while it is gone (never 500, never a hang), then
  service again within seconds without a restart, and no traceback in the server's log.
  SQLite has no connection to cut; tests/http/test_outage.py covers its equivalent in-process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.db import engine as db_engine
from booking.db.sql import fetch
from tests.factories import make_company, make_resource, make_user
from tests.faults import TcpProxy, running_server
from tests.http.conftest import bearer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

BURST = 400
IN_FLIGHT = 16
KILL_AFTER = 60  # acknowledged creates before the kill


async def _booking_bodies(count: int) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """`count` create bodies for distinct free slots, and bookers' headers to send them with."""
    resources = [await make_resource(hours=("00:00", "24:00"), weekdays=range(1, 8),
                                     min_notice_minutes=0) for _ in range(4)]
    tokens = []
    for _ in range(4):
        company = await make_company()
        tokens.append(await bearer(await make_user(memberships=[(company, "booker")])))
    day0 = datetime.now(UTC).astimezone(ZoneInfo("Europe/Amsterdam")).replace(
        hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    bodies = []
    for i in range(count):
        start = day0 + timedelta(days=i // (len(resources) * 12), hours=2 * ((i // 4) % 12))
        bodies.append({"resource_ids": [resources[i % len(resources)]],
                       "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
                       "title": f"burst {i}"})
    return bodies, tokens


async def test_kill_9_during_a_burst_loses_no_acknowledged_booking(db: Any) -> None:
    bodies, tokens = await _booking_bodies(BURST)
    acknowledged: list[str] = []
    other: list[int] = []
    with running_server(db.url) as (url, proc, _):
        killed = asyncio.Event()
        queue = list(enumerate(bodies))

        async def worker(client: httpx.AsyncClient) -> None:
            while queue and not killed.is_set():
                i, body = queue.pop(0)
                try:
                    r = await client.post("/api/v1/bookings", json=body,
                                          headers=tokens[i % len(tokens)])
                except httpx.HTTPError:
                    continue  # the server died under this request: no answer, no promise
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])
                    if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        os.killpg(proc.pid, signal.SIGKILL)
                else:
                    other.append(r.status_code)

        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            await asyncio.wait_for(
                asyncio.gather(*(worker(client) for _ in range(IN_FLIGHT))), timeout=120)
        assert killed.is_set(), f"only {len(acknowledged)} creates before the burst ended"
    assert not [s for s in other if s >= 500], other

    stored = {str(r["id"]) for r in await fetch("SELECT id FROM bookings")}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged bookings lost"
    half_written = await fetch(
        "SELECT b.id FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM occurrences o WHERE "
        "o.booking = b.id) OR NOT EXISTS (SELECT 1 FROM claims c WHERE c.booking = b.id) "
        "OR NOT EXISTS (SELECT 1 FROM booking_resources r WHERE r.booking = b.id)")
    assert half_written == []
    orphans = await fetch("SELECT o.id FROM occurrences o WHERE NOT EXISTS (SELECT 1 FROM "
                          "claims c WHERE c.occurrence = o.id)")
    assert orphans == []
    if db.name == "sqlite":
        with sqlite3.connect(db_engine.sqlite_path(db.url)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


async def test_database_cut_and_restored_mid_run(db: Any) -> None:
    if db.name != "postgresql":
        pytest.skip("SQLite has no connection to cut; see tests/http/test_outage.py")
    rid = await make_resource()
    url = urlparse(db.url)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
    proxied = urlunparse(url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}"))
    try:
        with running_server(proxied, env={"LABSHARE_JOB_TICK": "1"}) as (base, _, log):
            async with httpx.AsyncClient(base_url=base, timeout=15) as c:
                assert (await c.get(f"/api/v1/resources/{rid}")).status_code == 200
                proxy.cut()
                seen: list[httpx.Response] = []
                started = time.monotonic()
                for _ in range(10):
                    seen.append(await c.get(f"/api/v1/resources/{rid}"))
                    seen.append(await c.get("/resources", headers={"Accept": "text/html"}))
                    seen.append(await c.post("/api/v1/auth/login",
                                             json={"email": "a@b.test", "password": "x"}))
                took = time.monotonic() - started
                await asyncio.sleep(2)  # the background jobs meet the outage too
                proxy.restore()
                deadline = time.monotonic() + 20
                back = None
                while time.monotonic() < deadline:
                    back = await c.get(f"/api/v1/resources/{rid}")
                    if back.status_code == 200:
                        break
                    await asyncio.sleep(0.25)
            server_log = log.read_text()
    finally:
        proxy.close()
    assert {r.status_code for r in seen} == {503}, [(r.status_code, r.text[:80]) for r in seen]
    assert all(int(r.headers["retry-after"]) > 0 for r in seen)
    api = [r for r in seen if r.headers["content-type"].startswith("application/problem+json")]
    assert api and all(r.json()["type"] == "/problems/unavailable" for r in api)
    assert took < 60, f"30 requests took {took:.0f} s while the database was gone"
    assert back is not None and back.status_code == 200, "no recovery within 20 s, no restart"
    assert "Traceback" not in server_log, server_log[-3000:]
