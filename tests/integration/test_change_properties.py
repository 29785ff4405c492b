"""A hypothesis property on both backends: after any sequence of creates, moves and cancels,
no two active claims overlap, and availability equals opening hours minus the claims held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.db.sql import fetch
from booking.domain.errors import Conflict, RuleViolation
from booking.domain.instants import from_epoch
from booking.domain.intervals import Interval, merge, subtract
from booking.services import booking_change, bookings, catalogue
from booking.services.views import BookingPatch, BookingRequest
from tests.conftest import Backend
from tests.factories import booker, make_resource

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
OPEN = Interval(datetime(2027, 3, 8, 7, 0, tzinfo=UTC), datetime(2027, 3, 8, 17, 0, tzinfo=UTC))
HALF = timedelta(minutes=30)

slot = st.integers(min_value=0, max_value=19)  # half hours after opening
length = st.integers(min_value=1, max_value=6)
ops = st.lists(st.one_of(
    st.tuples(st.just("create"), slot, length),
    st.tuples(st.just("move"), st.integers(0, 9), slot, length),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
), min_size=1, max_size=14)


def _at(k: int, n: int) -> tuple[datetime, datetime]:
    start = OPEN.start + k * HALF
    return start, start + n * HALF


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(steps=ops)
async def test_claims_never_overlap_and_availability_follows(
    db: Backend, steps: list[tuple[object, ...]]
) -> None:
    rid = await make_resource()  # no buffers: free time is exactly open minus held
    actors = [await booker() for _ in range(2)]
    made: list[tuple[int, str]] = []  # (actor index, booking id)
    for n, step in enumerate(steps):
        who = n % 2
        actor = actors[who][0]
        try:
            if step[0] == "create":
                start, end = _at(int(step[1]), int(step[2]))  # type: ignore[call-overload]
                b = (await bookings.create_booking(
                    actor, BookingRequest([rid], start, end), NOW)).booking
                assert b is not None
                made.append((who, b.id))
            elif made and step[0] == "move":
                owner, bid = made[int(step[1]) % len(made)]  # type: ignore[call-overload]
                start, end = _at(int(step[2]), int(step[3]))  # type: ignore[call-overload]
                await booking_change.change_booking(actors[owner][0], bid,
                                                    BookingPatch(start=start, end=end), NOW)
            elif made and step[0] == "cancel":
                owner, bid = made[int(step[1]) % len(made)]  # type: ignore[call-overload]
                await bookings.cancel_booking(actors[owner][0], bid, NOW)
        except (Conflict, RuleViolation):
            pass  # refused: the property must hold all the same
    overlaps = await fetch(
        "SELECT COUNT(*) AS n FROM claims a JOIN claims b ON a.resource = b.resource "
        "AND a.id < b.id WHERE a.active AND b.active "
        "AND a.start_s < b.end_s AND b.start_s < a.end_s")
    assert overlaps[0]["n"] == 0
    rows = await fetch("SELECT start_s, end_s FROM claims WHERE active AND resource = $1", rid)
    held = merge(Interval(from_epoch(int(r["start_s"])), from_epoch(int(r["end_s"])))
                 for r in rows)
    view = await catalogue.availability(actors[0][0], rid, OPEN, NOW)
    assert [Interval(f.start, f.end) for f in view.free] == subtract([OPEN], held)
