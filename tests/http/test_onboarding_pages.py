"""The onboarding pages over HTTP, as a browser without JavaScript uses them: the admin's
screens (Dutch by default), the sign-up form and its mailed link, and links that no longer
work saying so with 410."""

from __future__ import annotations

import re
from typing import Any

import httpx

from booking.domain.roles import Role
from booking.services import accounts
from booking.services.organisations import platform_organisation
from booking.services.outbox_worker import deliver_due
from booking.settings import Settings
from tests.factories import make_company, make_user
from tests.http.conftest import NOW
from tests.http.onboarding_support import link_in, valid_kvk
from tests.integration.smtp_support import SmtpSink

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


async def _login(web: httpx.AsyncClient, email: str) -> str:
    r = await web.post("/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 303, r.text
    page = await web.get(r.headers["location"])
    found = CSRF.search(page.text)
    assert found
    return found.group(1)


async def test_the_admin_creates_organisations_on_dutch_pages(
    db: Any, web: httpx.AsyncClient
) -> None:
    await accounts.create_user(email="ada@labshare.test", name="Ada", password=PASSWORD,
                               now=NOW, memberships=[(await platform_organisation(NOW),
                                                      Role.ADMIN)])
    csrf = await _login(web, "ada@labshare.test")
    home = await web.get("/admin")
    assert home.status_code == 200 and "Organisaties op het platform" in home.text
    r = await web.post("/admin/organisations", data={
        "_csrf": csrf, "kind": "school", "name": "Techniek College", "brin": "25L",
        "level": "MBO"})
    assert r.status_code == 422 and "BRIN" in r.text  # the form says what is wrong
    r = await web.post("/admin/organisations", data={
        "_csrf": csrf, "kind": "school", "name": "Techniek College", "brin": "25lx",
        "level": "HBO"})
    assert r.status_code == 303, r.text
    page = await web.get(r.headers["location"])
    assert "Techniek College" in page.text and "BRIN 25LX" in page.text
    assert "Locatie toevoegen" in page.text and "Iemand uitnodigen" in page.text
    english = await web.get(r.headers["location"], cookies={"lang": "en"})
    assert "Add a site" in english.text and "Invite someone" in english.text


async def test_nobody_else_sees_the_admin_pages(db: Any, web: httpx.AsyncClient) -> None:
    company = await make_company()
    await make_user(email="piet@acme.test", memberships=[(company, "booker")])
    await accounts.create_user(email="kim@acme.test", name="Kim", password=PASSWORD, now=NOW,
                               memberships=[(company, Role.BOOKER)])
    assert (await web.get("/admin")).status_code == 303  # visitors sign in first
    await _login(web, "kim@acme.test")
    assert (await web.get("/admin")).status_code == 403


async def test_sign_up_by_form_and_mailed_link(db: Any, web: httpx.AsyncClient) -> None:
    sink = SmtpSink()
    sink.start()
    try:
        form = await web.get("/signup")
        assert form.status_code == 200 and "Meld je bedrijf aan" in form.text
        data = {"company_name": "Beta Robotics BV", "kvk": "12345678", "name": "Bea",
                "email": "bea@beta.test", "password": PASSWORD}
        r = await web.post("/signup", data=data)
        assert r.status_code == 422 and "controlecijfer" in r.text
        r = await web.post("/signup", data={**data, "kvk": valid_kvk(20_000_000)})
        assert r.status_code == 202 and "Kijk in je mailbox" in r.text
        await deliver_due(NOW, Settings(database_url=db.url, smtp_url=sink.url,
                                        base_url="http://testserver"))
        message = sink.messages()[-1]
        assert message["Subject"] == "Bevestig de aanmelding van Beta Robotics BV bij labshare"
        _, token = link_in(message)
        page = await web.get(f"/signup/{token}")
        assert page.status_code == 200 and "Beta Robotics BV" in page.text
        r = await web.post(f"/signup/{token}", data={})
        assert r.status_code == 303
        landed = await web.get(r.headers["location"])
        assert "Beta Robotics BV" in landed.text and "Iemand uitnodigen" in landed.text
        web.cookies.clear()
        again = await web.get(f"/signup/{token}")
        assert again.status_code == 410 and "al bevestigd" in again.text
    finally:
        sink.stop()


async def test_an_unknown_link_is_404(db: Any, web: httpx.AsyncClient) -> None:
    assert (await web.get("/invitations/" + "x" * 43)).status_code == 404


async def test_a_facility_manager_edits_a_site(db: Any, web: httpx.AsyncClient) -> None:
    from tests.factories import make_school, make_site

    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, name="Hoofdlocatie")
    await accounts.create_user(email="fm@roc.test", name="Fem", password=PASSWORD, now=NOW,
                               memberships=[(school, Role.FACILITY_MANAGER)])
    csrf = await _login(web, "fm@roc.test")
    page = await web.get(f"/organisations/{school}")
    assert "Hoofdlocatie wijzigen" in page.text
    r = await web.post(f"/organisations/{school}/sites/{site}", data={
        "_csrf": csrf, "name": "Hoofdlocatie", "address": "Stationsplein 1",
        "postcode": "1012ab", "city": "Amsterdam", "timezone": "Europe/Amsterdam"})
    assert r.status_code == 303
    after = await web.get(r.headers["location"])
    assert "De locatie is opgeslagen." in after.text and "1012 AB" in after.text
    r = await web.post(f"/organisations/{school}/sites/{site}", data={
        "_csrf": csrf, "name": "Hoofdlocatie", "postcode": "1012", "timezone": "Mars/Base"})
    after = await web.get(r.headers["location"])
    assert "een postcode bestaat uit 4 cijfers en 2 letters" in after.text
