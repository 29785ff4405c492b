"""Login throttling that a stranger cannot turn against the owner: per account and address,
plus a wider per-address limit, with growing delays (429 + Retry-After) instead of a lock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from booking.domain.roles import Role
from booking.services import accounts
from booking.services.accounts import AuthenticationFailed, LoginLimits, TooManyAttempts
from tests.factories import make_company
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"


@pytest.fixture
async def owner(db: Any) -> str:
    company = await make_company(name="Acme Metaal BV")
    return await accounts.create_user(email="planner@acme.test", name="Petra", password=PASSWORD,
                                      now=NOW, memberships=[(company, Role.BOOKER)])


@pytest.fixture
async def owner_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The account's owner, at another address than the stranger's `client`."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _login(c: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await c.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_a_stranger_cannot_lock_the_owner_out(
    client: httpx.AsyncClient, owner_client: httpx.AsyncClient, owner: str
) -> None:
    for _ in range(30):  # far beyond every limit, from the stranger's address
        r = await _login(client, "planner@acme.test", "guess")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["type"] == "/problems/rate-limited"
    r = await _login(client, "planner@acme.test", PASSWORD)  # even right, from there: waits
    assert r.status_code == 429
    r = await _login(owner_client, "planner@acme.test", PASSWORD)
    assert r.status_code == 200, r.text


async def test_other_accounts_at_a_throttled_pair_address_still_sign_in(
    client: httpx.AsyncClient, owner: str
) -> None:
    company = await make_company(name="Beta")
    await accounts.create_user(email="colleague@acme.test", name="C", password=PASSWORD,
                               now=NOW, memberships=[(company, Role.BOOKER)])
    for _ in range(6):
        await _login(client, "planner@acme.test", "guess")
    assert (await _login(client, "planner@acme.test", PASSWORD)).status_code == 429
    # a colleague behind the same school NAT is not punished for one account's failures
    assert (await _login(client, "colleague@acme.test", PASSWORD)).status_code == 200


async def test_delays_grow_and_then_pass(db: Any, owner: str) -> None:
    limits = LoginLimits(window=timedelta(minutes=15), per_account=5, per_client=30)
    now = NOW
    waits = []
    for _ in range(10):
        try:
            await accounts.authenticate("planner@acme.test", "guess", "192.0.2.1", now, limits)
        except TooManyAttempts as exc:
            waits.append(exc.retry_after)
            now += timedelta(seconds=exc.retry_after)  # wait as told, then guess again
            continue
        except AuthenticationFailed:
            pass
    assert waits == [15, 30, 60], waits
    assert max(waits) <= 15 * 60
    # once the window has passed, the pair is free again, and a success clears it
    later = now + timedelta(minutes=16)
    assert await accounts.authenticate("planner@acme.test", PASSWORD, "192.0.2.1", later,
                                       limits) == owner


async def test_one_address_guessing_many_accounts_is_slowed(
    client: httpx.AsyncClient, owner_client: httpx.AsyncClient, owner: str
) -> None:
    for i in range(30):
        assert (await _login(client, f"guess{i}@acme.test", "x")).status_code == 401
    r = await _login(client, "planner@acme.test", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert (await _login(owner_client, "planner@acme.test", PASSWORD)).status_code == 200
