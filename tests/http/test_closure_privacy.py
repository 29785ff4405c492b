"""Closures tell outsiders only their public label; the school reads its own reasons (API
availability, check reasons and the resource's week page alike)."""

from __future__ import annotations

from datetime import datetime

import httpx

from booking.db.calendar_store import insert_closure
from booking.domain.intervals import Interval
from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

SECRET = "Verspaner niveau 3"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _resource_with_closures() -> tuple[str, str]:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    for day, reason, kind in (
        ("10", f"Eigen onderwijs: {SECRET}", "timetable"),
        ("11", "Onderhoud freesbank: nieuwe spindel", "maintenance"),
        ("12", "Voorjaarsvakantie", "holiday"),
        ("13", "Open dag: draaiboek team techniek", "closure"),
    ):
        await insert_closure(resource_id=rid, site_id=None, reason=reason, kind=kind,
                             interval=Interval(_at(f"2026-03-{day}T09:00:00+01:00"),
                                               _at(f"2026-03-{day}T12:00:00+01:00")))
    return school, rid


WINDOW = {"from": "2026-03-09T00:00:00+01:00", "to": "2026-03-16T00:00:00+01:00"}


async def test_outsiders_read_public_labels_the_school_everything(
    client: httpx.AsyncClient,
) -> None:
    school, rid = await _resource_with_closures()
    nl = {"Accept-Language": "nl"}
    url = f"/api/v1/resources/{rid}/availability"
    body = (await client.get(url, params=WINDOW, headers=nl)).json()
    labels = [b["reason"] for b in body["busy"] if b["kind"] == "closure"]
    assert labels == ["Eigen onderwijs", "Onderhoud", "Voorjaarsvakantie", "Open dag"]
    english = (await client.get(url, params=WINDOW, headers={"Accept-Language": "en"})).json()
    assert [b["reason"] for b in english["busy"]][:2] == ["Own teaching", "Maintenance"]
    company = await bearer(await make_user(memberships=[(await make_company(), "booker")]))
    theirs = (await client.get(url, params=WINDOW, headers={**nl, **company})).text
    assert SECRET not in theirs and "spindel" not in theirs and "draaiboek" not in theirs
    staff = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    own = (await client.get(url, params=WINDOW, headers={**nl, **staff})).json()
    assert [b["reason"] for b in own["busy"]] == [
        f"Eigen onderwijs: {SECRET}", "Onderhoud freesbank: nieuwe spindel",
        "Voorjaarsvakantie", "Open dag: draaiboek team techniek"]
    check = await client.get(f"/api/v1/resources/{rid}/check", headers={**nl, **company},
                             params={"start": "2026-03-10T09:00:00+01:00",
                                     "end": "2026-03-10T10:00:00+01:00"})
    messages = " ".join(r["message"] for r in check.json()["reasons"])
    assert "Eigen onderwijs" in messages and SECRET not in messages


async def test_the_week_page_shows_labels_to_visitors(web: httpx.AsyncClient) -> None:
    _, rid = await _resource_with_closures()
    page = await web.get(f"/resources/{rid}", params={"week": "2026-03-09"})
    assert page.status_code == 200
    assert "Eigen onderwijs" in page.text and "Voorjaarsvakantie" in page.text
    assert SECRET not in page.text and "spindel" not in page.text
