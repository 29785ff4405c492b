"""One-time links: an expired invitation says so (410), a signed-in person accepting gets the
membership on their own account, an address that has an account must sign in first, tokens
are stored only as digests, and sign-up is throttled like login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from booking.db.sql import fetch
from booking.services import accounts
from booking.services.members import new_link_token
from tests.factories import make_company, make_school, make_user
from tests.http.conftest import NOW, bearer
from tests.http.onboarding_support import valid_kvk


async def _invitation(org: str, email: str, role: str, expires_in: timedelta) -> str:
    from booking.db.members_store import insert_invitation

    token, digest = new_link_token()
    await insert_invitation(org_id=org, email=email, role=role, token_hash=digest,
                            invited_by=None, now=NOW - timedelta(days=8),
                            expires_at=NOW + expires_in)
    return token


async def test_an_expired_invitation_says_so(db: Any, client: httpx.AsyncClient) -> None:
    school = await make_school()
    token = await _invitation(school, "late@school.test", "staff", timedelta(seconds=-1))
    r = await client.get(f"/api/v1/invitations/{token}")
    assert r.status_code == 410 and "expired" in r.json()["detail"]
    r = await client.post(f"/api/v1/invitations/{token}/accept",
                          json={"name": "Laat", "password": "een-lang-wachtwoord"})
    assert r.status_code == 410


async def test_a_signed_in_person_adds_the_membership(db: Any, client: httpx.AsyncClient) -> None:
    school, company = await make_school(), await make_company()
    user = await make_user(email="jo@school.test", memberships=[(school, "staff")])
    token = await _invitation(company, "jo@school.test", "booker", timedelta(days=1))
    anonymous = await client.post(f"/api/v1/invitations/{token}/accept",
                                  json={"name": "Jo", "password": "een-lang-wachtwoord"})
    assert anonymous.status_code == 422  # the address has an account: sign in first
    assert anonymous.json()["errors"][0]["field"] == "email"
    r = await client.post(f"/api/v1/invitations/{token}/accept", headers=await bearer(user))
    assert r.status_code == 200 and r.json()["new_account"] is False
    me = (await client.get("/api/v1/me", headers=await bearer(user))).json()
    assert {(m["organisation_id"], m["role"]) for m in me["memberships"]} == {
        (school, "staff"), (company, "booker")}


async def test_tokens_are_kept_only_as_digests(db: Any, client: httpx.AsyncClient) -> None:
    company = await make_company()
    admin = await make_user(memberships=[(company, "company_admin")])
    r = await client.post(f"/api/v1/organisations/{company}/invitations",
                          headers=await bearer(admin),
                          json={"email": "new@acme.test", "role": "booker"})
    assert r.status_code == 201
    rows = await fetch("SELECT token_hash FROM invitations")
    assert len(rows) == 1 and len(rows[0]["token_hash"]) == 64  # a SHA-256 hex digest
    assert "token" not in r.json() and rows[0]["token_hash"] not in r.text


async def test_sign_up_is_throttled_like_login(db: Any, client: httpx.AsyncClient) -> None:
    limits = accounts.LoginLimits()
    body = {"company_name": "Spam BV", "kvk": valid_kvk(70_000_000), "name": "S",
            "email": "spam@spam.test", "password": "een-lang-wachtwoord"}
    statuses = [(await client.post("/api/v1/signup", json=body)).status_code
                for _ in range(limits.per_account + 1)]
    assert statuses[:-1] == [202] * limits.per_account
    assert statuses[-1] == 429
    # the throttle on sign-up never locks the address out of signing in
    await accounts.create_user(email="spam@spam.test", name="S",
                               password="een-lang-wachtwoord", now=NOW)
    login = await client.post("/api/v1/auth/login",
                              json={"email": "spam@spam.test", "password": "een-lang-wachtwoord"})
    assert login.status_code == 200
