"""Closures and date exceptions that meet active bookings: 409 listing them, keep, cancel."""

from __future__ import annotations

from typing import Any

import httpx

from booking.db.sql import fetch
from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}
DAY = {"start": "2026-03-09T08:00:00+01:00", "end": "2026-03-09T17:00:00+01:00",
       "reason": "Stroomstoring"}


async def _setup(client: httpx.AsyncClient, **booking: Any) -> tuple[str, str, dict[str, str],
                                                                     dict[str, str], str]:
    school = await make_school()
    site = await make_site(school_id=school)
    rid = await make_resource(site_id=site)
    fm = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    company = await make_company()
    acme = await bearer(await make_user(memberships=[(company, "booker")]))
    r = await client.post("/api/v1/bookings", headers=acme,
                          json={"resource_ids": [rid], **MON, "title": "Les", **booking})
    assert r.status_code == 201, r.text
    return rid, site, fm, acme, r.json()["id"]


async def _status(client: httpx.AsyncClient, headers: dict[str, str], bid: str) -> Any:
    return (await client.get(f"/api/v1/bookings/{bid}", headers=headers)).json()


async def test_closure_over_a_booking_is_409_then_keep(client: httpx.AsyncClient) -> None:
    rid, _, fm, acme, bid = await _setup(client)
    url = f"/api/v1/resources/{rid}/closures"
    r = await client.post(url, headers=fm, json=DAY)
    assert r.status_code == 409, r.text
    assert r.json()["conflicts"] == [{"booking_id": bid, "resource_id": rid, **MON}]
    rows = await fetch("SELECT COUNT(*) AS n FROM closures WHERE resource = $1", rid)
    assert int(rows[0]["n"]) == 0  # nothing changed
    r = await client.post(url, headers=fm, json={**DAY, "on_conflict": "keep"})
    assert r.status_code == 201, r.text
    assert (await _status(client, acme, bid))["status"] == "confirmed"
    # the closure stands: a new booking that day is refused
    r = await client.post("/api/v1/bookings", headers=acme, json={
        "resource_ids": [rid], "start": "2026-03-09T14:00:00+01:00",
        "end": "2026-03-09T15:00:00+01:00"})
    assert r.status_code == 422


async def test_closure_cancels_bookings_and_one_occurrence(client: httpx.AsyncClient) -> None:
    _, site, fm, acme, bid = await _setup(client, recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"})
    r = await client.post(f"/api/v1/sites/{site}/closures", headers=fm,
                          json={**DAY, "on_conflict": "cancel"})
    assert r.status_code == 201, r.text
    got = await _status(client, acme, bid)
    assert got["status"] == "confirmed"
    assert [o["status"] for o in got["occurrences"]] == ["cancelled", "active", "active"]
    r = await client.post(f"/api/v1/sites/{site}/closures", headers=acme, json=DAY)
    assert r.status_code == 403


async def test_single_booking_cancelled_by_closure(client: httpx.AsyncClient) -> None:
    rid, _, fm, acme, bid = await _setup(client)
    r = await client.post(f"/api/v1/resources/{rid}/closures", headers=fm,
                          json={**DAY, "on_conflict": "cancel"})
    assert r.status_code == 201
    got = await _status(client, acme, bid)
    assert got["status"] == "cancelled" and got["decision_message"] == "Stroomstoring"


async def test_opening_exceptions(client: httpx.AsyncClient) -> None:
    rid, _, fm, acme, bid = await _setup(client)
    url = f"/api/v1/resources/{rid}/opening-exceptions"
    # an extra evening on Tuesday and a shortened Monday that still holds the booking
    body = [{"date": "2026-03-10", "hours": [{"opens": "08:00", "closes": "21:00"}]},
            {"date": "2026-03-09", "hours": [{"opens": "09:00", "closes": "13:00"}]}]
    r = await client.put(url, headers=fm, json=body)
    assert r.status_code == 200, r.text
    assert [d["date"] for d in r.json()] == ["2026-03-09", "2026-03-10"]
    evening = {"resource_ids": [rid], "start": "2026-03-10T19:00:00+01:00",
               "end": "2026-03-10T21:00:00+01:00"}
    assert (await client.post("/api/v1/bookings", headers=acme, json=evening)).status_code == 201
    avail = (await client.get(f"/api/v1/resources/{rid}/availability", params={
        "from": "2026-03-09T00:00:00+01:00", "to": "2026-03-10T00:00:00+01:00"})).json()
    assert avail["free"] == [{"start": "2026-03-09T09:00:00+01:00",
                              "end": "2026-03-09T10:00:00+01:00"},
                             {"start": "2026-03-09T12:00:00+01:00",
                              "end": "2026-03-09T13:00:00+01:00"}]
    # closing Monday leaves the booking outside: 409 unless told
    closed = [{"date": "2026-03-09", "hours": []}]
    r = await client.put(url, headers=fm, json=closed)
    assert r.status_code == 409 and r.json()["conflicts"][0]["booking_id"] == bid
    r = await client.put(url, headers=fm, json=closed, params={"on_conflict": "cancel"})
    assert r.status_code == 200, r.text
    assert (await _status(client, acme, bid))["status"] == "cancelled"
    r = await client.put(url, headers=acme, json=closed)
    assert r.status_code == 403
    r = await client.put(url, headers=fm, json=[
        {"date": "2026-03-11", "hours": [{"opens": "12:00", "closes": "10:00"}]}])
    assert r.status_code == 422


async def test_reports_open_hours_follow_date_exceptions(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    fm = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    params = {"school": school, "from": "2026-03-09T00:00:00+01:00",
              "to": "2026-03-11T00:00:00+01:00", "group_by": "resource"}

    async def open_hours() -> float:
        r = await client.get("/api/v1/reports/utilisation", headers=fm, params=params)
        assert r.status_code == 200, r.text
        return float(r.json()["totals"]["open_hours"])

    assert await open_hours() == 20.0  # Monday and Tuesday, 08:00–18:00
    r = await client.put(f"/api/v1/resources/{rid}/opening-exceptions", headers=fm, json=[
        {"date": "2026-03-10", "hours": [{"opens": "08:00", "closes": "21:00"}]},
        {"date": "2026-03-09", "hours": []}])
    assert r.status_code == 200, r.text
    assert await open_hours() == 13.0  # Monday closed, Tuesday with its evening
