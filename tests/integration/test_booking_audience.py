"""Who may see and cancel a booking has one home (`booking.domain.permissions`): the list
query answers exactly the bookings `can_view_booking_details` allows, for every kind of actor
(table-driven, SQLite and PostgreSQL), and the API refuses to cancel a booking that has ended,
as the pages never offer it (`is_cancellable`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.db.booking_store import get_booking
from booking.domain.errors import RuleViolation
from booking.domain.permissions import can_view_booking_details
from booking.domain.roles import ANONYMOUS, Actor
from booking.services import bookings
from booking.services.views import BookingRequest
from tests.conftest import Backend
from tests.factories import (
    actor_for,
    make_company,
    make_region,
    make_resource,
    make_school,
    make_site,
    make_user,
)

NOW = datetime(2027, 1, 4, 6, tzinfo=UTC)
MON = datetime(2027, 1, 11, 9, tzinfo=UTC)


async def _world() -> tuple[dict[str, Actor], list[str]]:
    """Two schools (one in a region), two companies; bookings of each company at each school
    and one bundle across both schools."""
    region = await make_region()
    north, south = await make_school(region_id=region), await make_school()
    res = {s: await make_resource(site_id=await make_site(school_id=s)) for s in (north, south)}
    acme, beta = await make_company(), await make_company()
    actors = {
        "anonymous": ANONYMOUS,
        "acme booker": await actor_for(await make_user(memberships=[(acme, "booker")])),
        "beta booker": await actor_for(await make_user(memberships=[(beta, "booker")])),
        "both companies": await actor_for(await make_user(
            memberships=[(acme, "booker"), (beta, "booker")])),
        "north staff": await actor_for(await make_user(memberships=[(north, "staff")])),
        "south manager": await actor_for(await make_user(
            memberships=[(south, "facility_manager")])),
        "coordinator": await actor_for(await make_user(memberships=[(region, "coordinator")])),
        "admin": await _admin(),
    }
    ids: list[str] = []
    slot = 0
    for company in (acme, beta):
        booker = await actor_for(await make_user(memberships=[(company, "booker")]))
        for resources in ([res[north]], [res[south]], [res[north], res[south]]):
            start = MON + timedelta(hours=slot)
            slot += 1
            made = await bookings.create_booking(booker, BookingRequest(
                resources, start, start + timedelta(hours=1), "Cursus"), NOW)
            assert made.booking is not None
            ids.append(made.booking.id)
    return actors, ids


async def _admin() -> Actor:
    from booking.db.sql import execute
    from tests.factories import new_id

    platform = new_id()
    await execute("INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
                  "VALUES ($1, 'platform', 'Platform', FALSE, '', $2)", platform, NOW)
    return await actor_for(await make_user(memberships=[(platform, "admin")]))


@pytest.mark.parametrize("who", [
    "anonymous", "acme booker", "beta booker", "both companies", "north staff",
    "south manager", "coordinator", "admin",
])
async def test_the_list_query_follows_the_domain_rule(db: Backend, who: str) -> None:
    actors, ids = await _world()
    actor = actors[who]
    listed = {b.id for b in (await bookings.list_bookings(actor, limit=200)).items}
    records = [await get_booking(i) for i in ids]
    allowed = {r.id for r in records if r is not None
               and can_view_booking_details(actor, r.organisation_id, r.school_ids)}
    assert listed == allowed
    expected_count = {"anonymous": 0, "acme booker": 3, "beta booker": 3, "both companies": 6,
                      "north staff": 4, "south manager": 4, "coordinator": 0, "admin": 6}
    assert len(listed) == expected_count[who]


async def test_a_booking_that_has_ended_cannot_be_cancelled(db: Backend) -> None:
    rid = await make_resource()
    booker = await actor_for(await make_user(memberships=[(await make_company(), "booker")]))
    made = await bookings.create_booking(
        booker, BookingRequest([rid], MON, MON + timedelta(hours=2), "Cursus"), NOW)
    assert made.booking is not None
    under_way = MON + timedelta(hours=1)
    with pytest.raises(RuleViolation) as refused:
        await bookings.cancel_booking(booker, made.booking.id, MON + timedelta(hours=2))
    assert [r.code for r in refused.value.reasons] == ["ended"]
    cancelled = await bookings.cancel_booking(booker, made.booking.id, under_way)
    assert cancelled.status == "cancelled"
