"""Against a real server (`labshare serve --workers 2`) on each backend: many concurrent
requests for one slot give exactly one 201, the rest 409, and no 5xx."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.factories import make_company, make_resource, make_user
from tests.http.conftest import bearer

pytestmark = pytest.mark.slow
REQUESTS = 40


async def test_one_slot_many_requests(server: str) -> None:
    rid = await make_resource(hours=("00:00", "24:00"), weekdays=range(1, 8))
    tokens = []
    for _ in range(8):
        company = await make_company()
        tokens.append(await bearer(await make_user(memberships=[(company, "booker")])))
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(days=3)
    start = local.replace(hour=10, minute=0, second=0, microsecond=0)
    body = {"resource_ids": [rid], "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(), "title": "race"}

    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        answers = await asyncio.gather(*(
            client.post("/api/v1/bookings", json=body, headers=tokens[i % len(tokens)])
            for i in range(REQUESTS)
        ))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 409: REQUESTS - 1}, [
        (a.status_code, a.text) for a in answers if a.status_code not in (201, 409)]
    conflict = next(a for a in answers if a.status_code == 409).json()
    assert conflict["conflicts"][0]["resource_id"] == rid
