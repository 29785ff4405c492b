"""One's own account over HTTP: name, language and password (current one required), no mass
assignment, sign out everywhere, the export, and deleting oneself while the bookings stay."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company, make_resource
from tests.http.conftest import NOW

PASSWORD = "geheim-wachtwoord-1"


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


@pytest.fixture
async def person(db: Any) -> dict[str, str]:
    company = await make_company(name="Acme Metaal BV")
    user_id = await accounts.create_user(
        email="joost@acme.example", name="Joost Jansen", password=PASSWORD, now=NOW,
        memberships=[(company, Role.BOOKER)])
    return {"id": user_id, "company": company, "email": "joost@acme.example"}


async def test_name_and_language_change(person: dict[str, str], client: httpx.AsyncClient
                                        ) -> None:
    csrf = await _login(client, person["email"])
    r = await client.patch("/api/v1/me", headers={"X-CSRF-Token": csrf},
                           json={"name": "Joost  de Jong", "locale": "en", "reminders": False})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["locale"]) == ("Joost de Jong", "en")
    assert r.json()["reminders"] is False
    assert (await client.get("/api/v1/me")).json()["name"] == "Joost de Jong"
    bad = await client.patch("/api/v1/me", json={"locale": "fr"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "locale"


@pytest.mark.parametrize("field", ["role", "organisation_id", "email", "memberships", "id"])
async def test_no_mass_assignment(person: dict[str, str], client: httpx.AsyncClient,
                                  field: str) -> None:
    csrf = await _login(client, person["email"])
    r = await client.patch("/api/v1/me", json={field: "admin"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    me = (await client.get("/api/v1/me")).json()
    assert me["email"] == person["email"]
    assert [m["role"] for m in me["memberships"]] == ["booker"]


async def test_a_password_change_needs_the_current_password(
    person: dict[str, str], client: httpx.AsyncClient, pages_app: Any
) -> None:
    csrf = await _login(client, person["email"])
    headers = {"X-CSRF-Token": csrf}
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=pages_app),
                              base_url="http://testserver")
    await _login(other, person["email"])
    missing = await client.patch("/api/v1/me", json={"password": "nieuw-wachtwoord"},
                                 headers=headers)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "current_password"
    wrong = await client.patch("/api/v1/me", headers=headers, json={
        "password": "nieuw-wachtwoord", "current_password": "raden"})
    assert wrong.status_code == 422
    right = await client.patch("/api/v1/me", headers=headers, json={
        "password": "nieuw-wachtwoord", "current_password": PASSWORD})
    assert right.status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200  # this session stays
    assert (await other.get("/api/v1/me")).status_code == 401  # the other one ended
    await _login(client, person["email"], "nieuw-wachtwoord")
    await other.aclose()


async def test_sign_out_everywhere_ends_sessions_and_tokens(
    person: dict[str, str], client: httpx.AsyncClient
) -> None:
    _, secret = await accounts.create_token(person["id"], "ERP", NOW)
    bearer = {"Authorization": f"Bearer {secret}"}
    csrf = await _login(client, person["email"])
    r = await client.post("/api/v1/me/sign-out-everywhere", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401


async def test_the_export_holds_the_account_and_never_a_secret(
    person: dict[str, str], client: httpx.AsyncClient
) -> None:
    _, secret = await accounts.create_token(person["id"], "ERP", NOW)
    bearer = {"Authorization": f"Bearer {secret}"}
    r = await client.get("/api/v1/me/export", headers=bearer)
    assert r.status_code == 200
    data = r.json()
    assert data["account"]["email"] == person["email"]
    assert data["account"]["last_seen_at"] is not None  # the token's use was seen
    assert [m["role"] for m in data["memberships"]] == ["booker"]
    assert [t["name"] for t in data["tokens"]] == ["ERP"]
    assert [e["action"] for e in data["audit"]] == ["token.created"]
    assert secret not in r.text and accounts.digest(secret) not in r.text
    assert "password" not in r.text.replace("password_resets", "")
    assert data["account"]["notifications"] == {"reminders": True, "digest": False}


async def test_the_export_names_mails_but_never_their_links(
    person: dict[str, str], client: httpx.AsyncClient
) -> None:
    _, secret = await accounts.create_token(person["id"], "ERP", NOW)
    bearer = {"Authorization": f"Bearer {secret}"}
    reset = await client.post("/api/v1/auth/password-reset", json={"email": person["email"]})
    assert reset.status_code == 202
    r = await client.get("/api/v1/me/export", headers=bearer)
    assert [m["template"] for m in r.json()["mails"]] == ["password_reset"]
    assert len(r.json()["password_resets"]) == 1
    assert "/password-reset/" not in r.text


async def test_deleting_oneself_anonymises_and_the_company_keeps_the_booking(
    person: dict[str, str], client: httpx.AsyncClient
) -> None:
    resource = await make_resource()
    colleague = await accounts.create_user(
        email="eva@acme.example", name="Eva Smit", password=PASSWORD, now=NOW,
        memberships=[(person["company"], Role.BOOKER)])
    csrf = await _login(client, person["email"])
    booked = await client.post("/api/v1/bookings", headers={"X-CSRF-Token": csrf}, json={
        "resource_ids": [resource], "start": "2026-03-09T10:00:00+01:00",
        "end": "2026-03-09T12:00:00+01:00", "title": "Lascursus"})
    assert booked.status_code == 201, booked.text
    from booking.db.sql import fetch

    asked = await client.post("/api/v1/auth/password-reset", json={"email": person["email"]},
                              headers={"X-CSRF-Token": csrf})
    assert asked.status_code == 202
    assert await fetch("SELECT id FROM outbox_messages WHERE recipient = $1", person["email"])
    assert (await client.delete("/api/v1/me", headers={"X-CSRF-Token": csrf})).status_code == 204
    assert await fetch("SELECT id FROM outbox_messages WHERE recipient = $1",
                       person["email"]) == []  # not even the queued reset mail goes out

    assert (await client.get("/api/v1/me")).status_code == 401
    r = await client.post("/api/v1/auth/login",
                          json={"email": person["email"], "password": PASSWORD})
    assert r.status_code == 401
    _, secret = await accounts.create_token(colleague, "test", NOW)
    bearer = {"Authorization": f"Bearer {secret}"}
    kept = await client.get(f"/api/v1/bookings/{booked.json()['id']}", headers=bearer)
    assert kept.status_code == 200 and kept.json()["title"] == "Lascursus"
    trail = (await client.get("/api/v1/audit", headers=bearer)).json()["items"]
    assert "Joost" not in str(trail) and "joost@" not in str(trail)
    assert any(e["action"] == "user.anonymised" for e in trail)
    from booking.db.sql import fetch_one

    row = await fetch_one("SELECT name, email, is_active FROM users WHERE id = $1", person["id"])
    assert row is not None and "Joost" not in row["name"] and "joost" not in row["email"]
    assert not row["is_active"]
