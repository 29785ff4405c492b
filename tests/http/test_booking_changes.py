"""Changing bookings over HTTP: PATCH with If-Match (428/412/409/422), occurrence actions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import make_company, make_resource, make_user
from tests.http.conftest import bearer

MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


async def _booker() -> dict[str, str]:
    company = await make_company()
    return await bearer(await make_user(memberships=[(company, "booker")]))


async def _book(client: httpx.AsyncClient, headers: dict[str, str], rid: str,
                **extra: Any) -> dict[str, Any]:
    r = await client.post("/api/v1/bookings", headers=headers,
                          json={"resource_ids": [rid], **MON, "title": "Cursus", **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_patch_needs_if_match_and_moves(client: httpx.AsyncClient) -> None:
    rid = await make_resource(buffer_after_minutes=30)
    headers = await _booker()
    b = await _book(client, headers, rid)
    url = f"/api/v1/bookings/{b['id']}"
    later = {"start": "2026-03-09T11:00:00+01:00", "end": "2026-03-09T14:00:00+01:00"}
    r = await client.patch(url, headers=headers, json=later)
    assert r.status_code == 428, r.text
    r = await client.patch(url, headers={**headers, "If-Match": '"9"'}, json=later)
    assert r.status_code == 412, r.text
    r = await client.patch(url, headers={**headers, "If-Match": '"1"'}, json=later)
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    moved = r.json()
    assert (moved["start"], moved["end"]) == (later["start"], later["end"])
    assert moved["price"] == {"amount": "300.00", "currency": "EUR"}
    r = await client.patch(url, headers={**headers, "If-Match": '"2"'},
                           json={"start": "2026-03-08T10:00:00+01:00",
                                 "end": "2026-03-08T12:00:00+01:00"})
    assert r.status_code == 422 and "closed" in {x["code"] for x in r.json()["reasons"]}
    r = await client.patch(url, headers={**headers, "If-Match": '"2"'},
                           json={"start": "2026-03-09T11:00:00"})
    assert r.status_code == 422  # naive time


async def test_patch_onto_a_claimed_slot_is_409_and_foreign_is_404(
    client: httpx.AsyncClient,
) -> None:
    rid = await make_resource()
    mine, other = await _booker(), await _booker()
    b = await _book(client, mine, rid)
    await _book(client, other, rid, start="2026-03-09T13:00:00+01:00",
                end="2026-03-09T15:00:00+01:00")
    url = f"/api/v1/bookings/{b['id']}"
    r = await client.patch(url, headers={**mine, "If-Match": '"1"'},
                           json={"end": "2026-03-09T14:00:00+01:00"})
    assert r.status_code == 409, r.text
    assert r.json()["conflicts"] == [{"resource_id": rid, "start": "2026-03-09T13:00:00+01:00",
                                      "end": "2026-03-09T15:00:00+01:00"}]
    r = await client.patch(url, headers={**other, "If-Match": '"1"'}, json={"title": "x"})
    assert r.status_code == 404


async def test_occurrences_cancel_and_move(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers = await _booker()
    b = await _book(client, headers, rid, recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"})
    url = f"/api/v1/bookings/{b['id']}"
    got = (await client.get(url, headers=headers)).json()
    assert [(o["position"], o["status"]) for o in got["occurrences"]] == [
        (0, "active"), (1, "active"), (2, "active")]
    r = await client.post(f"{url}/occurrences/1/cancel", headers={**headers, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert [o["status"] for o in r.json()["occurrences"]] == ["active", "cancelled", "active"]
    r = await client.post(f"{url}/occurrences/7/cancel", headers=headers)
    assert r.status_code == 404
    move = {"start": "2026-03-24T10:00:00+01:00", "end": "2026-03-24T12:00:00+01:00"}
    r = await client.patch(f"{url}/occurrences/2", headers=headers, json=move)
    assert r.status_code == 428
    r = await client.patch(f"{url}/occurrences/2", headers={**headers, "If-Match": '"2"'},
                           json=move)
    assert r.status_code == 200, r.text
    third = r.json()["occurrences"][2]
    assert (third["position"], third["start"]) == (2, move["start"])
