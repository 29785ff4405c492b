"""Login CSRF and cross-site writes: a foreign `Origin` on a login or on any unsafe request
that is not made with a bearer token gets 403; no `Origin` (curl, integrations) is fine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.origins import is_foreign_origin
from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"
EVIL = {"Origin": "https://evil.example"}


@pytest.fixture
async def planner(db: Any) -> str:
    company = await make_company(name="Acme Metaal BV")
    return await accounts.create_user(email="planner@acme.test", name="Petra", password=PASSWORD,
                                      now=NOW, memberships=[(company, Role.BOOKER)])


@pytest.mark.parametrize(("origin", "host", "base", "foreign"), [
    ("http://testserver", "testserver", "", False),  # the request's own host
    ("https://testserver", "testserver", "", False),  # own host behind a TLS proxy
    ("http://localhost:8000", "localhost:8000", "", False),
    ("https://labshare.example", "10.0.0.5:8000", "https://labshare.example", False),  # base URL
    ("https://labshare.example:443", "x", "https://labshare.example", False),  # default port
    ("http://localhost:8001", "localhost:8000", "", True),  # another port is another origin
    ("https://evil.example", "testserver", "https://labshare.example", True),
    ("https://testserver.evil.example", "testserver", "", True),
    ("null", "testserver", "", True),  # sandboxed frames, privacy redirects
    ("ftp://testserver", "testserver", "", True),
])
def test_what_counts_as_foreign(origin: str, host: str, base: str, foreign: bool) -> None:
    assert is_foreign_origin(origin, host, base) is foreign


async def test_logins_from_another_site_are_refused(web: httpx.AsyncClient, planner: str) -> None:
    form = {"email": "planner@acme.test", "password": PASSWORD, "next": ""}
    r = await web.post("/login", data=form, headers=EVIL)
    assert r.status_code == 403 and "labshare_session" not in r.headers.get("set-cookie", "")
    r = await web.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                   "password": PASSWORD}, headers=EVIL)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "labshare_session" not in web.cookies
    # from our own origin, or without Origin at all (curl), logging in works
    r = await web.post("/login", data=form, headers={"Origin": "http://testserver"})
    assert r.status_code == 303
    r = await web.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                   "password": PASSWORD})
    assert r.status_code == 200


async def test_cookie_writes_from_another_site_are_refused_even_with_the_token(
    web: httpx.AsyncClient, planner: str
) -> None:
    r = await web.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                   "password": PASSWORD})
    csrf = r.json()["csrf_token"]
    r = await web.post("/api/v1/tokens", json={"name": "x"},
                       headers={"X-CSRF-Token": csrf, **EVIL})
    assert r.status_code == 403
    assert await accounts.list_tokens(planner) == []
    r = await web.post("/logout", data={"_csrf": csrf}, headers=EVIL)
    assert r.status_code == 403
    r = await web.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


async def test_bearer_integrations_may_send_any_origin(
    client: httpx.AsyncClient, planner: str
) -> None:
    _, secret = await accounts.create_token(planner, "erp", NOW)
    r = await client.post("/api/v1/tokens", json={"name": "y"},
                          headers={"Authorization": f"Bearer {secret}", **EVIL})
    assert r.status_code == 201


async def test_the_schema_declares_the_refusal_on_login(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "403" in schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
