"""Sessions, CSRF, bearer tokens and the login rate limit over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company
from tests.http.conftest import NOW, bearer

PASSWORD = "correct horse battery"


async def _user(email: str = "planner@acme.test") -> tuple[str, str]:
    company = await make_company(name="Acme Metaal BV")
    uid = await accounts.create_user(
        email=email, name="Planner", password=PASSWORD, now=NOW,
        memberships=[(company, Role.BOOKER)],
    )
    return uid, company


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_login_sets_cookies_and_me_answers(client: httpx.AsyncClient) -> None:
    uid, company = await _user()
    r = await _login(client, "Planner@Acme.test ")
    assert r.status_code == 200, r.text
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("labshare_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    csrf_cookie = next(c for c in cookies if c.startswith("labshare_csrf="))
    assert "HttpOnly" not in csrf_cookie
    me = (await client.get("/api/v1/me")).json()
    assert me["id"] == uid and me["csrf_token"] == r.json()["csrf_token"]
    assert me["memberships"] == [{"organisation_id": company, "organisation_name": "Acme Metaal BV",
                                  "kind": "company", "role": "booker"}]


async def test_session_is_stored_as_a_hash(client: httpx.AsyncClient) -> None:
    await _user()
    r = await _login(client, "planner@acme.test")
    value = r.cookies["labshare_session"]
    assert await accounts.session_user(value, NOW) is not None
    from booking.db.sql import fetch

    rows = await fetch("SELECT session_hash FROM web_sessions")
    assert [row["session_hash"] for row in rows] == [accounts.digest(value)]


async def test_wrong_password_and_unknown_user_are_401(client: httpx.AsyncClient) -> None:
    await _user()
    for email, password in (("planner@acme.test", "nope"), ("ghost@acme.test", PASSWORD)):
        r = await _login(client, email, password)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_rate_limit_per_account(client: httpx.AsyncClient) -> None:
    await _user()
    for _ in range(5):
        assert (await _login(client, "planner@acme.test", "wrong")).status_code == 401
    r = await _login(client, "planner@acme.test")  # from this address, even the right one waits
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60


async def test_rate_limit_per_client_address(client: httpx.AsyncClient) -> None:
    for i in range(30):
        assert (await _login(client, f"guess{i}@acme.test", "x")).status_code == 401
    assert (await _login(client, "another@acme.test", "x")).status_code == 429


async def test_csrf_required_for_cookie_requests(client: httpx.AsyncClient) -> None:
    await _user()
    csrf = (await _login(client, "planner@acme.test")).json()["csrf_token"]
    r = await client.post("/api/v1/tokens", json={"name": "erp"})
    assert r.status_code == 403
    r = await client.post("/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": "x"})
    assert r.status_code == 403
    r = await client.post("/api/v1/tokens", json={"name": "erp"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text


async def test_csrf_form_field_is_accepted(client: httpx.AsyncClient) -> None:
    await _user()
    csrf = (await _login(client, "planner@acme.test")).json()["csrf_token"]
    r = await client.post("/api/v1/auth/logout", data={"_csrf": csrf})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_bearer_requests_need_no_csrf(client: httpx.AsyncClient) -> None:
    uid, _ = await _user()
    headers = await bearer(uid)
    r = await client.post("/api/v1/tokens", json={"name": "second"}, headers=headers)
    assert r.status_code == 201
    token = r.json()
    assert token["token"].startswith("lsk_")
    listed = (await client.get("/api/v1/tokens", headers=headers)).json()["items"]
    assert {t["name"] for t in listed} == {"test", "second"}
    assert all("token" not in t for t in listed)
    r = await client.delete(f"/api/v1/tokens/{token['id']}", headers=headers)
    assert r.status_code == 204
    gone = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.get("/api/v1/me", headers=gone)).status_code == 401


async def test_logout_keeps_bearer_tokens(client: httpx.AsyncClient) -> None:
    uid, _ = await _user()
    headers = await bearer(uid)
    csrf = (await _login(client, "planner@acme.test")).json()["csrf_token"]
    r = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200


async def test_another_users_token_is_404(client: httpx.AsyncClient) -> None:
    uid, _ = await _user()
    other, _ = await _user("planner@beta.test")
    view, _ = await accounts.create_token(other, "theirs", NOW)
    r = await client.delete(f"/api/v1/tokens/{view.id}", headers=await bearer(uid))
    assert r.status_code == 404


async def test_anonymous_gets_401_on_private_routes(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/api/v1/me"), ("GET", "/api/v1/tokens"),
                         ("GET", "/api/v1/bookings"), ("POST", "/api/v1/tokens")):
        r = await client.request(method, path, json={"name": "x"} if method == "POST" else None)
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["status"] == 401
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer lsk_unknown"})
    assert r.status_code == 401
