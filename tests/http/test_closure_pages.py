"""The facility manager's pages where closures meet bookings, without JavaScript: the bookings
in the way are shown before anything changes; removing asks first and names what reopens;
single days get other hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from booking.db.sql import fetch
from booking.domain.roles import Role
from booking.services import accounts, bookings
from booking.services.views import BookingRequest, Participants
from tests.factories import booker, make_company, make_resource, make_school, make_site
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"
MON = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Monday 10:00 local


async def _setup(web: httpx.AsyncClient) -> tuple[str, str, str]:
    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, name="Hoofdlocatie")
    rid = await make_resource(site_id=site, name="Lasrobot")
    await make_resource(site_id=site, name="Draaibank")
    await accounts.create_user(email="fm@roc.test", name="Beheer", password=PASSWORD, now=NOW,
                               memberships=[(school, Role.FACILITY_MANAGER)])
    company = await make_company(name="Acme Metaal BV")
    actor, _ = await booker(company_id=company)
    b = (await bookings.create_booking(actor, BookingRequest(
        [rid], MON, MON + timedelta(hours=2), title="Lassen",
        participants=Participants(6, 1)), NOW)).booking
    assert b is not None
    r = await web.post("/login", data={"email": "fm@roc.test", "password": PASSWORD, "next": ""})
    assert r.status_code == 303
    return rid, site, b.id


def _csrf(web: httpx.AsyncClient) -> str:
    return web.cookies.get("labshare_csrf") or ""


async def test_closure_shows_the_bookings_first_then_cancels(web: httpx.AsyncClient) -> None:
    rid, _, bid = await _setup(web)
    form = {"start_date": "2026-03-09", "start_time": "08:00", "end_date": "2026-03-09",
            "end_time": "17:00", "reason": "Stroomstoring", "_csrf": _csrf(web)}
    asked = await web.post(f"/manage/resources/{rid}/closures", data=form)
    assert asked.status_code == 409
    page = asked.text
    assert "Boekingen in de weg" in page and "Acme Metaal BV" in page and "Lassen" in page
    assert ">7<" in page  # participants
    assert "Laten staan en ze inlichten" in page and "Annuleer ze met deze reden" in page
    rows = await fetch("SELECT COUNT(*) AS n FROM closures WHERE resource = $1", rid)
    assert int(rows[0]["n"]) == 0  # nothing changed before the choice
    done = await web.post(f"/manage/resources/{rid}/closures",
                          data={**form, "on_conflict": "cancel"})
    assert done.status_code == 303
    assert "1 boekingen geannuleerd" in (await web.get(done.headers["location"])).text
    status = await fetch("SELECT status, decision_message FROM bookings WHERE id = $1", bid)
    assert (status[0]["status"], status[0]["decision_message"]) == ("cancelled", "Stroomstoring")


async def test_removing_a_site_closure_names_what_reopens(web: httpx.AsyncClient) -> None:
    rid, _, _ = await _setup(web)
    form = {"start_date": "2026-03-16", "start_time": "08:00", "end_date": "2026-03-16",
            "end_time": "17:00", "reason": "Studiedag", "whole_site": "on", "_csrf": _csrf(web)}
    assert (await web.post(f"/manage/resources/{rid}/closures", data=form)).status_code == 303
    resource_page = (await web.get(f"/manage/resources/{rid}")).text
    assert "Verwijder hem voor de hele locatie in het overzicht" in resource_page
    cid = (await fetch("SELECT CAST(id AS TEXT) AS id FROM closures"))[0]["id"]
    overview = (await web.get("/manage")).text
    assert f'href="/manage/closures/{cid}/remove' in overview
    question = (await web.get(f"/manage/closures/{cid}/remove")).text
    assert "hele locatie Hoofdlocatie" in question
    assert "<li>Draaibank</li>" in question and "<li>Lasrobot</li>" in question
    assert int((await fetch("SELECT COUNT(*) AS n FROM closures"))[0]["n"]) == 1
    done = await web.post(f"/manage/closures/{cid}/delete",
                          data={"back": "/manage", "_csrf": _csrf(web)})
    assert done.status_code == 303
    assert int((await fetch("SELECT COUNT(*) AS n FROM closures"))[0]["n"]) == 0


async def test_an_extra_evening_on_the_calendar(web: httpx.AsyncClient) -> None:
    rid, _, bid = await _setup(web)
    url = f"/manage/resources/{rid}/exceptions"
    page = (await web.get(url)).text
    assert "Tijden op losse dagen" in page and 'data-date="2026-03-10"' in page
    saved = await web.post(url, data={"date": "2026-03-10", "opens": "08:00", "closes": "21:00",
                                      "_csrf": _csrf(web)})
    assert saved.status_code == 303
    after = (await web.get(url)).text
    assert "08:00–21:00" in after and "anders dan de week" in after
    # closing Monday would leave Acme's booking outside: asked first
    asked = await web.post(url, data={"date": "2026-03-09", "closed": "on", "_csrf": _csrf(web)})
    assert asked.status_code == 409 and "Acme Metaal BV" in asked.text
    kept = await web.post(url, data={"date": "2026-03-09", "closed": "on",
                                     "on_conflict": "keep", "_csrf": _csrf(web)})
    assert kept.status_code == 303
    status = await fetch("SELECT status FROM bookings WHERE id = $1", bid)
    assert status[0]["status"] == "confirmed"


async def test_a_kept_booking_is_marked_on_the_board(web: httpx.AsyncClient) -> None:
    rid, _, bid = await _setup(web)
    board = "/manage/board?view=week&day=2026-03-09"
    assert "in een sluiting" not in (await web.get(board)).text.split("<main", 1)[1].replace(
        "Boeking in een sluiting", "")
    form = {"start_date": "2026-03-09", "start_time": "08:00", "end_date": "2026-03-09",
            "end_time": "17:00", "reason": "Stroomstoring", "on_conflict": "keep",
            "_csrf": _csrf(web)}
    done = await web.post(f"/manage/resources/{rid}/closures", data=form)
    assert done.status_code == 303
    assert "blijven staan" in (await web.get(done.headers["location"])).text
    page = (await web.get(board)).text
    assert f'class="b bc bi" href="/bookings/{bid}"' in page
    assert "Acme Metaal BV · bevestigd · in een sluiting" in page


async def test_removing_weekly_hours_asks_first(web: httpx.AsyncClient) -> None:
    rid, _, _ = await _setup(web)
    form = {"rows": "2", "rule-0-weekday": "1", "rule-0-opens": "08:00",
            "rule-0-closes": "18:00", "rule-0-remove": "on", "rule-1-weekday": "2",
            "rule-1-opens": "08:00", "rule-1-closes": "18:00", "_csrf": _csrf(web)}
    count = "SELECT COUNT(*) AS n FROM opening_rules WHERE resource = $1"
    before = int((await fetch(count, rid))[0]["n"])
    asked = await web.post(f"/manage/resources/{rid}/hours", data=form)
    assert asked.status_code == 200 and "Verwijderen?" in asked.text
    assert "<li>maandag 08:00–18:00</li>" in asked.text
    assert int((await fetch(count, rid))[0]["n"]) == before  # nothing changed yet
    done = await web.post(f"/manage/resources/{rid}/hours", data={**form, "confirmed": "1"})
    assert done.status_code == 303
    assert int((await fetch(count, rid))[0]["n"]) == 1
