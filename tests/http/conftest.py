"""HTTP fixtures: the app on the `db` backend (SQLite and PostgreSQL, see tests/conftest.py)
with a fixed clock, an AsyncTestClient, and bearer headers for users made by the factories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from booking.services import accounts

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
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def bearer(user_id: str) -> dict[str, str]:
    """Authorization headers with a fresh API token of `user_id`."""
    _, secret = await accounts.create_token(user_id, "test", NOW)
    return {"Authorization": f"Bearer {secret}"}
