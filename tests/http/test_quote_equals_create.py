"""Quote = create: `POST /api/v1/bookings/quote` refuses what `POST /api/v1/bookings` refuses,
with the same status, reason codes, fields and conflicts, over a table of requests; and what
it accepts, create books at the quoted price. On SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_company, make_resource, make_user
from tests.http.conftest import bearer

DAY = "2026-03-09"  # a Monday; the clock is Monday 2 March 2026 08:00 local


def at(day: str, hhmm: str) -> str:
    """Local time in March (+01:00); a full timestamp is taken as written."""
    return hhmm if "T" in hhmm else f"{day}T{hhmm}:00+01:00"


def body(rid: str, start: str = "10:00", end: str = "12:00", day: str = DAY,
         **extra: Any) -> dict[str, Any]:
    return {"resource_ids": [rid], "start": at(day, start), "end": at(day, end),
            "title": "Cursus", **extra}


def weekly(count: int, mode: str) -> dict[str, Any]:
    return {"recurrence": {"rrule": f"FREQ=WEEKLY;COUNT={count}", "on_conflict": mode}}


CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, int]] = {
    # name: (resource options, request changes (None: the plain 10:00–12:00), create status)
    "bookable": ({}, None, 201),
    "end off the slot step": ({"slot_minutes": 30}, {"end": "11:10"}, 422),
    "start off the slot step": ({"slot_minutes": 60}, {"start": "10:30"}, 422),
    "outside opening hours": ({}, {"start": "17:00", "end": "19:00"}, 422),
    "closed on Sunday": ({}, {"day": "2026-03-08"}, 422),
    "inside the notice": ({"min_notice_minutes": 48 * 60}, {"day": "2026-03-03"}, 422),
    "beyond the horizon": ({"max_advance_days": 3}, None, 422),
    "too short": ({"min_duration_minutes": 180}, None, 422),
    "too long": ({"max_duration_minutes": 60}, None, 422),
    "several reasons at once": ({"max_duration_minutes": 60}, {"end": "11:10"}, 422),
    "not bookable by companies": ({"bookable_by": "internal"}, None, 422),
    "induction missing": ({"induction_required": True}, None, 422),
    "over the weekly quota": ({"quota_hours_per_week": 1}, None, 422),
    "more people than seats": ({"capacity": 3}, {"participants": {"students": 2,
                                                                 "employees": 2}}, 422),
    "end before start": ({}, {"start": "12:00", "end": "10:00"}, 422),
    "time without offset": ({}, {"start": "2026-03-09T10:00:00"}, 422),
    "held by another company": ({"held": True}, None, 409),
    "held inside the buffer": ({"held": True, "buffer_after_minutes": 30},
                               {"start": "12:00", "end": "13:00"}, 409),
    "series, fail mode, one week held": ({"held": True}, weekly(3, "fail"), 409),
    "series, fail mode, one week too far": ({"max_advance_days": 10}, weekly(3, "fail"), 422),
    "series, skip mode, one week held": ({"held": True}, weekly(3, "skip"), 201),
    "series, skip mode, every week held": ({"held": True}, weekly(1, "skip"), 409),
    "unknown conflict mode": ({}, weekly(2, "maybe"), 422),
}


def outcome(response: httpx.Response) -> tuple[int, list[str], list[str], list[Any]]:
    """Status (a quote's 200 counted as create's 201), reason codes, fields, conflicts."""
    data = response.json()
    status = 201 if response.status_code == 200 else response.status_code
    if response.status_code in (200, 201):
        return status, [], [], []
    return (
        status,
        sorted(r["code"] for r in data.get("reasons", [])),
        sorted(e["field"] for e in data.get("errors", [])),
        data.get("conflicts", []),
    )


@pytest.mark.parametrize("name", list(CASES))
async def test_quote_refuses_what_create_refuses(client: httpx.AsyncClient, name: str) -> None:
    options, changes, expected = CASES[name]
    options = dict(options)
    held = options.pop("held", False)
    rid = await make_resource(**options)
    company = await make_company()
    headers = await bearer(await make_user(memberships=[(company, "booker")]))
    request = body(rid, **(changes or {}))
    if held:  # another company holds 10:00–12:00 of the series' second week (or the day)
        series = request.get("recurrence", {}).get("rrule", "")
        day = "2026-03-16" if series and not series.endswith("COUNT=1") else DAY
        other = await bearer(await make_user(memberships=[(await make_company(), "booker")]))
        first = await client.post("/api/v1/bookings", headers=other, json=body(rid, day=day))
        assert first.status_code == 201, first.text
    quoted = await client.post("/api/v1/bookings/quote", headers=headers, json=request)
    created = await client.post("/api/v1/bookings", headers=headers, json=request)
    assert created.status_code == expected, created.text
    assert outcome(quoted) == outcome(created), (quoted.text, created.text)
    if expected == 201:
        quote, booking = quoted.json(), created.json()
        assert quote["price"] == booking["price"]
        booked = [o["bookable"] for o in quote["occurrences"]]
        made = [o["outcome"] == "created" for o in booking.get("occurrences") or
                [{"outcome": "created"}]]
        assert booked == made


async def test_quote_lines_vat_and_total(client: httpx.AsyncClient) -> None:
    lab = await make_resource(kind="lab", rates=(("standard", "100.00"), ("sme", "80.00")))
    robot = await make_resource(rates=(("standard", "33.33"),))
    company = await make_company(is_sme=True)
    headers = await bearer(await make_user(memberships=[(company, "booker")]))
    request = {**body(lab, "10:00", "11:30"), "resource_ids": [lab, robot]}
    quote = (await client.post("/api/v1/bookings/quote", headers=headers, json=request)).json()
    assert quote["lines"] == [
        {"resource_id": lab, "hours": 1.5, "customer_class": "sme",
         "hourly": {"amount": "80.00", "currency": "EUR"},
         "amount": {"amount": "120.00", "currency": "EUR"}},
        {"resource_id": robot, "hours": 1.5, "customer_class": "sme",  # no SME rate: standard
         "hourly": {"amount": "33.33", "currency": "EUR"},
         "amount": {"amount": "50.00", "currency": "EUR"}},  # 49.995 rounds half up
    ]
    assert quote["price"] == {"amount": "170.00", "currency": "EUR"}  # the lines, excl. VAT
    assert quote["vat"] == {"amount": "35.70", "currency": "EUR"}  # 21 %
    assert quote["total"] == {"amount": "205.70", "currency": "EUR"}
