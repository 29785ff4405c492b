"""Who may do what with organisations, members, invitations and partnerships — each role
against objects of its own and of other organisations (404 for what the caller may not know
exists, 403 for what it sees but may not do; 401 for visitors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from booking.db.members_store import insert_invitation
from booking.db.sql import execute
from tests.factories import (
    T0,
    make_company,
    make_region,
    make_school,
    make_site,
    make_user,
    new_id,
)
from tests.http.conftest import NOW, bearer
from tests.http.onboarding_support import valid_kvk

ACTORS = ("anonymous", "booker_a", "admin_a", "booker_b", "manager_1", "manager_2", "staff_1",
          "coordinator", "admin")


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    users: dict[str, str]
    school_1: str
    school_2: str
    company_a: str
    company_b: str
    region: str
    p_own: str  # partnership school 1 - company A
    p_other: str  # partnership school 2 - company B
    invitation_a: str  # an open invitation of company A
    site_1: str


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    region = await make_region()
    school_1, school_2 = await make_school(region_id=region), await make_school()
    company_a = await make_company(kvk=valid_kvk(40_000_000))
    company_b = await make_company(kvk=valid_kvk(50_000_000))
    platform = new_id()
    await execute("INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
                  "VALUES ($1, 'platform', 'labshare', FALSE, '', $2)", platform, T0)
    members = {
        "booker_a": (company_a, "booker"), "admin_a": (company_a, "company_admin"),
        "booker_b": (company_b, "booker"), "manager_1": (school_1, "facility_manager"),
        "manager_2": (school_2, "facility_manager"), "staff_1": (school_1, "staff"),
        "coordinator": (region, "coordinator"), "admin": (platform, "admin"),
    }
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    users: dict[str, str] = {}
    for name, membership in members.items():
        users[name] = await make_user(memberships=[membership])
        headers[name] = await bearer(users[name])
    made = []
    for school, company in ((school_1, company_a), (school_2, company_b)):
        r = await client.post("/api/v1/partnerships", headers=headers["admin"],
                              json={"school_id": school, "company_id": company})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    invitation = await insert_invitation(
        org_id=company_a, email="new@a.test", role="booker", token_hash="0" * 64,
        invited_by=users["admin_a"], now=NOW, expires_at=NOW + timedelta(days=7))
    return World(headers, users, school_1, school_2, company_a, company_b, region, *made,
                 invitation, await make_site(school_id=school_1))


def _row(**statuses: int) -> dict[str, int]:
    assert set(statuses) == set(ACTORS)
    return statuses


SCHOOL_1 = _row(anonymous=401, booker_a=404, admin_a=404, booker_b=404, manager_1=200,
                manager_2=404, staff_1=200, coordinator=200, admin=200)
COMPANY_A = _row(anonymous=401, booker_a=200, admin_a=200, booker_b=404, manager_1=404,
                 manager_2=404, staff_1=404, coordinator=404, admin=200)

READS = {
    "school": ("/api/v1/organisations/{school_1}", SCHOOL_1),
    "school members": ("/api/v1/organisations/{school_1}/members", SCHOOL_1),
    "school sites": ("/api/v1/organisations/{school_1}/sites", SCHOOL_1),
    "company": ("/api/v1/organisations/{company_a}", COMPANY_A),
    "company members": ("/api/v1/organisations/{company_a}/members", COMPANY_A),
    "company invitations": ("/api/v1/organisations/{company_a}/invitations", _row(
        anonymous=401, booker_a=403, admin_a=200, booker_b=404, manager_1=404, manager_2=404,
        staff_1=404, coordinator=404, admin=200)),
    "region": ("/api/v1/organisations/{region}", _row(
        anonymous=401, booker_a=404, admin_a=404, booker_b=404, manager_1=404, manager_2=404,
        staff_1=404, coordinator=200, admin=200)),
    "own partnership": ("/api/v1/partnerships/{p_own}", _row(
        anonymous=401, booker_a=200, admin_a=200, booker_b=404, manager_1=200, manager_2=404,
        staff_1=200, coordinator=200, admin=200)),
    "other partnership": ("/api/v1/partnerships/{p_other}", _row(
        anonymous=401, booker_a=404, admin_a=404, booker_b=200, manager_1=404, manager_2=200,
        staff_1=404, coordinator=404, admin=200)),
    "organisation list": ("/api/v1/organisations", _row(
        anonymous=401, booker_a=200, admin_a=200, booker_b=200, manager_1=200, manager_2=200,
        staff_1=200, coordinator=200, admin=200)),
    "partnership list": ("/api/v1/partnerships", _row(
        anonymous=401, booker_a=200, admin_a=200, booker_b=200, manager_1=200, manager_2=200,
        staff_1=200, coordinator=200, admin=200)),
}

KVK = valid_kvk(60_000_000)
DENIALS = {
    "create organisation": ("POST", "/api/v1/organisations", {
        "kind": "company", "name": "Nieuw BV", "kvk": KVK}, {
        "anonymous": 401, "booker_a": 403, "admin_a": 403, "manager_1": 403, "staff_1": 403,
        "coordinator": 403}),
    "rename school": ("PATCH", "/api/v1/organisations/{school_1}", {"name": "Overgenomen"}, {
        "anonymous": 401, "booker_a": 404, "manager_2": 404, "staff_1": 403,
        "coordinator": 403}),
    "company admin changes its KvK": ("PATCH", "/api/v1/organisations/{company_a}", {
        "kvk": KVK}, {"admin_a": 403, "booker_a": 403, "booker_b": 404, "manager_1": 404}),
    "unknown field": ("PATCH", "/api/v1/organisations/{company_a}", {"kind": "school"}, {
        "admin_a": 422, "admin": 422}),
    "add site": ("POST", "/api/v1/organisations/{school_1}/sites", {"name": "Nieuw"}, {
        "anonymous": 401, "booker_a": 404, "manager_2": 404, "staff_1": 403,
        "coordinator": 403}),
    "change a site": ("PATCH", "/api/v1/organisations/{school_1}/sites/{site_1}", {
        "postcode": "5611AB"}, {"anonymous": 401, "booker_a": 404, "manager_2": 404,
                                "staff_1": 403, "coordinator": 403}),
    "site of another school": ("PATCH", "/api/v1/organisations/{school_2}/sites/{site_1}", {
        "city": "X"}, {"manager_2": 404, "admin": 404}),
    "site of a company": ("POST", "/api/v1/organisations/{company_a}/sites", {"name": "X"}, {
        "admin": 422}),
    "change a booker's role": ("PATCH", "/api/v1/organisations/{company_a}/members/{booker_a}",
                               {"role": "company_admin"}, {
        "anonymous": 401, "booker_a": 403, "booker_b": 404, "manager_1": 404,
        "coordinator": 404}),
    "own role": ("PATCH", "/api/v1/organisations/{company_a}/members/{admin_a}",
                 {"role": "booker"}, {"admin_a": 403}),
    "role and organisation": ("PATCH", "/api/v1/organisations/{company_a}/members/{booker_a}",
                              {"role": "booker", "organisation_id": "{company_b}"}, {
        "admin_a": 422, "booker_a": 422}),
    "role of another kind": ("PATCH", "/api/v1/organisations/{company_a}/members/{booker_a}",
                             {"role": "facility_manager"}, {"admin_a": 422, "admin": 422}),
    "member of another organisation": (
        "PATCH", "/api/v1/organisations/{company_a}/members/{booker_b}", {"role": "booker"}, {
            "admin_a": 404}),
    "remove the last manager": ("DELETE", "/api/v1/organisations/{company_a}/members/{admin_a}",
                                None, {"admin_a": 422, "admin": 422}),
    "remove school staff": ("DELETE", "/api/v1/organisations/{school_1}/members/{staff_1}",
                            None, {"anonymous": 401, "staff_1": 403, "manager_2": 404,
                                   "booker_a": 404, "coordinator": 403}),
    "invite to a school": ("POST", "/api/v1/organisations/{school_1}/invitations", {
        "email": "x@school.test", "role": "staff"}, {
        "anonymous": 401, "staff_1": 403, "manager_2": 404, "coordinator": 403,
        "booker_a": 404}),
    "invite as a role of another kind": ("POST", "/api/v1/organisations/{company_a}/invitations",
                                         {"email": "x@a.test", "role": "facility_manager"}, {
        "admin_a": 422}),
    "revoke an invitation": ("DELETE",
                             "/api/v1/organisations/{company_a}/invitations/{invitation_a}",
                             None, {"anonymous": 401, "booker_a": 403, "booker_b": 404,
                                    "manager_1": 404}),
    "make a partner": ("POST", "/api/v1/partnerships", {
        "school_id": "{school_1}", "company_id": "{company_b}"}, {
        "anonymous": 401, "booker_a": 403, "admin_a": 403, "booker_b": 403, "staff_1": 403,
        "manager_2": 403}),
    "end own partnership": ("DELETE", "/api/v1/partnerships/{p_own}", None, {
        "anonymous": 401, "booker_a": 403, "admin_a": 403, "staff_1": 403, "booker_b": 404,
        "manager_2": 404}),
    "change another school's partnership": ("PATCH", "/api/v1/partnerships/{p_other}", {
        "valid_to": "2026-12-31"}, {"manager_1": 404, "coordinator": 404, "booker_a": 404,
                                    "booker_b": 403}),
}


def _fill(value: object, world: World) -> object:
    names = {**vars(world), **world.users}
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


async def test_read_matrix(world: World, client: httpx.AsyncClient) -> None:
    failures = []
    for label, (path, expected) in READS.items():
        for actor, status in expected.items():
            r = await client.get(str(_fill(path, world)), headers=world.headers[actor])
            if r.status_code != status:
                failures.append(f"{label} as {actor}: {r.status_code}, expected {status}")
    assert not failures, "\n".join(failures)


async def test_write_denials(world: World, client: httpx.AsyncClient) -> None:
    failures = []
    for label, (method, path, body, expected) in DENIALS.items():
        for actor, status in expected.items():
            r = await client.request(method, str(_fill(path, world)), json=_fill(body, world),
                                     headers=world.headers[actor])
            if r.status_code != status:
                failures.append(f"{label} as {actor}: {r.status_code}, expected {status}")
    assert not failures, "\n".join(failures)


async def test_lists_show_only_the_callers_own(world: World, client: httpx.AsyncClient) -> None:
    def ids(r: httpx.Response) -> set[str]:
        assert r.status_code == 200, r.text
        return {x["id"] for x in r.json()["items"]}

    h = world.headers
    assert ids(await client.get("/api/v1/organisations", headers=h["booker_a"])) == {
        world.company_a}
    assert ids(await client.get("/api/v1/organisations", headers=h["coordinator"])) == {
        world.region, world.school_1}
    assert {world.school_2, world.company_b} <= ids(
        await client.get("/api/v1/organisations", headers=h["admin"]))
    assert ids(await client.get("/api/v1/partnerships", headers=h["booker_b"])) == {
        world.p_other}
    assert ids(await client.get("/api/v1/partnerships", headers=h["coordinator"])) == {
        world.p_own}


async def test_managers_manage_their_own(world: World, client: httpx.AsyncClient) -> None:
    h, u = world.headers, world.users
    r = await client.patch(f"/api/v1/organisations/{world.school_1}/sites/{world.site_1}",
                           headers=h["manager_1"], json={"postcode": "5611ab", "city": "Best"})
    assert r.status_code == 200 and r.json()["postcode"] == "5611 AB", r.text
    r = await client.post("/api/v1/partnerships", headers=h["coordinator"],
                          json={"school_id": world.school_1, "company_id": world.company_b})
    assert r.status_code == 201, r.text
    dup = await client.post("/api/v1/partnerships", headers=h["manager_1"],
                            json={"school_id": world.school_1, "company_id": world.company_b})
    assert dup.status_code == 422
    r = await client.patch(f"/api/v1/organisations/{world.school_1}/members/{u['staff_1']}",
                           headers=h["manager_1"], json={"role": "facility_manager"})
    assert r.status_code == 200 and r.json()["role"] == "facility_manager"
    # now there are two managers: the first may step down, and then the other may not
    r = await client.delete(f"/api/v1/organisations/{world.school_1}/members/{u['manager_1']}",
                            headers=h["manager_1"])
    assert r.status_code == 204, r.text
    r = await client.delete(f"/api/v1/organisations/{world.school_1}/members/{u['staff_1']}",
                            headers=h["staff_1"])
    assert r.status_code == 422 and r.json()["reasons"][0]["code"] == "last_manager"
    r = await client.patch(f"/api/v1/organisations/{world.company_a}", headers=h["admin_a"],
                           json={"name": "Acme Nieuw BV"})
    assert r.status_code == 200 and r.json()["name"] == "Acme Nieuw BV"
    r = await client.delete(f"/api/v1/partnerships/{world.p_own}", headers=h["manager_2"])
    assert r.status_code == 404
    r = await client.delete(f"/api/v1/partnerships/{world.p_own}", headers=h["staff_1"])
    assert r.status_code == 204  # staff_1 is facility manager now
