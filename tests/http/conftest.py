"""HTTP fixtures: the app on the `db` backend (SQLite and PostgreSQL, see tests/conftest.py)
with a fixed clock, an async client, and bearer headers for users made by the factories.

The client is httpx over `ASGITransport`, on the test's own event loop: Litestar's
AsyncTestClient runs the app in an anyio portal on another loop, where the asyncpg pool that
the factories share would be unusable ("attached to a different loop")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar

from api.app import create_app
from booking.services import accounts
from booking.settings import Settings
from tests.faults import running_server

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
"""Monday 2 March 2026, 08:00 in Amsterdam: the clock of every HTTP test."""

accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def settings(db: Any) -> Settings:
    return Settings(database_url=db.url, migrate_on_startup=False)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings, clock=lambda: NOW, route_packages=("api.controllers",),
                      own_engine=False)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def pages_app(settings: Settings) -> Litestar:
    """The app with the JSON API and the pages, as served."""
    return create_app(settings, clock=lambda: NOW, own_engine=False,
                      route_packages=("api.controllers", "frontend.pages"))


@pytest.fixture
async def web(pages_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `pages_app` (a browser's view: pages, forms, cookies)."""
    transport = httpx.ASGITransport(app=pages_app, client=("203.0.113.9", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def bearer(user_id: str) -> dict[str, str]:
    """Authorization headers with a fresh API token of `user_id`."""
    _, secret = await accounts.create_token(user_id, "test", NOW)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def server(db: Any) -> Iterator[str]:
    """A real `labshare serve --workers 2` on the test backend; yields its base URL."""
    with running_server(db.url) as (url, _, _):
        yield url
