"""The account page and the audit page as a browser uses them (forms, CSRF, Dutch texts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from booking.domain.intervals import Interval
from booking.domain.roles import Role
from booking.services import accounts, closures
from tests.factories import actor_for, make_resource, make_school, make_site
from tests.http.conftest import NOW

PASSWORD = "geheim-wachtwoord-1"


async def _sign_in(web: httpx.AsyncClient, email: str) -> str:
    r = await web.post("/login", data={"email": email, "password": PASSWORD, "next": ""})
    assert r.status_code == 303, r.text
    return web.cookies.get("labshare_csrf") or ""


async def _user(email: str, org: str, role: Role) -> str:
    return await accounts.create_user(email=email, name="Sanne Bakker", password=PASSWORD,
                                      now=NOW, memberships=[(org, role)])


async def test_the_account_page_changes_name_and_signs_out_everywhere(
    db: Any, web: httpx.AsyncClient
) -> None:
    school = await make_school()
    await _user("sanne@school.example", school, Role.STAFF)
    assert (await web.get("/account")).status_code == 303  # sign in first
    csrf = await _sign_in(web, "sanne@school.example")
    page = await web.get("/account")
    assert page.status_code == 200 and "Overal uitloggen" in page.text
    assert 'href="/account"' in page.text  # the account menu links here
    saved = await web.post("/account", data={"_csrf": csrf, "action": "profile",
                                             "name": "Sanne de Boer", "locale": "nl"})
    assert saved.status_code == 303
    assert "Sanne de Boer" in (await web.get("/account")).text
    no_csrf = await web.post("/account", data={"action": "everywhere"})
    assert no_csrf.status_code == 403
    out = await web.post("/account", data={"_csrf": csrf, "action": "everywhere"})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (await web.get("/account")).status_code == 303


async def test_the_audit_page_shows_a_school_its_own_trail(db: Any, web: httpx.AsyncClient
                                                           ) -> None:
    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school), name="Lasrobot")
    fm = await _user("fm@school.example", school, Role.FACILITY_MANAGER)
    start = datetime(2026, 3, 9, 9, tzinfo=UTC)
    await closures.add_closure(await actor_for(fm), resource,
                                Interval(start, start + timedelta(hours=4)), "Onderhoud")
    await _sign_in(web, "fm@school.example")
    page = await web.get("/audit")
    assert page.status_code == 200 and "Logboek" in page.text
    assert "closure.created" in page.text and "Lasrobot" in page.text
    assert "Sanne Bakker" in page.text
    other = await make_school()
    assert (await web.get(f"/audit?organisation={other}")).status_code == 404


async def test_staff_do_not_read_the_trail(db: Any, web: httpx.AsyncClient) -> None:
    school = await make_school()
    await _user("staff@school.example", school, Role.STAFF)
    await _sign_in(web, "staff@school.example")
    assert (await web.get("/audit")).status_code == 403
