"""The authorization matrix of the audit trail and the personal-data export, on the world of
test_authorization: another organisation's trail is 404 (staff of the school: 403), lists and
exports never carry what the caller may not see."""

from __future__ import annotations

import httpx

from tests.http.test_authorization import World, _row, world

__all__ = ["world"]


async def _company_a(world: World, client: httpx.AsyncClient) -> str:
    r = await client.get(f"/api/v1/bookings/{world.booking}", headers=world.headers["booker_a"])
    return str(r.json()["organisation_id"])


async def test_audit_and_export_matrix(world: World, client: httpx.AsyncClient) -> None:
    company_a = await _company_a(world, client)
    reads = {
        "audit, all mine": ("/api/v1/audit", _row(
            anonymous=401, booker_a=200, booker_b=200, manager_1=200, manager_2=200,
            staff_1=200, coordinator=200, admin=200)),
        "audit of school 1": (f"/api/v1/audit?organisation={world.school_1}", _row(
            anonymous=401, booker_a=404, booker_b=404, manager_1=200, manager_2=404,
            staff_1=403, coordinator=404, admin=200)),
        "audit of company A": (f"/api/v1/audit?organisation={company_a}", _row(
            anonymous=401, booker_a=200, booker_b=404, manager_1=404, manager_2=404,
            staff_1=404, coordinator=404, admin=200)),
        "export": ("/api/v1/me/export", _row(
            anonymous=401, booker_a=200, booker_b=200, manager_1=200, manager_2=200,
            staff_1=200, coordinator=200, admin=200)),
    }
    failures = []
    for label, (path, expected) in reads.items():
        for actor, status in expected.items():
            r = await client.get(path, headers=world.headers[actor])
            if r.status_code != status:
                failures.append(f"{label} as {actor}: {r.status_code}, expected {status}")
            if r.status_code != 200 or actor in ("booker_b", "manager_2", "coordinator"):
                assert world.booking not in r.text and "Vertrouwelijk" not in r.text, label
    assert not failures, "\n".join(failures)


async def test_the_booking_entry_reaches_exactly_its_company_school_and_the_admin(
    world: World, client: httpx.AsyncClient
) -> None:
    seen = {}
    for actor in ("booker_a", "booker_b", "manager_1", "manager_2", "staff_1", "admin"):
        r = await client.get("/api/v1/audit", headers=world.headers[actor])
        seen[actor] = [(e["action"], e["object_id"]) for e in r.json()["items"]
                       if e["object_type"] == "booking"]
    created = [("booking.created", world.booking)]
    assert seen == {"booker_a": created, "booker_b": [], "manager_1": created,
                    "manager_2": [], "staff_1": [], "admin": created}


async def test_exports_hold_only_the_callers_own_bookings(
    world: World, client: httpx.AsyncClient
) -> None:
    mine = (await client.get("/api/v1/me/export", headers=world.headers["booker_a"])).json()
    theirs = (await client.get("/api/v1/me/export", headers=world.headers["booker_b"])).json()
    assert [b["id"] for b in mine["bookings"]] == [world.booking]
    assert theirs["bookings"] == []


async def test_deleting_oneself_needs_a_sign_in(world: World, client: httpx.AsyncClient) -> None:
    assert (await client.delete("/api/v1/me")).status_code == 401
    assert (await client.patch("/api/v1/me", json={"name": "X"})).status_code == 401
