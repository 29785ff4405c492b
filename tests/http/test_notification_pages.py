"""The notification pages: an admin reads queued mail at /dev/mail (text, HTML, calendar part)
when no SMTP is configured; a person turns reminders off; a facility manager adds a webhook and
sees its secret once. Dutch by default."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from booking.db.sql import execute, fetch
from booking.domain.roles import Role
from booking.services import accounts, bookings
from booking.services.booking_notices import expand_events
from tests.factories import (
    T0,
    actor_for,
    make_company,
    make_resource,
    make_school,
    make_site,
    make_user,
    new_id,
)
from tests.http.conftest import NOW
from tests.integration.test_bookings import req

PASSWORD = "correct horse battery"


async def _person(email: str, org: str, role: Role) -> None:
    await accounts.create_user(email=email, name=email.split("@")[0], password=PASSWORD,
                               now=NOW, memberships=[(org, role)])


async def _sign_in(web: httpx.AsyncClient, email: str) -> str:
    r = await web.post("/login", data={"email": email, "password": PASSWORD, "next": ""})
    assert r.status_code == 303, r.text
    return web.cookies.get("labshare_csrf") or ""


async def test_admin_reads_queued_mail_with_its_calendar_part(web: httpx.AsyncClient) -> None:
    platform = new_id()
    await execute("INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
                  "VALUES ($1, 'platform', 'labshare', FALSE, '', $2)", platform, T0)
    await _person("admin@labshare.test", platform, Role.ADMIN)
    school = await make_school(name="Techniek College")
    rid = await make_resource(site_id=await make_site(school_id=school), name="Lasrobot")
    company = await make_company(name="Acme Metaal BV")
    booker = await make_user(email="bob@acme.example", memberships=[(company, "booker")])
    start = NOW + timedelta(days=7, hours=2)
    await bookings.create_booking(await actor_for(booker), req([rid], start), NOW)
    await expand_events()  # what the worker does first
    (row,) = await fetch("SELECT id FROM outbox_messages WHERE kind = 'mail'")

    await _sign_in(web, "admin@labshare.test")
    listing = await web.get("/dev/mail")
    assert listing.status_code == 200
    assert "bob@acme.example" in listing.text and "Er is geen mailserver ingesteld" in listing.text
    page = await web.get(f"/dev/mail/{row['id']}")
    assert page.status_code == 200
    assert "Bevestigd: Lasrobot" in page.text and "method=REQUEST" in page.text
    assert "BEGIN:VCALENDAR" in page.text and "srcdoc=" in page.text
    failed = await web.get("/dev/mail?status=failed")
    assert "bob@acme.example" not in failed.text


async def test_non_admins_do_not_see_the_outbox(web: httpx.AsyncClient) -> None:
    company = await make_company()
    await _person("bob@acme.example", company, Role.BOOKER)
    assert (await web.get("/dev/mail")).status_code == 303  # sign in first
    await _sign_in(web, "bob@acme.example")
    assert (await web.get("/dev/mail")).status_code == 403


async def test_reminders_are_turned_off_on_the_settings_page(web: httpx.AsyncClient) -> None:
    company = await make_company()
    await _person("bob@acme.example", company, Role.BOOKER)
    csrf = await _sign_in(web, "bob@acme.example")
    page = await web.get("/me/notifications")
    assert page.status_code == 200 and "herinnering" in page.text and 'checked' in page.text
    r = await web.post("/me/notifications", data={"_csrf": csrf})
    assert r.status_code == 303
    (row,) = await fetch("SELECT reminders FROM users WHERE email = 'bob@acme.example'")
    assert not row["reminders"]
    assert "Je meldingsinstellingen zijn opgeslagen." in (await web.get("/me/notifications")).text


async def test_manager_adds_a_webhook_and_sees_the_secret_once(
    web: httpx.AsyncClient, monkeypatch: Any,
) -> None:
    monkeypatch.setenv("LABSHARE_IMPORT_ALLOW_PRIVATE", "1")
    school = await make_school()
    await _person("fatima@school.example", school, Role.FACILITY_MANAGER)
    csrf = await _sign_in(web, "fatima@school.example")
    r = await web.post("/webhooks", data={"_csrf": csrf, "url": "http://127.0.0.1:9/hook",
                                          "events": ["booking.created", "booking.cancelled"]})
    assert r.status_code == 200, r.text
    assert "whsec_" in r.text and "Kopieer het geheim nu" in r.text
    again = await web.get("/webhooks")
    assert "http://127.0.0.1:9/hook" in again.text and "whsec_" not in again.text
    r = await web.post("/webhooks", data={"_csrf": csrf, "url": "ftp://x", "events": []})
    assert r.status_code == 422
