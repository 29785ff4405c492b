"""The catalogue over HTTP: listing, detail, availability in local offsets, checks, management."""

from __future__ import annotations

import httpx

from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer


async def _manager(school_id: str) -> dict[str, str]:
    return await bearer(await make_user(memberships=[(school_id, "facility_manager")]))


async def test_availability_shows_local_offsets_across_dst(client: httpx.AsyncClient) -> None:
    rid = await make_resource(weekdays=(1, 2, 3, 4, 5, 6, 7))
    r = await client.get(f"/api/v1/resources/{rid}/availability",
                         params={"from": "2026-03-28T00:00:00+01:00",
                                 "to": "2026-03-30T00:00:00+02:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == "Europe/Amsterdam"
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        ("2026-03-28T08:00:00+01:00", "2026-03-28T18:00:00+01:00"),
        ("2026-03-29T08:00:00+02:00", "2026-03-29T18:00:00+02:00"),
    ]


async def test_busy_never_says_who(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    company = await make_company(name="Geheim BV")
    headers = await bearer(await make_user(memberships=[(company, "booker")]))
    r = await client.post("/api/v1/bookings", headers=headers, json={
        "resource_ids": [rid], "start": "2026-03-09T10:00:00+01:00",
        "end": "2026-03-09T12:00:00+01:00", "title": "Geheim project"})
    assert r.status_code == 201, r.text
    r = await client.get(f"/api/v1/resources/{rid}/availability",
                         params={"from": "2026-03-09T00:00:00+01:00",
                                 "to": "2026-03-10T00:00:00+01:00"})
    assert r.json()["busy"] == [{"start": "2026-03-09T10:00:00+01:00",
                                 "end": "2026-03-09T12:00:00+01:00", "kind": "booking"}]
    assert "Geheim" not in r.text


async def test_check_lists_reasons(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    company = await make_company()
    headers = {**await bearer(await make_user(memberships=[(company, "booker")])),
               "Accept-Language": "en"}
    ok = await client.get(f"/api/v1/resources/{rid}/check", headers=headers, params={
        "start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"})
    assert ok.json() == {"bookable": True, "reasons": []}
    bad = await client.get(f"/api/v1/resources/{rid}/check", headers=headers, params={
        "start": "2026-03-08T10:10:00+01:00", "end": "2026-03-08T12:00:00+01:00"})
    body = bad.json()
    assert body["bookable"] is False
    assert {"closed", "not_aligned"} <= {r["code"] for r in body["reasons"]}
    assert all(r["message"] for r in body["reasons"])


async def test_search_free_window_and_paging(client: httpx.AsyncClient) -> None:
    site = await make_site()
    ids = [await make_resource(site_id=site, name=f"Machine {i}") for i in range(3)]
    await make_resource(site_id=site, name="Machine 9", hours=None)  # never open
    r = await client.get("/api/v1/resources", params={
        "free_from": "2026-03-09T08:00:00+01:00", "free_to": "2026-03-09T18:00:00+01:00",
        "min_free_minutes": 120, "limit": 2})
    assert r.status_code == 200, r.text
    first = r.json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    r = await client.get("/api/v1/resources", params={
        "free_from": "2026-03-09T08:00:00+01:00", "free_to": "2026-03-09T18:00:00+01:00",
        "min_free_minutes": 120, "limit": 2, "cursor": first["next_cursor"]})
    rest = r.json()
    found = [i["id"] for i in first["items"] + rest["items"]]
    assert sorted(found) == sorted(ids) and rest["next_cursor"] is None
    assert first["total"] == rest["total"] == 3  # every match, not the page size
    window = first["items"][0]["first_free"]
    assert window == {"start": "2026-03-09T08:00:00+01:00", "end": "2026-03-09T18:00:00+01:00"}


async def test_text_search_and_suggestion(client: httpx.AsyncClient) -> None:
    site = await make_site()
    weld = await make_resource(site_id=site, name="Lasrobot", tags=["lassen"])
    await make_resource(site_id=site, name="Draaibank", tags=["cnc"])
    r = await client.get("/api/v1/resources", params={"q": "lassen"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["id"] for i in body["items"]] == [weld] and body["total"] == 1
    assert body["items"][0]["first_free"] is None and body["suggestion"] is None
    body = (await client.get("/api/v1/resources", params={"q": "lasssen"})).json()
    assert body["items"] == [] and body["total"] == 0 and body["suggestion"] == "lassen"


async def test_manager_creates_and_patches_own_school_only(client: httpx.AsyncClient) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    other_school = await make_school()
    mine, theirs = await _manager(school), await _manager(other_school)
    body = {"school_id": school, "site_id": site, "kind": "lab", "name": "Lasstraat",
            "tags": ["lassen"], "policy": {"slot_minutes": 60, "approval_required": True},
            "rates": [{"customer_class": "standard",
                       "hourly": {"amount": "85.00", "currency": "EUR"}}]}
    assert (await client.post("/api/v1/resources", json=body, headers=theirs)).status_code == 403
    assert (await client.post("/api/v1/resources", json=body)).status_code == 401
    r = await client.post("/api/v1/resources", json=body, headers=mine)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["policy"]["slot_minutes"] == 60 and created["policy"]["approval_required"]
    assert created["rates"][0]["hourly"] == {"amount": "85.00", "currency": "EUR"}
    rid = created["id"]
    r = await client.patch(f"/api/v1/resources/{rid}", headers=mine,
                           json={"name": "Lasstraat 2", "policy": {"buffer_after_minutes": 15}})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Lasstraat 2"
    assert r.json()["policy"]["buffer_after_minutes"] == 15
    assert r.json()["policy"]["slot_minutes"] == 60
    r = await client.patch(f"/api/v1/resources/{rid}", headers=theirs, json={"name": "x"})
    assert r.status_code in (403, 404)
    r = await client.patch(f"/api/v1/resources/{rid}", headers=mine, json={"school_id": school})
    assert r.status_code == 422


async def test_opening_hours_and_closures(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    headers = await _manager(school)
    rules = [{"weekday": 1, "opens": "09:00", "closes": "17:00"},
             {"weekday": 2, "opens": "09:00", "closes": "24:00", "valid_from": "2026-03-01"}]
    r = await client.put(f"/api/v1/resources/{rid}/opening-hours", headers=headers, json=rules)
    assert r.status_code == 200, r.text
    got = (await client.get(f"/api/v1/resources/{rid}/opening-hours")).json()
    assert [(x["weekday"], x["opens"], x["closes"]) for x in got] == [
        (1, "09:00", "17:00"), (2, "09:00", "24:00")]
    bad = [{"weekday": 1, "opens": "17:00", "closes": "09:00"}]
    r = await client.put(f"/api/v1/resources/{rid}/opening-hours", headers=headers, json=bad)
    assert r.status_code == 422
    r = await client.post(f"/api/v1/resources/{rid}/closures", headers=headers, json={
        "start": "2026-03-09T00:00:00+01:00", "end": "2026-03-10T00:00:00+01:00",
        "reason": "Onderhoud"})
    assert r.status_code == 201, r.text
    closure = r.json()
    assert closure["start"] == "2026-03-09T00:00:00+01:00"
    avail = (await client.get(f"/api/v1/resources/{rid}/availability", params={
        "from": "2026-03-09T00:00:00+01:00", "to": "2026-03-10T00:00:00+01:00"})).json()
    assert avail["free"] == []
    assert avail["busy"][0]["reason"] == "Onderhoud"
    r = await client.delete(f"/api/v1/closures/{closure['id']}", headers=headers)
    assert r.status_code == 204
    r = await client.delete(f"/api/v1/closures/{closure['id']}", headers=headers)
    assert r.status_code == 404


async def test_schools_with_sites(client: httpx.AsyncClient) -> None:
    school = await make_school(name="ROC Demo")
    await make_site(school_id=school, name="Campus Noord")
    schools = (await client.get("/api/v1/schools")).json()["items"]
    assert [s["name"] for s in schools] == ["ROC Demo"]
    one = (await client.get(f"/api/v1/schools/{school}")).json()
    assert [s["name"] for s in one["sites"]] == ["Campus Noord"]


def _resource_body(school: str, site: str, **extra: object) -> dict[str, object]:
    return {"school_id": school, "site_id": site, "kind": "equipment", "name": "Draaibank",
            **extra}


def _rates(amount: str, currency: str = "EUR") -> dict[str, object]:
    return {"rates": [{"customer_class": "standard",
                       "hourly": {"amount": amount, "currency": currency}}]}


async def test_rates_are_non_negative_euros(client: httpx.AsyncClient) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    headers = await _manager(school)
    rid = await make_resource(site_id=site)
    for amount, currency, field in (("-10.00", "EUR", "rates[0].hourly.amount"),
                                    ("-0.01", "EUR", "rates[0].hourly.amount"),
                                    ("10.00", "USD", "rates[0].hourly.currency"),
                                    ("10.00", "eur", "rates[0].hourly.currency")):
        for r in (
            await client.post("/api/v1/resources", headers=headers,
                              json=_resource_body(school, site, **_rates(amount, currency))),
            await client.patch(f"/api/v1/resources/{rid}", headers=headers,
                               json=_rates(amount, currency)),
        ):
            assert r.status_code == 422, (amount, currency, r.text)
            assert [e["field"] for e in r.json()["errors"]] == [field]
    r = await client.patch(f"/api/v1/resources/{rid}", headers=headers, json={"rates": [
        {"customer_class": "standard", "hourly": {"amount": "1.00", "currency": "EUR",
                                                  "vat": "21%"}}]})
    assert [e["field"] for e in r.json()["errors"]] == ["rates[0].hourly.vat"], r.text
    r = await client.patch(f"/api/v1/resources/{rid}", headers=headers, json=_rates("0.00"))
    assert r.status_code == 200 and r.json()["rates"][0]["hourly"]["amount"] == "0.00"


async def test_slot_sizes_divide_the_day_and_durations_are_whole_slots(
    client: httpx.AsyncClient,
) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    headers = await _manager(school)
    rid = await make_resource(site_id=site)  # slot 30, 30–600 minutes

    async def patch(policy: dict[str, int]) -> httpx.Response:
        return await client.patch(f"/api/v1/resources/{rid}", headers=headers,
                                  json={"policy": policy})

    for slot in (0, 7, 25, 50, 1440):
        r = await patch({"slot_minutes": slot})
        assert [e["field"] for e in r.json()["errors"]] == ["policy.slot_minutes"], r.text
    r = await client.post("/api/v1/resources", headers=headers, json=_resource_body(
        school, site, policy={"slot_minutes": 7}))
    assert [e["field"] for e in r.json()["errors"]] == ["policy.slot_minutes"], r.text
    r = await client.post("/api/v1/resources", headers=headers, json=_resource_body(
        school, site, policy={"slot_minutes": 30, "min_duration_minutes": 45}))
    assert [e["field"] for e in r.json()["errors"]] == ["policy.min_duration_minutes"], r.text
    # a new slot is held against the durations already stored (30 is not a whole 60)
    r = await patch({"slot_minutes": 60})
    assert [e["field"] for e in r.json()["errors"]] == ["policy.min_duration_minutes"], r.text
    r = await patch({"max_duration_minutes": 100})
    assert [e["field"] for e in r.json()["errors"]] == ["policy.max_duration_minutes"], r.text
    r = await patch({"slot_minutes": 60, "min_duration_minutes": 60})
    assert r.status_code == 200, r.text
    assert r.json()["policy"]["slot_minutes"] == 60
    r = await patch({"slot_minutes": 90, "min_duration_minutes": 90, "max_duration_minutes": 540})
    assert r.status_code == 200, r.text


async def test_the_platform_admin_may_change_any_schools_resource(
    client: httpx.AsyncClient,
) -> None:
    """Documented (docs/http-api.md): the platform admin manages every school's catalogue."""
    from tests.http.test_authorization import _platform

    rid = await make_resource()
    admin = await bearer(await make_user(memberships=[(await _platform(), "admin")]))
    r = await client.patch(f"/api/v1/resources/{rid}", headers=admin, json={"name": "Nieuw"})
    assert r.status_code == 200 and r.json()["name"] == "Nieuw", r.text
