"""Who may do what, route by route, against objects of their own and of other organisations.

A company never sees another company's booking (404, never its content); a facility manager
manages only its own school's resources; anonymous callers get 401 on private routes.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.factories import (
    make_company,
    make_region,
    make_resource,
    make_school,
    make_site,
    make_user,
)
from tests.http.conftest import bearer

ACTORS = ("anonymous", "booker_a", "booker_b", "manager_1", "manager_2", "staff_1",
          "coordinator", "admin")


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    school_1: str
    site_1: str
    r1: str  # public resource of school 1
    internal: str  # internal resource of school 1
    booking: str  # company A's booking on r1


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    region = await make_region()
    school_1, school_2 = await make_school(region_id=region), await make_school()
    site_1 = await make_site(school_id=school_1)
    r1 = await make_resource(site_id=site_1)
    internal = await make_resource(site_id=site_1, visibility="internal")
    company_a, company_b = await make_company(), await make_company()
    platform = await _platform()
    members = {
        "booker_a": (company_a, "booker"), "booker_b": (company_b, "booker"),
        "manager_1": (school_1, "facility_manager"), "manager_2": (school_2, "facility_manager"),
        "staff_1": (school_1, "staff"), "coordinator": (region, "coordinator"),
        "admin": (platform, "admin"),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, membership in members.items():
        headers[name] = await bearer(await make_user(memberships=[membership]))
    r = await client.post("/api/v1/bookings", headers=headers["booker_a"], json={
        "resource_ids": [r1], "start": "2026-03-09T10:00:00+01:00",
        "end": "2026-03-09T12:00:00+01:00", "title": "Vertrouwelijk"})
    assert r.status_code == 201, r.text
    return World(headers, school_1, site_1, r1, internal, r.json()["id"])


async def _platform() -> str:
    from booking.db.sql import execute
    from tests.factories import T0, new_id

    pid = new_id()
    await execute("INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
                  "VALUES ($1, 'platform', 'labshare', FALSE, '', $2)", pid, T0)
    return pid


def _row(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ACTORS)
    return statuses


READS = {
    "booking": ("GET", "/api/v1/bookings/{booking}", _row(
        anonymous=401, booker_a=200, booker_b=404, manager_1=200, manager_2=404, staff_1=200,
        coordinator=404, admin=200)),
    "internal resource": ("GET", "/api/v1/resources/{internal}", _row(
        anonymous=404, booker_a=404, booker_b=404, manager_1=200, manager_2=404, staff_1=200,
        coordinator=404, admin=200)),
    "public resource": ("GET", "/api/v1/resources/{r1}", _row(
        anonymous=200, booker_a=200, booker_b=200, manager_1=200, manager_2=200, staff_1=200,
        coordinator=200, admin=200)),
    "bookings list": ("GET", "/api/v1/bookings", _row(
        anonymous=401, booker_a=200, booker_b=200, manager_1=200, manager_2=200, staff_1=200,
        coordinator=200, admin=200)),
    "me": ("GET", "/api/v1/me", _row(
        anonymous=401, booker_a=200, booker_b=200, manager_1=200, manager_2=200, staff_1=200,
        coordinator=200, admin=200)),
}

DENIALS = {
    "cancel": ("POST", "/api/v1/bookings/{booking}/cancel", None, {
        "anonymous": 401, "booker_b": 404, "manager_2": 404, "coordinator": 404}),
    "approve": ("POST", "/api/v1/bookings/{booking}/approve", None, {
        "anonymous": 401, "booker_a": 403, "booker_b": 404, "manager_2": 404, "staff_1": 403}),
    "patch resource": ("PATCH", "/api/v1/resources/{r1}", {"name": "Overgenomen"}, {
        "anonymous": 401, "booker_a": 403, "manager_2": 403, "staff_1": 403, "coordinator": 403}),
    "opening hours": ("PUT", "/api/v1/resources/{r1}/opening-hours", [], {
        "anonymous": 401, "booker_a": 403, "manager_2": 403, "staff_1": 403}),
    "closure": ("POST", "/api/v1/resources/{r1}/closures", {
        "start": "2026-03-10T00:00:00+01:00", "end": "2026-03-11T00:00:00+01:00"}, {
        "anonymous": 401, "booker_a": 403, "manager_2": 403, "staff_1": 403}),
    "new resource": ("POST", "/api/v1/resources", {
        "school_id": "{school_1}", "site_id": "{site_1}", "kind": "lab", "name": "Nieuw"}, {
        "anonymous": 401, "booker_a": 403, "manager_2": 403, "staff_1": 403,
        "coordinator": 403}),
}


def _fill(value: object, world: World) -> object:
    if isinstance(value, str):
        return value.format(**vars(world))
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


async def test_read_matrix(world: World, client: httpx.AsyncClient) -> None:
    failures = []
    for label, (method, path, expected) in READS.items():
        for actor, status in expected.items():
            r = await client.request(method, path.format(**vars(world)),
                                     headers=world.headers[actor])
            if r.status_code != status:
                failures.append(f"{label} as {actor}: {r.status_code}, expected {status}")
            if r.status_code == 404:
                assert "Vertrouwelijk" not in r.text
    assert not failures, "\n".join(failures)


async def test_write_denials(world: World, client: httpx.AsyncClient) -> None:
    failures = []
    for label, (method, path, body, expected) in DENIALS.items():
        for actor, status in expected.items():
            r = await client.request(method, path.format(**vars(world)),
                                     json=_fill(body, world), headers=world.headers[actor])
            if r.status_code != status:
                failures.append(f"{label} as {actor}: {r.status_code}, expected {status}")
    assert not failures, "\n".join(failures)


async def test_companies_list_only_their_own(world: World, client: httpx.AsyncClient) -> None:
    def ids(r: httpx.Response) -> list[str]:
        return [b["id"] for b in r.json()["items"]]

    h = world.headers
    assert ids(await client.get("/api/v1/bookings", headers=h["booker_a"])) == [world.booking]
    assert ids(await client.get("/api/v1/bookings", headers=h["booker_b"])) == []
    assert ids(await client.get("/api/v1/bookings", headers=h["manager_1"])) == [world.booking]
    assert ids(await client.get("/api/v1/bookings", headers=h["manager_2"])) == []


async def test_owners_may_write(world: World, client: httpx.AsyncClient) -> None:
    h = world.headers
    r = await client.patch(f"/api/v1/resources/{world.r1}", json={"name": "Eigen"},
                           headers=h["manager_1"])
    assert r.status_code == 200
    r = await client.post(f"/api/v1/bookings/{world.booking}/cancel", headers=h["booker_a"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


# Existence is never revealed: for every object kind a caller can name by id, an outsider gets
# the very answer a random id gets (status and problem type), never 403 for a real object.

RANDOM_ID = "5f0c6f2e-8d8b-4c53-9a39-3f1f3b1d2c4e"


@dataclass
class Secrets:
    closure: str  # a closure of school 1's public resource
    site_closure: str  # a closure of school 1's site
    token: str  # an API token of booker_a
    feed: str  # booker_a's feed
    calendar_import: str  # an ICS upload of school 1


_ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
        "DTSTAMP:20260301T000000Z\r\nDTSTART:20260316T080000Z\r\nDTEND:20260316T100000Z\r\n"
        "SUMMARY:Les\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
async def secrets(world: World, client: httpx.AsyncClient) -> Secrets:
    from booking.db.sql import execute
    from tests.factories import T0, new_id

    h = world.headers
    r = await client.post(f"/api/v1/resources/{world.r1}/closures", headers=h["manager_1"], json={
        "start": "2026-03-20T00:00:00+01:00", "end": "2026-03-21T00:00:00+01:00"})
    assert r.status_code == 201, r.text
    closure = r.json()["id"]
    site_closure = new_id()
    await execute("INSERT INTO closures (id, site, resource, starts_at, ends_at, reason, kind) "
                  "VALUES ($1, $2, NULL, $3, $4, '', 'closure')",
                  site_closure, world.site_1, T0, T0)
    r = await client.post("/api/v1/tokens", headers=h["booker_a"], json={"name": "erp"})
    assert r.status_code == 201, r.text
    token = r.json()["id"]
    r = await client.post("/api/v1/feeds", headers=h["booker_a"], json={"scope": "me"})
    assert r.status_code == 201, r.text
    feed = r.json()["id"]
    r = await client.post("/api/v1/calendar-imports", headers=h["manager_1"], json={
        "kind": "timetable", "resource_id": world.r1, "ics": _ICS})
    assert r.status_code == 201, r.text
    return Secrets(closure, site_closure, token, feed, r.json()["id"])


HIDDEN = {
    # label: (method, path with {id}, body, outsiders who must not learn the object exists)
    "read booking": ("GET", "/api/v1/bookings/{id}", None, ("booker_b", "manager_2",
                                                             "coordinator")),
    "cancel booking": ("POST", "/api/v1/bookings/{id}/cancel", None, ("booker_b", "manager_2",
                                                                     "coordinator")),
    "approve booking": ("POST", "/api/v1/bookings/{id}/approve", None, ("booker_b",
                                                                       "manager_2")),
    "internal resource": ("GET", "/api/v1/resources/{id}", None, ("anonymous", "booker_a",
                                                                 "manager_2", "coordinator")),
    "internal availability": ("GET", "/api/v1/resources/{id}/availability"
                              "?from=2026-03-09T00:00:00%2B01:00&to=2026-03-10T00:00:00%2B01:00",
                              None, ("anonymous", "booker_a", "manager_2")),
    "delete closure": ("DELETE", "/api/v1/closures/{id}", None, ("booker_a", "booker_b",
                                                                "manager_2", "staff_1",
                                                                "coordinator")),
    "delete site closure": ("DELETE", "/api/v1/closures/{id}", None, ("booker_a", "manager_2",
                                                                     "coordinator")),
    "delete token": ("DELETE", "/api/v1/tokens/{id}", None, ("booker_b", "manager_1",
                                                            "admin")),
    "delete feed": ("DELETE", "/api/v1/feeds/{id}", None, ("booker_b", "manager_1")),
    "rotate feed": ("POST", "/api/v1/feeds/{id}/rotate", None, ("booker_b", "manager_1")),
    "read import": ("GET", "/api/v1/calendar-imports/{id}", None, ("booker_a", "manager_2",
                                                                  "coordinator")),
    "refresh import": ("POST", "/api/v1/calendar-imports/{id}/refresh", None, ("booker_a",
                                                                              "manager_2")),
    "delete import": ("DELETE", "/api/v1/calendar-imports/{id}", None, ("booker_a",
                                                                       "manager_2")),
}


def _real_id(label: str, world: World, hidden: Secrets) -> str:
    return {
        "booking": world.booking, "resource": world.internal, "availability": world.internal,
        "site closure": hidden.site_closure, "closure": hidden.closure, "token": hidden.token,
        "feed": hidden.feed, "import": hidden.calendar_import,
    }[next(k for k in ("booking", "resource", "availability", "site closure", "closure",
                       "token", "feed", "import") if k in label)]


async def test_outsiders_cannot_tell_real_ids_from_random_ones(
    world: World, secrets: Secrets, client: httpx.AsyncClient
) -> None:
    failures = []
    for label, (method, path, body, outsiders) in HIDDEN.items():
        real = path.format(id=_real_id(label, world, secrets))
        random = path.format(id=RANDOM_ID)
        for actor in outsiders:
            headers = world.headers[actor]
            got = await client.request(method, real, json=body, headers=headers)
            expected = await client.request(method, random, json=body, headers=headers)
            if (got.status_code, got.json().get("type")) != (
                    expected.status_code, expected.json().get("type")):
                failures.append(f"{label} as {actor}: {got.status_code} {got.json().get('type')}"
                                f" for a real id, {expected.status_code} for a random one")
            elif got.status_code not in (401, 404):
                failures.append(f"{label} as {actor}: {got.status_code}, expected 404")
    assert not failures, "\n".join(failures)
    # and the owners still reach what the outsiders could not
    r = await client.delete(f"/api/v1/closures/{secrets.closure}",
                            headers=world.headers["manager_1"])
    assert r.status_code == 204, r.text
