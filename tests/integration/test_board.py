"""The schedule board on SQLite and PostgreSQL: positions in local time across the autumn DST
change (2027-10-31, 03:00 CEST → 02:00 CET), pending vs confirmed, closures with their reason,
a lab booking drawn once for its equipment, claims found without scanning the future, and
nothing of another school."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from booking.db.engine import transaction
from booking.db.sql import execute, execute_many
from booking.domain.errors import NotFound
from booking.domain.instants import epoch
from booking.services.board import board
from booking.services.board_layout import BoardBlock, BoardView
from tests.conftest import Backend
from tests.factories import make_company, make_resource, make_school, make_site, manager

NOW = datetime(2027, 10, 1, 12, 0, tzinfo=UTC)
SATURDAY, SUNDAY = date(2027, 10, 30), date(2027, 10, 31)


def _id() -> str:
    return str(uuid.uuid4())


async def hold(
    company: str, resources: list[str], implied: list[str], start: datetime, end: datetime,
    *, status: str = "confirmed", title: str = "Training",
) -> str:
    """A booking of `resources` (also claiming `implied`, as a lab claims its equipment)."""
    bid, oid = _id(), _id()
    async with transaction():
        await execute(
            "INSERT INTO bookings (id, organisation, created_by, title, status, students, "
            "employees, price_amount, currency, rrule, starts_at, ends_at, version, sequence, "
            "decision_message, decided_at, cancelled_at, created_at, updated_at) VALUES ($1, $2, "
            "NULL, $3, $4, 8, 2, 100, 'EUR', NULL, $5, $6, 1, 0, '', NULL, NULL, $7, $7)",
            bid, company, title, status, start, end, NOW,
        )
        await execute(
            "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
            "VALUES ($1, $2, 0, $3, $4)",
            oid, bid, start, end,
        )
        await execute_many(
            "INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)",
            [(_id(), bid, r) for r in resources],
        )
        await execute_many(
            "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [(_id(), bid, oid, r, epoch(start), epoch(end), True) for r in resources + implied],
        )
    return bid


async def closure(
    start: datetime, end: datetime, reason: str, *, resource: str | None = None,
    site: str | None = None, kind: str = "closure",
) -> None:
    await execute(
        "INSERT INTO closures (id, resource, site, starts_at, ends_at, reason, kind, source) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        _id(), resource, site, start, end, reason, kind,
    )


def blocks_of(view: BoardView, resource_id: str) -> list[BoardBlock]:
    return next(r.blocks for g in view.groups for r in g.rows if r.resource_id == resource_id)


@pytest.fixture
async def school(db: Backend) -> AsyncIterator[dict[str, str]]:
    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, name="Hoofdlocatie")
    lab = await make_resource(site_id=site, kind="lab", name="Werkplaats")
    lathe = await make_resource(site_id=site, kind="equipment", name="Draaibank", parent_id=lab)
    robot = await make_resource(site_id=site, kind="equipment", name="Robotarm")
    acme = await make_company(name="Acme Metaal BV")
    other_school = await make_school(name="Ander College")
    other_site = await make_site(school_id=other_school)
    foreign = await make_resource(site_id=other_site, kind="lab", name="Vreemd lab")
    yield {"school": school, "site": site, "lab": lab, "lathe": lathe, "robot": robot,
           "acme": acme, "other_school": other_school, "foreign": foreign}
    # The shared `db` fixture empties tables in one DELETE each; equipment's ON DELETE RESTRICT
    # reference to its lab would refuse that on SQLite, so equipment goes first.
    await execute("DELETE FROM claims")
    await execute("DELETE FROM booking_resources")
    await execute("DELETE FROM resources WHERE parent IS NOT NULL")


async def test_week_positions_follow_the_local_clock_across_the_dst_change(
    school: dict[str, str],
) -> None:
    # 09:00–11:00 local on both days: 07:00Z in summer time, 08:00Z in winter time.
    await hold(school["acme"], [school["lab"]], [school["lathe"]],
               datetime(2027, 10, 30, 7, tzinfo=UTC), datetime(2027, 10, 30, 9, tzinfo=UTC))
    await hold(school["acme"], [school["robot"]], [],
               datetime(2027, 10, 31, 8, tzinfo=UTC), datetime(2027, 10, 31, 10, tzinfo=UTC),
               status="pending")
    await hold(school["acme"], [school["foreign"]], [],
               datetime(2027, 10, 31, 8, tzinfo=UTC), datetime(2027, 10, 31, 10, tzinfo=UTC))
    await closure(datetime(2027, 10, 31, 12, tzinfo=UTC), datetime(2027, 10, 31, 14, tzinfo=UTC),
                  "Onderhoud", resource=school["robot"], kind="maintenance")

    view = await board(await manager(school["school"]), school["school"], SUNDAY, 7, NOW)

    assert view.first_day == date(2027, 10, 25) and view.days == 7
    assert (view.first_minute, view.last_minute) == (7 * 60, 20 * 60)
    rows = [(r.name, r.depth) for g in view.groups for r in g.rows]
    assert rows == [("Werkplaats", 0), ("Draaibank", 1), ("Robotarm", 0)]
    assert "Vreemd lab" not in {r.name for g in view.groups for r in g.rows}

    day_width = 100 / 7
    at_nine = 2 * 60 / (13 * 60) * day_width  # 09:00 is two of the thirteen shown hours
    saturday, = blocks_of(view, school["lab"])
    assert (saturday.local_start, saturday.local_end) == ("09:00", "11:00")
    assert saturday.left == pytest.approx(5 * day_width + at_nine, abs=0.006)
    assert saturday.width == pytest.approx(2 / 13 * day_width, abs=0.006)
    assert saturday.label == "Acme Metaal BV" and saturday.status == "confirmed"

    # The lathe inside the lab is held by the lab's booking: drawn once across the lab's
    # equipment rows from the lab's block, not as a copy on the lathe's row.
    assert saturday.whole_lab and blocks_of(view, school["lathe"]) == []
    lab_row = next(r for g in view.groups for r in g.rows if r.resource_id == school["lab"])
    assert lab_row.children == 1

    sunday, closed = blocks_of(view, school["robot"])  # in time order
    assert (sunday.local_start, sunday.local_end, sunday.status) == ("09:00", "11:00", "pending")
    assert sunday.left == pytest.approx(6 * day_width + at_nine, abs=0.006)
    assert sunday.width == pytest.approx(saturday.width, abs=0.006)
    assert (closed.kind, closed.label, closed.local_start, closed.local_end) == (
        "closure", "Onderhoud", "13:00", "15:00")
    assert closed.left == pytest.approx(6 * day_width + 6 / 13 * day_width, abs=0.006)
    assert (view.pending, view.confirmed, view.closures) == (1, 1, 1)


async def test_day_view_of_the_25_hour_day(school: dict[str, str]) -> None:
    # 01:30 CEST (23:30Z) until 02:30 CET (01:30Z): three real hours, 01:30–02:30 on the clock.
    await hold(school["acme"], [school["robot"]], [],
               datetime(2027, 10, 30, 23, 30, tzinfo=UTC),
               datetime(2027, 10, 31, 1, 30, tzinfo=UTC))
    await hold(school["acme"], [school["lab"]], [],
               datetime(2027, 10, 31, 15, tzinfo=UTC), datetime(2027, 10, 31, 16, tzinfo=UTC))

    view = await board(await manager(school["school"]), school["school"], SUNDAY, 1, NOW)

    assert (view.first_minute, view.last_minute) == (60, 20 * 60)  # widened to 01:00
    shown = 19 * 60
    night, = blocks_of(view, school["robot"])
    assert (night.local_start, night.local_end) == ("01:30", "02:30")
    assert night.left == pytest.approx(30 / shown * 100, abs=0.006)
    assert night.width == pytest.approx(60 / shown * 100, abs=0.006)
    afternoon, = blocks_of(view, school["lab"])
    assert afternoon.local_start == "16:00"
    assert afternoon.left == pytest.approx(15 * 60 / shown * 100, abs=0.006)
    assert [t.label for t in view.ticks][:3] == ["01:00", "02:00", "03:00"]


async def test_site_closures_are_drawn_once_per_site_and_clipped_to_the_shown_hours(
    school: dict[str, str],
) -> None:
    # The whole Saturday (local midnight to midnight) closed for the site.
    await closure(datetime(2027, 10, 29, 22, tzinfo=UTC), datetime(2027, 10, 30, 22, tzinfo=UTC),
                  "Herfstvakantie", site=school["site"], kind="holiday")

    view = await board(await manager(school["school"]), school["school"], SATURDAY, 7, NOW)

    group, = view.groups
    holiday, = group.closures
    assert holiday.label == "Herfstvakantie"
    assert holiday.left == pytest.approx(5 * 100 / 7, abs=0.006)
    assert holiday.width == pytest.approx(100 / 7, abs=0.006)
    assert holiday.starts_before and holiday.ends_after  # it runs outside 07:00–20:00
    assert all(not r.blocks for r in group.rows)


async def test_only_the_schools_own_staff_see_its_board(school: dict[str, str]) -> None:
    other_manager = await manager(school["other_school"])
    with pytest.raises(NotFound):
        await board(other_manager, school["school"], SUNDAY, 7, NOW)
    with pytest.raises(NotFound):
        await board(await manager(school["school"]), str(uuid.uuid4()), SUNDAY, 7, NOW)


async def test_bookings_reaching_into_the_window_from_either_side_and_none_beyond(
    school: dict[str, str],
) -> None:
    # The week of Monday 25 October 2027 (CEST until the 31st). Active claims on one resource
    # never overlap, so the store finds those ending inside the window plus, per resource, the
    # first one ending after it; this checks both halves and what must stay out.
    def at(day: int, hour: int, month: int = 10) -> datetime:
        return datetime(2027, month, day, hour, tzinfo=UTC)

    before = await hold(school["acme"], [school["robot"]], [], at(24, 20), at(25, 1))
    after = await hold(school["acme"], [school["robot"]], [], at(31, 22), at(1, 2, 11))
    later = await hold(school["acme"], [school["robot"]], [], at(2, 8, 11), at(2, 10, 11))
    earlier = await hold(school["acme"], [school["robot"]], [], at(20, 8), at(20, 10))
    whole = await hold(school["acme"], [school["lab"]], [school["lathe"]], at(23, 6),
                       at(2, 6, 11))

    view = await board(await manager(school["school"]), school["school"], SUNDAY, 7, NOW)

    robot = {b.booking_id for b in blocks_of(view, school["robot"])}
    assert robot == {before, after}
    assert {later, earlier} & robot == set()
    lab = blocks_of(view, school["lab"])
    assert {b.booking_id for b in lab} == {whole}
    assert len(lab) == 7 and all(b.whole_lab for b in lab)  # one piece per day, held all week
    assert lab[0].starts_before and lab[-1].ends_after
    assert blocks_of(view, school["lathe"]) == []
    assert (view.first_minute, view.last_minute) == (0, 24 * 60)  # widened to the night


async def test_a_series_shows_each_occurrence_at_its_own_time(school: dict[str, str]) -> None:
    # Weekly, twice: Tuesday 26 October and Tuesday 2 November 2027, 10:00–12:00 local. The
    # booking row spans both (first start, last end); the board must use the occurrence.
    first = (datetime(2027, 10, 26, 8, tzinfo=UTC), datetime(2027, 10, 26, 10, tzinfo=UTC))
    second = (datetime(2027, 11, 2, 9, tzinfo=UTC), datetime(2027, 11, 2, 11, tzinfo=UTC))
    bid = _id()
    occurrences = [(_id(), i, *times) for i, times in enumerate((first, second))]
    async with transaction():
        await execute(
            "INSERT INTO bookings (id, organisation, created_by, title, status, students, "
            "employees, price_amount, currency, rrule, starts_at, ends_at, version, sequence, "
            "decision_message, decided_at, cancelled_at, created_at, updated_at) VALUES ($1, $2, "
            "NULL, 'Reeks', 'confirmed', 4, 0, 100, 'EUR', 'FREQ=WEEKLY;COUNT=2', $3, $4, 1, 0, "
            "'', NULL, NULL, $5, $5)",
            bid, school["acme"], first[0], second[1], NOW,
        )
        await execute_many(
            "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            [(oid, bid, i, start, end) for oid, i, start, end in occurrences],
        )
        await execute(
            "INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)",
            _id(), bid, school["robot"],
        )
        await execute_many(
            "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
            "VALUES ($1, $2, $3, $4, $5, $6, TRUE)",
            [(_id(), bid, oid, school["robot"], epoch(start), epoch(end))
             for oid, _, start, end in occurrences],
        )

    view = await board(await manager(school["school"]), school["school"], SUNDAY, 7, NOW)
    week, = blocks_of(view, school["robot"])
    assert (week.booking_id, week.local_start, week.local_end) == (bid, "10:00", "12:00")
    assert not (week.starts_before or week.ends_after)
    nxt = await board(await manager(school["school"]), school["school"], date(2027, 11, 2), 1, NOW)
    day, = blocks_of(nxt, school["robot"])
    assert (day.local_start, day.local_end) == ("10:00", "12:00")  # CET now: 09:00Z
