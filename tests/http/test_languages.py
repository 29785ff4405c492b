"""Refusals speak the caller's language: POST /bookings (422 reasons, errors, detail; the 409's
detail; a series' `occurrences[].reasons`) says what `check` says, in Dutch or English."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import make_company, make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer

SUNDAY = {"start": "2026-03-08T10:10:00+01:00", "end": "2026-03-08T12:00:00+01:00"}
MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


async def _booker() -> dict[str, str]:
    company = await make_company()
    return await bearer(await make_user(memberships=[(company, "booker")]))


@pytest.mark.parametrize(
    ("accept", "closed"),
    [("nl", "gesloten: buiten de openingstijden"), ("en-GB,en;q=0.9", "closed: outside opening "
                                                                      "hours"),
     (None, "gesloten: buiten de openingstijden")],  # no preference: Dutch, as `check`
)
async def test_policy_refusal_matches_check_in_the_callers_language(
    client: httpx.AsyncClient, accept: str | None, closed: str
) -> None:
    rid = await make_resource()
    headers = await _booker()
    if accept is not None:
        headers["Accept-Language"] = accept
    check = await client.get(f"/api/v1/resources/{rid}/check", headers=headers, params=SUNDAY)
    refused = await client.post("/api/v1/bookings", headers=headers,
                                json={"resource_ids": [rid], **SUNDAY})
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["reasons"] == check.json()["reasons"]
    messages = [r["message"] for r in body["reasons"]]
    assert closed in messages and len(messages) >= 2  # closed and not aligned
    assert [e["message"] for e in body["errors"]] == messages
    assert body["detail"] == "; ".join(messages)


async def test_conflict_detail_and_series_reasons_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    manager = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    r = await client.post(f"/api/v1/resources/{rid}/closures", headers=manager, json={
        "start": "2026-03-16T00:00:00+01:00", "end": "2026-03-17T00:00:00+01:00",
        "reason": "Studiedag"})
    assert r.status_code == 201, r.text
    headers = await _booker()
    series: dict[str, Any] = {"resource_ids": [rid], **MON,
                              "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=3",
                                             "on_conflict": "skip"}}
    r = await client.post("/api/v1/bookings", headers={**headers, "Accept-Language": "nl"},
                          json=series)
    assert r.status_code == 201, r.text
    refused = [o for o in r.json()["occurrences"] if o["outcome"] == "refused"]
    assert [x["message"] for o in refused for x in o["reasons"]] == ["gesloten — Studiedag"]
    for accept, detail in (("nl", "op dit moment al geboekt"),
                           ("en", "already booked at this time")):
        r = await client.post("/api/v1/bookings", headers={**headers, "Accept-Language": accept},
                              json={"resource_ids": [rid], **MON})
        assert r.status_code == 409 and r.json()["detail"] == detail, r.text
