"""Client input at the edges — rules that expand to nothing, instants far outside any plan,
bytes that are not UTF-8, absurd nesting, values of the wrong JSON type: always a 422 with
`errors[{field, message}]` naming the field, never a 500 and never a silent coercion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


async def _booker() -> dict[str, str]:
    company = await make_company()
    return await bearer(await make_user(memberships=[(company, "booker")]))


def _field_error(r: httpx.Response, field: str) -> str:
    """The message of the 422's error on `field` (asserts the problem shape on the way)."""
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert all(set(e) == {"field", "message"} for e in errors), errors
    messages = [e["message"] for e in errors if e["field"] == field]
    assert messages, errors
    return str(messages[0])


@pytest.mark.parametrize(
    ("rrule", "says"),
    [
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number of at least 1"),
        ("FREQ=WEEKLY;COUNT=-1", "COUNT must be a whole number of at least 1"),
        ("FREQ=WEEKLY;UNTIL=20200101T000000Z", "before the first occurrence"),
        ("FREQ=WEEKLY;COUNT", "is not NAME=VALUE"),
    ],
)
async def test_rules_without_occurrences_are_422(
    client: httpx.AsyncClient, rrule: str, says: str
) -> None:
    rid = await make_resource()
    body: dict[str, Any] = {"resource_ids": [rid], **MON, "recurrence": {"rrule": rrule}}
    english = {**await _booker(), "Accept-Language": "en"}  # the messages' own wording
    r = await client.post("/api/v1/bookings", headers=english, json=body)
    message = _field_error(r, "recurrence.rrule")
    assert says in message and "unpack" not in message


FAR = ("9999-12-31T10:00:00+01:00", "0001-01-01T00:00:00+01:00", "1999-12-31T22:00:00Z",
       "2100-01-01T00:00:01Z")


@pytest.mark.parametrize("instant", FAR)
async def test_instants_outside_2000_to_2100_are_422_naming_the_field(
    client: httpx.AsyncClient, instant: str
) -> None:
    """Every accepted instant — body or query, any endpoint — is bounded in one place, before
    any arithmetic could overflow (these answered 500: OverflowError, "ordinal must be >= 1")."""
    rid = await make_resource()
    headers = await _booker()
    far_end = "2100-01-01T00:00:00Z"
    asks: list[tuple[str, str, dict[str, Any]]] = [
        ("start", "POST /api/v1/bookings",
         {"json": {"resource_ids": [rid], "start": instant, "end": MON["end"]}}),
        ("end", "POST /api/v1/bookings",
         {"json": {"resource_ids": [rid], "start": MON["start"], "end": instant}}),
        ("from", f"GET /api/v1/resources/{rid}/availability",
         {"params": {"from": instant, "to": far_end}}),
        ("to", f"GET /api/v1/resources/{rid}/availability",
         {"params": {"from": MON["start"], "to": instant}}),
        ("start", f"GET /api/v1/resources/{rid}/check",
         {"params": {"start": instant, "end": far_end}}),
        ("free_from", "GET /api/v1/resources",
         {"params": {"free_from": instant, "free_to": far_end}}),
        ("free_to", "GET /api/v1/resources",
         {"params": {"free_from": MON["start"], "free_to": instant}}),
        ("from", "GET /api/v1/bookings", {"params": {"from": instant}}),
        ("from", "GET /api/v1/reports/utilisation", {"params": {"from": instant}}),
        ("to", "GET /api/v1/reports/utilisation", {"params": {"to": instant}}),
    ]
    for field, what, kwargs in asks:
        method, path = what.split(" ")
        r = await client.request(method, path, headers=headers, **kwargs)
        assert "2000-01-01 and 2100-01-01" in _field_error(r, field), (what, r.text)


