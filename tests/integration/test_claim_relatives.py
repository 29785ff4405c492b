"""The SQL that reads "whose claims block a resource" for one resource (`calendar_store.
one_resource_stmts`, by subquery) and for many (`calendars.load_calendar_inputs`) agrees with
the domain rule `claims.blocking`, table-driven, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.db import calendar_store
from booking.db.catalogue_store import get_resources
from booking.db.sql import fetch, fetch_batch
from booking.domain.claims import blocking
from booking.domain.intervals import Interval
from booking.services import bookings, calendars
from booking.services.views import BookingRequest
from tests.conftest import Backend
from tests.factories import booker, make_resource, make_school, make_site

NOW = datetime(2027, 1, 4, 6, tzinfo=UTC)
MON = datetime(2027, 1, 11, 9, tzinfo=UTC)  # 10:00 local
WINDOW = Interval(MON - timedelta(days=1), MON + timedelta(days=7))


async def _region() -> dict[str, str]:
    """Lab L with machines A and B, lab M with machine C, loose machine E; each booked once
    at its own time (a booking of L also claims A and B, one of M claims C)."""
    site = await make_site(school_id=await make_school())
    ids: dict[str, str] = {"L": await make_resource(site_id=site, kind="lab"),
                           "M": await make_resource(site_id=site, kind="lab")}
    ids["A"] = await make_resource(site_id=site, parent_id=ids["L"], buffer_after_minutes=15)
    ids["B"] = await make_resource(site_id=site, parent_id=ids["L"])
    ids["C"] = await make_resource(site_id=site, parent_id=ids["M"])
    ids["E"] = await make_resource(site_id=site)
    actor, _ = await booker()
    for hour, name in enumerate("LABMCE"):
        start = MON + timedelta(hours=hour)
        await bookings.create_booking(actor, BookingRequest(
            [ids[name]], start, start + timedelta(minutes=30), "Cursus"), NOW)
    return ids


@pytest.mark.parametrize(
    ("name", "blocked_by"),
    [
        ("L", "LAB"),  # a lab: its own claims and its machines'
        ("A", "AL"),  # a machine: its own (a lab booking claims it too) and its lab's
        ("B", "BL"),  # not its sibling's
        ("M", "MC"),
        ("C", "CM"),
        ("E", "E"),  # loose equipment: only its own
    ],
)
async def test_claim_sql_follows_the_domain_rule(db: Backend, name: str, blocked_by: str) -> None:
    ids = await _region()
    rec = (await get_resources([ids[name]]))[ids[name]]
    rule = blocking(rec.resource.id, rec.children, rec.resource.parent_id)
    assert rule == {ids[n] for n in blocked_by}
    days = (date(2027, 1, 9), date(2027, 1, 20))
    one = await fetch_batch(calendar_store.one_resource_stmts(ids[name], WINDOW, days))
    _, many = await calendars.load_calendar_inputs([rec], WINDOW)
    claimed = await fetch("SELECT CAST(resource AS TEXT) AS r, start_s + 0 AS s, end_s + 0 AS e "
                          "FROM claims WHERE active")
    expected = sorted((c["r"], c["s"], c["e"]) for c in claimed if c["r"] in rule)
    assert sorted(tuple(row) for row in one[3]) == expected
    assert sorted(many) == expected
