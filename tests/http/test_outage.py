"""A lost database: every API call answers 503 `/problems/unavailable` with Retry-After, the
pages a short page in the visitor's language, /healthz 503 — never 500 — and service resumes
by itself, without a restart, as soon as the database answers again.

PostgreSQL: the app reaches the database through a TCP proxy (tests/faults.py) that is cut and
restored. SQLite has no connection to cut (it is a file opened in-process; open connections
keep working on the file even when it is renamed or unlinked). Its honest equivalent is the
database being held by someone else — a backup, a migration or the sqlite3 shell holding an
exclusive lock beyond the busy timeout — which this test reproduces, then releases."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from booking.db import engine as db_engine
from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company, make_resource
from tests.faults import TcpProxy
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"


@pytest.fixture
async def seeded(db: Any) -> dict[str, str]:
    company = await make_company(name="Acme Metaal BV")
    await accounts.create_user(email="planner@acme.test", name="Petra", password=PASSWORD,
                               now=NOW, memberships=[(company, Role.BOOKER)])
    resource = await make_resource(name="CNC-werkplaats")
    _, secret = await accounts.create_token(
        (await accounts.authenticate("planner@acme.test", PASSWORD, "seed", NOW)), "t", NOW)
    return {"resource": resource, "token": secret}


class Outage:
    """Cut and restore the database under an app that owns nothing (`own_engine=False`)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.proxy: TcpProxy | None = None
        self.locker: sqlite3.Connection | None = None

    async def start(self) -> None:
        if self.db.name == "postgresql":
            url = urlparse(self.db.url)
            self.proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
            proxied = urlunparse(url._replace(netloc=f"{url.username}@127.0.0.1:{self.proxy.port}"))
            engine = db_engine.configure(proxied)
            await db_engine.open_engine(engine)

    def cut(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
        else:
            self.locker = sqlite3.connect(db_engine.sqlite_path(self.db.url), timeout=5,
                                          isolation_level=None)
            self.locker.execute("BEGIN EXCLUSIVE")

    def restore(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        elif self.locker is not None:
            self.locker.execute("ROLLBACK")
            self.locker.close()
            self.locker = None

    async def close(self) -> None:
        self.restore()
        if self.proxy is not None:
            await db_engine.close_engine()
            self.proxy.close()
        db_engine.use_engine(self.db.engine)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SQLite waits 10 s for a lock in production; a test needs no such patience."""
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    yield


@pytest.fixture
async def outage(db: Any, short_busy_timeout: None) -> AsyncIterator[Outage]:
    if db.name == "sqlite":  # fresh pooled connections, so they take the short busy timeout
        await db_engine.close_engine(db.engine)
    fault = Outage(db)
    await fault.start()
    yield fault
    await fault.close()


@pytest.fixture
async def web_app(settings: Any) -> Litestar:
    return create_app(settings, clock=lambda: NOW, own_engine=False)


async def _requests(c: httpx.AsyncClient, seeded: dict[str, str]) -> list[httpx.Response]:
    """What a visitor, a booker and an integration do: reads, a login, a write, a page."""
    bearer = {"Authorization": f"Bearer {seeded['token']}"}
    return [
        await c.get("/api/v1/resources", headers=bearer),
        await c.get("/api/v1/bookings", headers=bearer),
        await c.get("/api/v1/me", headers=bearer),
        await c.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                 "password": PASSWORD}),
        await c.post("/api/v1/bookings", headers=bearer, json={
            "resource_ids": [seeded["resource"]], "start": "2026-03-10T10:00:00+01:00",
            "end": "2026-03-10T12:00:00+01:00", "title": "Tijdens de storing"}),
    ]


async def test_lost_database_answers_503_and_recovers_without_restart(
    outage: Outage, seeded: dict[str, str], web_app: Litestar
) -> None:
    transport = httpx.ASGITransport(app=web_app, client=("203.0.113.5", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 timeout=30) as c:
        before = await _requests(c, seeded)
        assert [r.status_code for r in before] == [200, 200, 200, 200, 201], before[-1].text
        outage.cut()
        during = await _requests(c, seeded)
        health = await c.get("/healthz")
        page_nl = await c.get("/resources", headers={"Accept": "text/html"})
        page_en = await c.get("/resources", headers={"Accept": "text/html",
                                                     "Accept-Language": "en"})
        outage.restore()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (await c.get("/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        after = await _requests(c, seeded)

    # SQLite in WAL mode: readers go on under another's exclusive lock, writers cannot
    failed = [*during, health] if outage.proxy is not None else during[3:]
    if outage.proxy is None:
        assert [r.status_code for r in [*during[:3], health]] == [200, 200, 200, 200]
    for r in failed:
        assert r.status_code == 503, (r.request.url, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "/problems/unavailable"
        assert int(r.headers["retry-after"]) > 0
    for page, words in ((page_nl, "Tijdelijk niet beschikbaar"),
                        (page_en, "Temporarily unavailable")):
        if outage.proxy is None:  # SQLite in WAL mode: the page only reads, so it still works
            assert page.status_code == 200
            continue
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert words in page.text and int(page.headers["retry-after"]) > 0
    assert [r.status_code for r in after[:4]] == [200, 200, 200, 200]
    assert after[4].status_code == 409  # the first booking is there, the outage's is not
