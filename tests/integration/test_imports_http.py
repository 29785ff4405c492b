"""Calendar imports over HTTP (the app on SQLite and PostgreSQL): 201 with the status of the
first fetch, 422 unless exactly one of each pair, managers only, refresh, list and delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest

from api.app import create_app
from booking.services import accounts, imports
from booking.settings import Settings
from tests.conftest import Backend
from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.integration.ics_sources import ics_server, timetable

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(db: Backend, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("LABSHARE_IMPORT_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("LABSHARE_IMPORT_TIMEOUT", "2")
    app = create_app(Settings(database_url=db.url, migrate_on_startup=False),
                     clock=lambda: NOW, route_packages=("api.controllers",), own_engine=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _bearer(org: str, role: str) -> dict[str, str]:
    _, secret = await accounts.create_token(
        await make_user(memberships=[(org, role)]), "test", NOW
    )
    return {"Authorization": f"Bearer {secret}"}


async def test_imports_over_http(client: httpx.AsyncClient) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    resource = await make_resource(site_id=site)
    boss = await _bearer(school, "facility_manager")
    with ics_server() as (url, state):
        state.body = timetable(date(2027, 3, 8), 4)
        r = await client.post("/api/v1/calendar-imports", headers=boss,
                              json={"resource_id": resource, "url": url, "kind": "timetable"})
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["status"], made["events"], made["last_error"]) == ("ok", 4, None)
        assert made["last_fetched_at"] == "2027-03-01T13:00:00+01:00"

        state.mode = "html"
        r = await client.post(f"/api/v1/calendar-imports/{made['id']}/refresh", headers=boss)
        assert r.status_code == 200 and r.json()["status"] == "error"
        assert "text/html" in r.json()["last_error"] and r.json()["events"] == 4

    listed = (await client.get("/api/v1/calendar-imports", headers=boss)).json()
    assert [(i["id"], i["status"]) for i in listed["items"]] == [(made["id"], "error")]
    for body in (
        {"url": url, "kind": "timetable"},
        {"resource_id": resource, "site_id": site, "url": url, "kind": "timetable"},
        {"resource_id": resource, "kind": "timetable"},
        {"resource_id": resource, "url": url, "ics": "BEGIN:VCALENDAR", "kind": "holidays"},
        {"resource_id": resource, "url": url, "kind": "agenda"},
        {"resource_id": resource, "ics": "<html>", "kind": "holidays"},
    ):
        r = await client.post("/api/v1/calendar-imports", headers=boss, json=body)
        assert r.status_code == 422, (body, r.text)
    company = await _bearer(await make_company(), "booker")
    r = await client.post("/api/v1/calendar-imports", headers=company,
                          json={"site_id": site, "url": url, "kind": "holidays"})
    assert r.status_code == 403
    r = await client.delete(f"/api/v1/calendar-imports/{made['id']}", headers=company)
    assert r.status_code == 404
    r = await client.delete(f"/api/v1/calendar-imports/{made['id']}", headers=boss)
    assert r.status_code == 204
    r = await client.get(f"/api/v1/calendar-imports/{made['id']}", headers=boss)
    assert r.status_code == 404


async def test_a_large_upload_is_accepted_pending_and_read_by_the_background_job(
    client: httpx.AsyncClient,
) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    boss = await _bearer(school, "facility_manager")
    body = timetable(date(2027, 3, 8), 2).decode()
    filler = "".join(f"X-FILLER-{n}:{'z' * 60}\r\n" for n in range(36_000))  # ~2.6 MB
    ics = body.replace("VERSION:2.0\r\n", "VERSION:2.0\r\n" + filler, 1)
    r = await client.post("/api/v1/calendar-imports", headers=boss,
                          json={"site_id": site, "ics": ics, "kind": "timetable"})
    assert r.status_code == 201, r.text[:300]
    assert (r.json()["status"], r.json()["events"], r.json()["uploaded"]) == ("pending", 0, True)
    assert await imports.refresh_due(NOW) == 1  # what the background job runs
    r = await client.get(f"/api/v1/calendar-imports/{r.json()['id']}", headers=boss)
    assert (r.json()["status"], r.json()["events"]) == ("ok", 2)
