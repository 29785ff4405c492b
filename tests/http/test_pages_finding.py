"""Finding on the pages: search by words, the true count, when each result is free, "did you
mean", the resource's month and the week that opens on bookable time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from booking.db.calendar_store import insert_closure
from booking.domain.intervals import Interval
from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company, make_resource, make_school, make_site
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"

# the pages' clock (tests/http/conftest.py NOW) is Monday 2 March 2026, 08:00 local


@pytest.fixture
async def region(db: Any) -> dict[str, str]:
    roc = await make_school(name="ROC Demo", city="Rotterdam")
    rdam = await make_site(school_id=roc, city="Rotterdam")
    dord = await make_site(school_id=await make_school(name="Drechtwerk"), city="Dordrecht")
    made = {
        "weld": await make_resource(site_id=rdam, name="Lasstraat", kind="lab",
                                    tags=["lassen"]),
        "weld2": await make_resource(site_id=dord, name="Yaskawa lasrobot", tags=["lassen"]),
        "mill": await make_resource(site_id=rdam, name="Freesbank DMU 50", tags=["cnc"]),
        "late": await make_resource(site_id=dord, name="Haas CNC-draaibank", tags=["cnc"],
                                    min_notice_minutes=14 * 24 * 60),
    }
    for i in range(30):  # more than one page of results
        await make_resource(site_id=dord, name=f"Werkbank {i:02d}", tags=["hout"])
    return made


def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="card resource-card">.*?</article>', html, re.S)


async def test_words_find_tags_school_and_city(web: httpx.AsyncClient,
                                               region: dict[str, str]) -> None:
    page = await web.get("/resources", params={"q": "lassen"})
    assert "Lasstraat" in page.text and "Yaskawa lasrobot" in page.text
    assert "2 resultaten" in page.text and len(_cards(page.text)) == 2
    both = await web.get("/resources", params={"q": "cnc rotterdam"})
    assert [c for c in _cards(both.text) if "Freesbank" in c] and len(_cards(both.text)) == 1
    wrong = await web.get("/resources", params={"q": "lasssen"})
    assert "Bedoelde je" in wrong.text and 'href="/resources?q=lassen"' in wrong.text


async def test_the_count_is_the_total_not_the_page(web: httpx.AsyncClient,
                                                   region: dict[str, str]) -> None:
    page = await web.get("/resources")
    assert "34 resultaten" in page.text and len(_cards(page.text)) == 24
    free = await web.get("/resources", params={
        "hours": "2", "free_from": "2026-03-09", "free_to": "2026-03-13"})
    # the draaibank (fourteen days' notice) is not free that week: 33 of 34
    assert "33 labs en machines hebben genoeg vrije tijd" in free.text
    nxt = re.search(r'href="(/resources\?[^"]*cursor=[^"]+)"', free.text)
    assert nxt, free.text
    second = await web.get(nxt.group(1).replace("&amp;", "&"))
    assert "33 labs en machines hebben genoeg vrije tijd" in second.text
    assert len(_cards(second.text)) == 9


async def test_each_free_result_says_when(web: httpx.AsyncClient,
                                          region: dict[str, str]) -> None:
    page = await web.get("/resources", params={
        "q": "cnc", "hours": "3", "free_from": "2026-03-02", "free_to": "2026-03-13"})
    cards = {("late" if "Haas" in c else "mill"): c for c in _cards(page.text)}
    # opening hours 08:00-18:00 on weekdays; the notice is an hour, so today from 09:00
    assert "Vrij ma 2 mrt, 09:00–18:00" in cards["mill"]
    assert "4 andere momenten deze week" in cards["mill"]
    # fourteen days' notice: first free on Monday 16 March, beyond the range: not found
    assert "late" not in cards
    assert f'href="/resources/{region["mill"]}?week=2026-03-02#week"' in cards["mill"]


async def test_week_opens_on_the_first_week_with_bookable_time(
    web: httpx.AsyncClient, region: dict[str, str]
) -> None:
    page = await web.get(f"/resources/{region['late']}")
    assert "Week van 16 maart 2026" in page.text  # fourteen days' notice
    assert "Week van 2 maart 2026" in (await web.get(f"/resources/{region['mill']}")).text


async def test_month_view_shows_free_time_per_day(web: httpx.AsyncClient,
                                                  region: dict[str, str]) -> None:
    page = await web.get(f"/resources/{region['late']}", params={"view": "month"})
    assert page.status_code == 200
    assert "maart 2026" in page.text and 'class="month-grid"' in page.text
    assert "Week van" not in page.text  # a month, not silently a week
    free_days = re.findall(r'<td class="m-free(?: is-today)?">\s*<a href="\?week=[\d-]+#week">'
                           r'<span class="m-day">(\d+)<', page.text)  # in March, free
    assert free_days and min(int(d) for d in free_days) == 16
    assert 'class="m-notice' in page.text
    assert "10 uur vrij" in page.text
    nxt = await web.get(f"/resources/{region['late']}",
                        params={"view": "month", "month": "2026-04"})
    assert "april 2026" in nxt.text and "Vorige maand" in nxt.text


async def test_a_refused_booking_offers_the_nearest_free_times(
    web: httpx.AsyncClient, region: dict[str, str]
) -> None:
    company = await make_company(name="Acme Metaal BV")
    await accounts.create_user(email="planner@acme.test", name="Petra", password=PASSWORD,
                               now=NOW, memberships=[(company, Role.BOOKER)])
    await web.post("/login", data={"email": "planner@acme.test", "password": PASSWORD,
                                   "next": ""})
    await insert_closure(resource_id=region["mill"], site_id=None, reason="Onderhoud",
                         kind="maintenance", interval=Interval(
                             datetime(2026, 3, 3, 9, tzinfo=UTC),
                             datetime(2026, 3, 3, 11, tzinfo=UTC)))  # Tuesday 10-12 local
    form = {"resource": region["mill"], "date": "2026-03-03", "start": "10:00", "end": "12:00",
            "title": "Cursus", "students": "2", "employees": "1", "action": "check",
            "idem": "alt-1", "_csrf": web.cookies.get("labshare_csrf") or ""}
    checked = await web.post("/book", data=form)
    assert "Wel vrij, vlakbij" in checked.text
    links = re.findall(r'date=([\d-]+)&amp;start=(\d\d:\d\d)&amp;end=(\d\d:\d\d)', checked.text)
    assert links == [("2026-03-02", "16:00", "18:00"), ("2026-03-03", "08:00", "10:00"),
                     ("2026-03-03", "12:00", "14:00")]
    refused = await web.post("/book", data={**form, "action": "confirm", "idem": "alt-2"})
    assert refused.status_code == 422 and "Wel vrij, vlakbij" in refused.text
    fine = await web.post("/book", data={**form, "start": "13:00", "end": "15:00",
                                         "idem": "alt-3"})
    assert "Wel vrij, vlakbij" not in fine.text
