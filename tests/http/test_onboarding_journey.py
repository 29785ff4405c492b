"""From an empty database to a partner booking, through the API only, with every invitation
and sign-up confirmation sent through a real SMTP server (aiosmtpd) and its link followed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from booking.services.outbox_worker import deliver_due
from booking.settings import Settings
from tests.http.conftest import NOW
from tests.http.onboarding_support import create_admin, link_in, mails_to, sign_in, valid_kvk
from tests.integration.smtp_support import SmtpSink

PASSWORD = "een-lang-wachtwoord"
MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


async def _mail_link(sink: SmtpSink, db: Any, address: str) -> tuple[str, str]:
    """Send what the outbox holds and follow the newest link mailed to `address`."""
    settings = Settings(database_url=db.url, smtp_url=sink.url, base_url="http://testserver",
                        mail_from="labshare <noreply@labshare.test>")
    await deliver_due(NOW, settings)
    found = mails_to(sink.received, address)
    assert found, f"no mail to {address}"
    return link_in(found[-1])


async def test_a_region_goes_live_from_an_empty_database(
    db: Any, client: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    create_admin(db.url, "ada@labshare.test", PASSWORD)
    admin = await sign_in(client, "ada@labshare.test", PASSWORD)

    # the admin sets up a region, a school with a site and a lab
    region = await client.post("/api/v1/organisations", headers=admin,
                               json={"kind": "region", "name": "Regio Brainport"})
    assert region.status_code == 201, region.text
    school = await client.post("/api/v1/organisations", headers=admin, json={
        "kind": "school", "name": "Techniek College", "brin": "25LX", "level": "MBO",
        "region_id": region.json()["id"], "city": "Eindhoven"})
    assert school.status_code == 201, school.text
    school_id = school.json()["id"]
    site = await client.post(f"/api/v1/organisations/{school_id}/sites", headers=admin, json={
        "name": "Campus Noord", "address": "Kastanjelaan 2", "postcode": "5616LZ",
        "city": "Eindhoven"})
    assert site.status_code == 201, site.text
    assert site.json()["postcode"] == "5616 LZ" and site.json()["timezone"] == "Europe/Amsterdam"
    lab = await client.post("/api/v1/resources", headers=admin, json={
        "school_id": school_id, "site_id": site.json()["id"], "kind": "lab",
        "name": "Laslab", "capacity": 12,
        "rates": [{"customer_class": "standard", "hourly": {"amount": "100.00", "currency": "EUR"}},
                  {"customer_class": "partner", "hourly": {"amount": "60.00", "currency": "EUR"}}],
        "policy": {"bookable_by": "partners", "min_notice_minutes": 60}})
    assert lab.status_code == 201, lab.text
    lab_id = lab.json()["id"]

    # ... and invites its facility manager, who accepts with a new account
    r = await client.post(f"/api/v1/organisations/{school_id}/invitations", headers=admin,
                          json={"email": "Fatima@Techniek.test", "role": "facility_manager"})
    assert r.status_code == 201, r.text
    kind, token = await _mail_link(smtp, db, "fatima@techniek.test")
    assert kind == "invitations" and len(token) >= 43  # >= 256 bits, URL-safe
    seen = await client.get(f"/api/v1/invitations/{token}")
    assert seen.json()["organisation_name"] == "Techniek College"
    r = await client.post(f"/api/v1/invitations/{token}/accept",
                          json={"name": "Fatima de Vries", "password": PASSWORD})
    assert r.status_code == 200, r.text
    again = await client.post(f"/api/v1/invitations/{token}/accept",
                              json={"name": "Iemand", "password": PASSWORD})
    assert again.status_code == 410 and "used" in again.json()["detail"]
    manager = await sign_in(client, "fatima@techniek.test", PASSWORD)
    hours = [{"weekday": d, "opens": "08:00", "closes": "17:00"} for d in range(1, 6)]
    r = await client.put(f"/api/v1/resources/{lab_id}/opening-hours", headers=manager,
                         json=hours)
    assert r.status_code == 200, r.text

    # a company signs up, confirms by mail and invites a colleague
    kvk = valid_kvk(30_000_000)
    bad = await client.post("/api/v1/signup", json={
        "company_name": "Acme Metaal BV", "kvk": "12345678", "name": "Piet Planner",
        "email": "piet@acme.test", "password": PASSWORD})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kvk"
    r = await client.post("/api/v1/signup", json={
        "company_name": "Acme Metaal BV", "kvk": kvk, "name": "Piet Planner",
        "email": "piet@acme.test", "password": PASSWORD})
    assert r.status_code == 202, r.text
    failed = await client.post("/api/v1/auth/login",
                               json={"email": "piet@acme.test", "password": PASSWORD})
    assert failed.status_code == 401  # no account before the confirmation
    kind, token = await _mail_link(smtp, db, "piet@acme.test")
    assert kind == "signup"
    r = await client.post(f"/api/v1/signup/{token}")
    assert r.status_code == 201, r.text
    company_id = r.json()["organisation_id"]
    assert (await client.post(f"/api/v1/signup/{token}")).status_code == 410
    piet = await sign_in(client, "piet@acme.test", PASSWORD)
    me = (await client.get("/api/v1/me", headers=piet)).json()
    assert [(m["organisation_id"], m["role"]) for m in me["memberships"]] == [
        (company_id, "company_admin")]
    r = await client.post(f"/api/v1/organisations/{company_id}/invitations", headers=piet,
                          json={"email": "kim@acme.test", "role": "booker", "locale": "en"})
    assert r.status_code == 201, r.text
    mail = mails_to(smtp.received, "kim@acme.test")
    _, token = await _mail_link(smtp, db, "kim@acme.test")
    mail = mails_to(smtp.received, "kim@acme.test")
    assert mail[-1]["Subject"] == "You are invited to Acme Metaal BV on labshare"
    r = await client.post(f"/api/v1/invitations/{token}/accept",
                          json={"name": "Kim Jansen", "password": PASSWORD})
    assert r.status_code == 200, r.text
    kim = await sign_in(client, "kim@acme.test", PASSWORD)
    booking = {"resource_ids": [lab_id], **MON, "title": "Lascursus"}
    r = await client.post("/api/v1/bookings", headers=kim, json=booking)
    assert r.status_code == 422, r.text  # partners only: not yet a partner

    # the school makes the company a partner; the colleague books at the partner price
    r = await client.post("/api/v1/partnerships", headers=manager, json={
        "school_id": school_id, "company_kvk": kvk, "valid_from": "2026-03-01"})
    assert r.status_code == 201, r.text
    assert r.json()["active"] is True and r.json()["company_id"] == company_id
    r = await client.post("/api/v1/bookings", headers=kim, json=booking)
    assert r.status_code == 201, r.text
    assert r.json()["price"] == {"amount": "120.00", "currency": "EUR"}


async def test_partnership_validity_decides_from_the_next_request(
    db: Any, client: httpx.AsyncClient
) -> None:
    from tests.factories import make_company, make_resource, make_school, make_site, make_user
    from tests.http.conftest import bearer

    school = await make_school()
    lab = await make_resource(site_id=await make_site(school_id=school), rates=(
        ("standard", "100.00"), ("partner", "60.00")))
    company = await make_company()
    booker = await bearer(await make_user(memberships=[(company, "booker")]))
    manager = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    r = await client.post("/api/v1/partnerships", headers=manager, json={
        "school_id": school, "company_id": company, "valid_from": "2026-04-01"})
    assert r.status_code == 201 and r.json()["active"] is False
    pid = r.json()["id"]
    quote = {"resource_ids": [lab], **MON, "title": "x"}

    async def price() -> str:
        q = await client.post("/api/v1/bookings/quote", headers=booker, json=quote)
        assert q.status_code == 200, q.text
        return str(q.json()["price"]["amount"])

    assert await price() == "200.00"  # not valid yet: standard rate
    r = await client.patch(f"/api/v1/partnerships/{pid}", headers=manager,
                           json={"valid_from": "2026-03-01", "valid_to": "2026-03-31"})
    assert r.status_code == 200 and r.json()["active"] is True
    assert await price() == "120.00"
    r = await client.patch(f"/api/v1/partnerships/{pid}", headers=manager,
                           json={"valid_from": "2026-01-01", "valid_to": "2026-03-01"})
    assert r.json()["active"] is False
    assert await price() == "200.00"  # ended yesterday (NOW is 2 March)
    r = await client.patch(f"/api/v1/partnerships/{pid}", headers=manager,
                           json={"valid_from": "2026-03-05", "valid_to": "2026-03-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "valid_to"
