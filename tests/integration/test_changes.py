"""Changing bookings on both backends: moves (table-driven), series occurrences, price, quota,
status and SEQUENCE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import icalendar
import pytest

from booking.db.sql import fetch
from booking.domain.errors import Conflict, NotAllowed, RuleViolation, StaleVersion
from booking.domain.intervals import Interval
from booking.services import booking_change, bookings
from booking.services.feeds import create_feed
from booking.services.views import BookingPatch, BookingRequest, Participants, Recurrence
from tests.conftest import Backend
from tests.factories import (
    actor_for,
    booker,
    make_company,
    make_resource,
    make_site,
    make_user,
    manager,
)
from tests.integration.test_feeds import SITE, feed_body

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
MON = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # next Monday 10:00 local
H = timedelta(hours=1)


def req(rids: list[str], start: datetime = MON, hours: float = 2, **kw: object) -> BookingRequest:
    return BookingRequest(rids, start, start + timedelta(hours=hours), title="Les", **kw)  # type: ignore[arg-type]


async def claims_of(booking_id: str) -> list[tuple[int, int]]:
    rows = await fetch("SELECT start_s, end_s FROM claims WHERE active AND booking = $1 "
                       "ORDER BY start_s", booking_id)
    return [(int(r["start_s"]), int(r["end_s"])) for r in rows]


async def book(actor: object, r: BookingRequest) -> str:
    b = (await bookings.create_booking(actor, r, NOW)).booking  # type: ignore[arg-type]
    assert b is not None
    return b.id


# Each case: what is booked first, where the booking moves, and what the move answers.
# "own" = the moved booking itself; "other" = another company's booking.
MOVES = [
    # into its own buffer: the booking's own claims (with a 1 h buffer after) never block it
    ("own_buffer", dict(buffer_after_minutes=60), None, MON + H, "ok"),
    # onto time another booking holds: 409 naming that claim
    ("claimed_slot", {}, MON + 3 * H, MON + 3 * H, "conflict"),
    # next to another booking, touching it (half-open): fine
    ("adjacent", {}, MON + 3 * H, MON + H, "ok"),
    # across the spring DST change (Sunday 28 March 2027): 09:00–11:00 local on Monday 29th
    ("spring_dst", {}, None, datetime(2027, 3, 29, 7, 0, tzinfo=UTC), "ok"),
    # across the autumn change (Sunday 31 October 2027): Monday 1 November 10:00 local
    ("autumn_dst", {}, None, datetime(2027, 11, 1, 9, 0, tzinfo=UTC), "ok"),
    # outside opening hours (closes 18:00 local): 422, like create
    ("closed", {}, None, MON + 8 * H, "refused"),
]


@pytest.mark.parametrize(("name", "policy", "other_at", "to", "expect"), MOVES,
                         ids=[m[0] for m in MOVES])
async def test_move(db: Backend, name: str, policy: dict[str, int], other_at: datetime | None,
                    to: datetime, expect: str) -> None:
    rid = await make_resource(**policy)  # type: ignore[arg-type]
    actor, _ = await booker()
    bid = await book(actor, req([rid]))
    if other_at is not None:
        other, _ = await booker()
        await book(other, req([rid], other_at))
    patch = BookingPatch(start=to, end=to + 2 * H)
    if expect == "ok":
        moved = await booking_change.change_booking(actor, bid, patch, NOW, if_match=1)
        assert (moved.start, moved.end) == (to, to + 2 * H)
        assert moved.version == 2 and moved.sequence == 1
        assert moved == await bookings.get_booking(actor, bid)  # as stored
        buffer = policy.get("buffer_after_minutes", 0) * 60
        assert await claims_of(bid) == [(int(to.timestamp()),
                                         int((to + 2 * H).timestamp()) + buffer)]
        return
    before = await claims_of(bid)
    with pytest.raises(Conflict if expect == "conflict" else RuleViolation) as info:
        await booking_change.change_booking(actor, bid, patch, NOW, if_match=1)
    if expect == "conflict":
        assert isinstance(info.value, Conflict)
        assert [(c.start, c.end) for c in info.value.conflicts] == [(MON + 3 * H, MON + 5 * H)]
    assert await claims_of(bid) == before  # nothing changed
    assert (await bookings.get_booking(actor, bid)).version == 1


async def test_lab_over_its_own_machine_and_over_anothers(db: Backend) -> None:
    site = await make_site()
    lab = await make_resource(site_id=site, kind="lab")
    machine = await make_resource(site_id=site, parent_id=lab)
    actor, _ = await booker()
    bid = await book(actor, req([machine]))
    # the machine's own booking becomes a booking of the whole lab at the same time
    moved = await booking_change.change_booking(
        actor, bid, BookingPatch(resource_ids=[lab]), NOW, if_match=1)
    assert moved.resource_ids == [lab] and len(await claims_of(bid)) == 2
    assert moved == await bookings.get_booking(actor, bid)
    # another company's machine booking blocks moving the lab over it
    other, _ = await booker()
    await book(other, req([machine], MON + 4 * H))
    with pytest.raises(Conflict) as info:
        await booking_change.change_booking(
            actor, bid, BookingPatch(start=MON + 4 * H, end=MON + 6 * H), NOW, if_match=2)
    assert {c.resource_id for c in info.value.conflicts} == {machine}


async def test_move_onto_approval_resource_is_pending_and_priced_again(db: Backend) -> None:
    site = await make_site()
    cheap = await make_resource(site_id=site, rates=(("standard", "50.00"),))
    strict = await make_resource(site_id=site, approval_required=True,
                                 rates=(("standard", "90.00"),))
    actor, _ = await booker()
    bid = await book(actor, req([cheap]))
    moved = await booking_change.change_booking(
        actor, bid, BookingPatch(resource_ids=[strict], end=MON + 3 * H), NOW, if_match=1)
    assert moved.status == "pending" and moved.price_amount == Decimal("270.00")
    assert moved.resource_ids == [strict]
    # the old time on the first resource is free again
    other, _ = await booker()
    assert await book(other, req([cheap]))


async def test_title_and_participants_change_keeps_status(db: Backend) -> None:
    rid = await make_resource(approval_required=True, capacity=10)
    actor, _ = await booker()
    bid = await book(actor, req([rid]))
    changed = await booking_change.change_booking(
        actor, bid, BookingPatch(title="Nieuw", participants=Participants(4, 1)), NOW,
        if_match=1)
    assert changed.title == "Nieuw" and changed.participants == Participants(4, 1)
    with pytest.raises(RuleViolation) as info:
        await booking_change.change_booking(
            actor, bid, BookingPatch(participants=Participants(11, 0)), NOW, if_match=2)
    assert info.value.field_name == "participants"


async def test_stale_and_foreign_changes_are_refused(db: Backend) -> None:
    rid = await make_resource()
    actor, _ = await booker()
    bid = await book(actor, req([rid]))
    with pytest.raises(StaleVersion):
        await booking_change.change_booking(actor, bid, BookingPatch(title="x"), NOW, if_match=7)
    school = (await fetch("SELECT CAST(school AS TEXT) AS s FROM resources WHERE id = $1",
                          rid))[0]["s"]
    with pytest.raises(NotAllowed):
        await booking_change.change_booking(await manager(school), bid, BookingPatch(title="x"),
                                            NOW, if_match=1)


async def test_quota_counts_without_the_booking_itself(db: Backend) -> None:
    rid = await make_resource(quota_hours_per_week=3)
    actor, _ = await booker()
    bid = await book(actor, req([rid], hours=3))
    # a 3 h booking under a 3 h quota may move within its week (it does not count itself)
    moved = await booking_change.change_booking(
        actor, bid, BookingPatch(start=MON + 24 * H, end=MON + 27 * H), NOW, if_match=1)
    assert moved.start == MON + 24 * H
    with pytest.raises(RuleViolation) as info:
        await booking_change.change_booking(
            actor, bid, BookingPatch(end=MON + 28 * H), NOW, if_match=2)
    assert [r.code for r in info.value.reasons] == ["quota"]


async def test_series_occurrences_cancel_and_move(db: Backend) -> None:
    rid = await make_resource(rates=(("standard", "10.00"),))
    actor, _ = await booker()
    bid = await book(actor, req([rid], recurrence=Recurrence("FREQ=WEEKLY;COUNT=4")))
    view = await bookings.get_booking(actor, bid)
    assert [(o.position, o.status) for o in view.occurrences] == [
        (0, "active"), (1, "active"), (2, "active"), (3, "active")]
    assert view.price_amount == Decimal("80.00")
    after = await booking_change.cancel_occurrence(actor, bid, 1, NOW, if_match=1)
    assert [o.status for o in after.occurrences] == ["active", "cancelled", "active", "active"]
    assert after.price_amount == Decimal("60.00") and after.sequence == 1
    # the freed week can be booked by someone else
    other, _ = await booker()
    await book(other, req([rid], MON + timedelta(days=7)))
    # one occurrence moves to Tuesday and keeps its position
    tue = MON + timedelta(days=15)
    moved = await booking_change.move_occurrence(
        actor, bid, 2, Interval(tue, tue + 2 * H), NOW, if_match=2)
    assert [(o.position, o.start) for o in moved.occurrences][2] == (2, tue)
    assert moved == await bookings.get_booking(actor, bid)
    with pytest.raises(RuleViolation):
        await booking_change.cancel_occurrence(actor, bid, 1, NOW, if_match=3)
    # reports count only active, confirmed occurrences
    rows = await fetch("SELECT COUNT(*) AS n FROM report_uses WHERE booking = $1", bid)
    assert int(rows[0]["n"]) == 3
    for position in (0, 2):
        await booking_change.cancel_occurrence(actor, bid, position, NOW)
    last = await booking_change.cancel_occurrence(actor, bid, 3, NOW)
    assert last.status == "cancelled" and await claims_of(bid) == []


async def test_moving_a_series_reexpands_the_rule(db: Backend) -> None:
    rid = await make_resource()
    actor, _ = await booker()
    bid = await book(actor, req([rid], recurrence=Recurrence("FREQ=WEEKLY;COUNT=3")))
    await booking_change.cancel_occurrence(actor, bid, 1, NOW)
    moved = await booking_change.change_booking(
        actor, bid, BookingPatch(start=MON + 2 * H, end=MON + 4 * H), NOW)
    assert [(o.position, o.status, o.start) for o in moved.occurrences] == [
        (0, "active", MON + 2 * H), (1, "cancelled", MON + timedelta(days=7)),
        (2, "active", MON + timedelta(days=14, hours=2))]


async def test_feeds_follow_moves_and_cancelled_weeks(db: Backend) -> None:
    rid = await make_resource()
    company = await make_company()
    actor = await actor_for(await make_user(memberships=[(company, "booker")]))
    bid = await book(actor, req([rid], recurrence=Recurrence("FREQ=WEEKLY;COUNT=2")))
    made = await create_feed(actor, "me", base_url=SITE, now=NOW)

    async def events() -> list[tuple[str, datetime, int]]:
        cal = icalendar.Calendar.from_ical(await feed_body(made.url, NOW))
        return sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), int(e["SEQUENCE"]))
                      for e in cal.walk("VEVENT"))

    assert [e[2] for e in await events()] == [0, 0]
    tue = MON + timedelta(days=8)
    await booking_change.move_occurrence(actor, bid, 1, Interval(tue, tue + 2 * H), NOW)
    assert await events() == [(f"{bid}-0@labshare", MON, 1), (f"{bid}-1@labshare", tue, 1)]
    await booking_change.cancel_occurrence(actor, bid, 0, NOW)
    assert await events() == [(f"{bid}-1@labshare", tue, 2)]
