"""Client input at the edges — rules that expand to nothing, instants far outside any plan,
bytes that are not UTF-8, absurd nesting, values of the wrong JSON type: always a 422 with
`errors[{field, message}]` naming the field, never a 500 and never a silent coercion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_company, make_resource, make_user
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
    r = await client.post("/api/v1/bookings", headers=await _booker(), json=body)
    message = _field_error(r, "recurrence.rrule")
    assert says in message and "unpack" not in message
