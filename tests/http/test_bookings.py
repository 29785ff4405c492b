"""Bookings over HTTP: 201/409/422, idempotent retries, ETag/If-Match, decisions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


async def _booker(name: str | None = None) -> tuple[dict[str, str], str]:
    company = await make_company(name=name)
    return await bearer(await make_user(memberships=[(company, "booker")])), company


def _body(rid: str, **extra: Any) -> dict[str, Any]:
    return {"resource_ids": [rid], **MON, "title": "Cursus", **extra}


async def test_create_read_and_conflict(client: httpx.AsyncClient) -> None:
    rid = await make_resource(buffer_after_minutes=30)
    headers, company = await _booker()
    r = await client.post("/api/v1/bookings", headers=headers,
                          json=_body(rid, participants={"students": 4, "employees": 2}))
    assert r.status_code == 201, r.text
    booking = r.json()
    assert booking["status"] == "confirmed" and booking["organisation_id"] == company
    assert booking["start"] == MON["start"] and booking["price"] == {"amount": "200.00",
                                                                     "currency": "EUR"}
    assert r.headers["etag"] == '"1"'
    got = await client.get(f"/api/v1/bookings/{booking['id']}", headers=headers)
    assert got.json() == booking and got.headers["etag"] == '"1"'
    same = await client.get(f"/api/v1/bookings/{booking['id']}",
                            headers={**headers, "If-None-Match": '"1"'})
    assert same.status_code == 304
    other, _ = await _booker()
    r = await client.post("/api/v1/bookings", headers=other, json=_body(
        rid, start="2026-03-09T12:00:00+01:00", end="2026-03-09T13:00:00+01:00"))
    assert r.status_code == 409, r.text
    assert r.json()["conflicts"] == [{"resource_id": rid, "start": "2026-03-09T10:00:00+01:00",
                                      "end": "2026-03-09T12:30:00+01:00"}]


async def test_policy_refusal_is_422_with_reasons(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers, _ = await _booker()
    r = await client.post("/api/v1/bookings", headers=headers, json=_body(
        rid, start="2026-03-08T10:00:00+01:00", end="2026-03-08T12:00:00+01:00"))
    assert r.status_code == 422, r.text
    assert "closed" in {x["code"] for x in r.json()["reasons"]}


async def test_idempotent_retries(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers, _ = await _booker()
    keyed = {**headers, "Idempotency-Key": "order-42"}
    first = await client.post("/api/v1/bookings", headers=keyed, json=_body(rid))
    assert first.status_code == 201
    # same body, keys in another order: the first answer again, nothing new
    again = await client.post("/api/v1/bookings", headers={**keyed, "content-type":
                              "application/json"}, content=(
        '{"title": "Cursus", "end": "2026-03-09T11:00:00Z", "start": "2026-03-09T09:00:00Z",'
        f' "resource_ids": ["{rid}"]}}'))
    assert again.status_code == 201 and again.json() == first.json()
    listed = (await client.get("/api/v1/bookings", headers=headers)).json()["items"]
    assert len(listed) == 1
    other_body = await client.post("/api/v1/bookings", headers=keyed,
                                   json=_body(rid, title="Anders"))
    assert other_body.status_code == 422
    # another organisation's identical key is unrelated (and meets the booked slot)
    other, _ = await _booker()
    r = await client.post("/api/v1/bookings", headers={**other, "Idempotency-Key": "order-42"},
                          json=_body(rid))
    assert r.status_code == 409


async def test_a_refused_first_attempt_replays_its_refusal(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    first_booker, _ = await _booker()
    assert (await client.post("/api/v1/bookings", headers=first_booker,
                              json=_body(rid))).status_code == 201
    headers, _ = await _booker()
    keyed = {**headers, "Idempotency-Key": "k1"}
    refused = await client.post("/api/v1/bookings", headers=keyed, json=_body(rid))
    assert refused.status_code == 409
    bookings = (await client.get("/api/v1/bookings", headers=first_booker)).json()["items"]
    await client.post(f"/api/v1/bookings/{bookings[0]['id']}/cancel", headers=first_booker)
    replay = await client.post("/api/v1/bookings", headers=keyed, json=_body(rid))
    assert (replay.status_code, replay.json()) == (409, refused.json())
    assert replay.headers["content-type"].startswith("application/problem+json")


async def test_if_match_and_cancel(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers, _ = await _booker()
    booking = (await client.post("/api/v1/bookings", headers=headers, json=_body(rid))).json()
    url = f"/api/v1/bookings/{booking['id']}/cancel"
    stale = await client.post(url, headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    r = await client.post(url, headers={**headers, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.headers["etag"] == '"2"'
    again = await client.post(url, headers=headers)
    assert again.status_code in (409, 422)


async def test_pending_approval_by_the_schools_manager(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school), approval_required=True)
    headers, _ = await _booker()
    manager = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    booking = (await client.post("/api/v1/bookings", headers=headers, json=_body(rid))).json()
    assert booking["status"] == "pending"
    url = f"/api/v1/bookings/{booking['id']}"
    assert (await client.post(url + "/approve", headers=headers)).status_code == 403
    seen = (await client.get("/api/v1/bookings", headers=manager)).json()["items"]
    assert [b["id"] for b in seen] == [booking["id"]]
    r = await client.post(url + "/approve", headers=manager, json={"message": "Welkom"})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"


async def test_list_filters_and_paging(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers, _ = await _booker()
    for day in (9, 10, 11):
        start, end = f"2026-03-{day:02d}T10:00:00+01:00", f"2026-03-{day:02d}T11:00:00+01:00"
        r = await client.post("/api/v1/bookings", headers=headers,
                              json=_body(rid, start=start, end=end))
        assert r.status_code == 201
    page = (await client.get("/api/v1/bookings", headers=headers, params={"limit": 2})).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = (await client.get("/api/v1/bookings", headers=headers,
                             params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    window = (await client.get("/api/v1/bookings", headers=headers, params={
        "from": "2026-03-10T00:00:00+01:00", "to": "2026-03-11T00:00:00+01:00"})).json()
    assert [b["start"] for b in window["items"]] == ["2026-03-10T10:00:00+01:00"]