async def test_dates_in_bodies_are_bounded_too(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    headers = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    rules = [{"weekday": 1, "opens": "08:00", "closes": "17:00", "valid_to": "9999-12-31"}]
    r = await client.put(f"/api/v1/resources/{rid}/opening-hours", headers=headers, json=rules)
    assert "2000-01-01 and 2100-01-01" in _field_error(r, "[0].valid_to")
    r = await client.post(f"/api/v1/resources/{rid}/closures", headers=headers, json={
        "start": "0001-01-01T00:00:00Z", "end": MON["end"], "reason": "x"})
    assert "2000-01-01 and 2100-01-01" in _field_error(r, "start")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"title":"\xff\xfe"}', "the body is not UTF-8 text"),
        (b"[" * 100_000, "must be a JSON object"),
        (b'{"resource_ids": [' + b"[" * 100_000, "must be text"),
        (b"{" * 10 + b"x", "the body is not valid JSON"),
    ],
)
async def test_unreadable_bodies_are_422(
    client: httpx.AsyncClient, body: bytes, says: str
) -> None:
    headers = {**await _booker(), "content-type": "application/json"}
    r = await client.post("/api/v1/bookings", headers=headers, content=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["message"] == says


def test_nesting_is_422_where_any_json_is_read() -> None:
    """Even without a typed target (`decode_body` syntax only), msgspec's recursion limit
    answers 422."""
    from litestar.exceptions import ValidationException

    from api.requests import decode_body

    with pytest.raises(ValidationException) as caught:
        decode_body(b"[" * 100_000 + b"]" * 100_000)
    assert caught.value.extra[0]["message"] == "the JSON is nested too deeply"


async def test_wrong_json_types_are_refused_not_coerced(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    booker = await _booker()
    r = await client.post("/api/v1/bookings", headers=booker, json={
        "resource_ids": [rid], **MON, "participants": {"students": "2"}})
    assert _field_error(r, "participants.students") == "must be a whole number"
    manager = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    r = await client.put(f"/api/v1/resources/{rid}/opening-hours", headers=manager,
                         json=[{"weekday": "1", "opens": "08:00", "closes": "17:00"}])
    assert _field_error(r, "[0].weekday") == "must be a whole number"
    r = await client.patch(f"/api/v1/resources/{rid}", headers=manager,
                           json={"policy": {"approval_required": "true"}})
    assert _field_error(r, "policy.approval_required") == "must be true or false"
    r = await client.patch(f"/api/v1/resources/{rid}", headers=manager,
                           json={"capacity": 2.0})
    assert _field_error(r, "capacity") == "must be a whole number"
    r = await client.post("/api/v1/bookings", headers=booker, json={
        "resource_ids": [rid], **MON, "participants": {"students": 2, "teachers": 1}})
    assert _field_error(r, "participants.teachers") == "is not a known field"
    r = await client.post("/api/v1/bookings", headers=booker, json={"resource_ids": [rid]})
    assert _field_error(r, "start") == "is required"


async def test_fields_are_named_as_the_client_sends_them(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    headers = await _booker()
    r = await client.get("/api/v1/reports/utilisation", headers=headers,
                         params={"from": "garbage"})
    _field_error(r, "from")
    assert "from_" not in r.text
    r = await client.get("/api/v1/bookings", headers=headers, params={"to": "garbage"})
    _field_error(r, "to")
    r = await client.get(f"/api/v1/resources/{rid}/availability")
    assert [e["field"] for e in r.json()["errors"]] == ["from", "to"]
    r = await client.get(f"/api/v1/resources/{rid}/availability",
                         params={"from": MON["start"]})
    assert [e["field"] for e in r.json()["errors"]] == ["to"]
    r = await client.get(f"/api/v1/resources/{rid}/check", params={"end": MON["end"]})
    assert "required" in _field_error(r, "start")


async def test_nul_characters_are_422_not_a_database_error(client: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store or compare text holding NUL (schemathesis found a 500 on
    POST /api/v1/tokens); every backend refuses it the same way, in bodies and queries."""
    headers = await _booker()
    r = await client.post("/api/v1/tokens", json={"name": "laptop\u0000"}, headers=headers)
    assert "NUL" in _field_error(r, "name")
    r = await client.get("/api/v1/resources?q=cnc%00", headers=headers)
    assert "NUL" in _field_error(r, "query")
