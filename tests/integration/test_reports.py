"""Reports on SQLite and PostgreSQL: the hand-worked example of the unit tests, in the database.

Region R holds school S1 (lab A with equipment E inside, machine B) and S2 (machine C); school
S3 lies in another region. Every resource is open Mon–Fri 08–18; S2's site is closed Wednesday
24 March 2027 12–20. Window: Monday 22 March 08:00 to Monday 5 April 2027 (two weeks, the
first containing the spring DST change), so each resource is open 50 h a week, C 6 h less.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from booking.db import reports_store as store
from booking.db.engine import transaction
from booking.db.reports_store import Filter
from booking.db.sql import execute, execute_many, fetch, fetch_one
from booking.domain.errors import NotAllowed, NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.reports import OccurrenceUse, Use, periods, uses_of
from booking.domain.roles import ANONYMOUS, Actor
from booking.services import reports
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
from tests.unit.test_reports import EXAMPLE, WINDOW, local

H = 3600


async def book(
    company: str, resources: list[str], times: list[tuple[datetime, datetime]], *,
    status: str = "confirmed", students: int = 0, employees: int = 0,
    created_at: datetime | None = None, decided_at: datetime | None = None,
    title: str = "Training",
) -> str:
    """A booking row with its resources and occurrences (reports read nothing else)."""
    bid = str(uuid.uuid4())
    created = created_at or local(2027, 3, 21, 8)
    async with transaction():
        await execute(
            "INSERT INTO bookings (id, organisation, created_by, title, status, students, "
            "employees, price_amount, currency, rrule, starts_at, ends_at, version, sequence, "
            "decision_message, decided_at, cancelled_at, created_at, updated_at) VALUES ($1, $2, "
            "NULL, $3, $4, $5, $6, 0, 'EUR', NULL, $7, $8, 1, 0, '', $9, NULL, $10, $10)",
            bid, company, title, status, students, employees, times[0][0], times[-1][1],
            decided_at, created,
        )
        await execute_many(
            "INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)",
            [(str(uuid.uuid4()), bid, r) for r in resources],
        )
        await execute_many(
            "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            [(str(uuid.uuid4()), bid, i, s, e) for i, (s, e) in enumerate(times)],
        )
    return bid


@dataclass
class World:
    region: str
    s1: str
    s2: str
    s3: str
    ids: dict[str, str]  # letter → resource id; X, Y → company ids
    coordinator: Actor
    manager1: Actor
    booker_x: Actor
    booker_y: Actor
    admin: Actor


async def _actor(*memberships: tuple[str, str]) -> Actor:
    return await actor_for(await make_user(memberships=list(memberships)))


async def _platform() -> str:
    pid = str(uuid.uuid4())
    await execute(
        "INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
        "VALUES ($1, 'platform', 'labshare', FALSE, '', $2)", pid, local(2027, 1, 1),
    )
    return pid


@pytest.fixture
async def world(db: Backend) -> World:
    return await build_world()


async def build_world() -> World:
    """The example of the module docstring in the current (empty) database."""
    region, other = await make_region(name="Regio Zuid"), await make_region(name="Regio Noord")
    s1 = await make_school(name="ROC Een", region_id=region)
    s2 = await make_school(name="HBO Twee", level="HBO", region_id=region)
    s3 = await make_school(name="ROC Drie", region_id=other)
    site1, site2 = await make_site(school_id=s1), await make_site(school_id=s2)
    a = await make_resource(site_id=site1, kind="lab", name="Lab A")
    ids = {
        "A": a,
        "E": await make_resource(site_id=site1, name="Equipment E", parent_id=a),
        "B": await make_resource(site_id=site1, name="Machine B"),
        "C": await make_resource(site_id=site2, name="Machine C"),
        "D": await make_resource(school_id=s3, name="Machine D"),
        "X": await make_company(name="X Metaal BV", is_sme=True),
        "Y": await make_company(name="Y Robotics NV"),
    }
    await execute(
        "INSERT INTO closures (id, resource, site, starts_at, ends_at, reason, kind, source) "
        "VALUES ($1, NULL, $2, $3, $4, 'Studiedag', 'closure', NULL)",
        str(uuid.uuid4()), site2, local(2027, 3, 24, 12), local(2027, 3, 24, 20),
    )
    by_booking: dict[str, list[OccurrenceUse]] = {}
    for occ in EXAMPLE:
        by_booking.setdefault(occ.booking_id, []).append(occ)
    for occs in by_booking.values():
        first = occs[0]
        times = sorted({(o.interval.start, o.interval.end) for o in occs})
        await book(ids[first.company_id], sorted({ids[o.resource_id] for o in occs}), times,
                   students=first.students, employees=first.employees,
                   created_at=local(2027, 3, 21, 8))
    # noise that must not count as booked time
    x, y = ids["X"], ids["Y"]
    await book(x, [ids["A"]], [(local(2027, 3, 25, 10), local(2027, 3, 25, 12))],
               status="cancelled", students=50)
    await book(y, [ids["B"]], [(local(2027, 3, 26, 10), local(2027, 3, 26, 12))],
               status="pending")
    await book(y, [ids["B"]], [(local(2027, 3, 26, 12), local(2027, 3, 26, 14))],
               status="declined", decided_at=local(2027, 3, 21, 10))
    await book(x, [ids["C"]], [(local(2027, 3, 29, 10), local(2027, 3, 29, 12))],
               status="expired")
    await book(y, [ids["D"]], [(local(2027, 3, 23, 8), local(2027, 3, 23, 18))], students=99)
    return World(
        region, s1, s2, s3, ids,
        coordinator=await _actor((region, "coordinator")),
        manager1=await _actor((s1, "facility_manager")),
        booker_x=await _actor((x, "booker")),
        booker_y=await _actor((y, "booker")),
        admin=await _actor((await _platform(), "admin")),
    )


def _rows(report: reports.UsageReport) -> list[tuple[object, ...]]:
    return [
        (r.label, r.measures.open_seconds / H, r.measures.booked_seconds / H, r.measures.bookings,
         r.measures.companies, r.measures.students, r.measures.employees)
        for r in report.rows
    ] + [("total", *(getattr(report.totals, f) for f in (
        "open_hours", "booked_hours", "bookings", "companies", "students", "employees")))]


async def test_utilisation_per_resource_of_the_region(world: World) -> None:
    report = await reports.utilisation(world.coordinator, WINDOW, group_by="resource")
    assert _rows(report) == [
        ("Machine C (HBO Twee)", 94, 3, 1, 1, 10, 2),  # closed 6 h on Wednesday
        ("Equipment E (ROC Een)", 100, 0, 0, 0, 0, 0),  # the lab booking counts for the lab
        ("Lab A (ROC Een)", 100, 7, 2, 2, 14, 2),
        ("Machine B (ROC Een)", 100, 1, 1, 1, 0, 0),  # clipped to the window: 1 of 2 hours
        ("total", 394, 11, 4, 2, 24, 4),  # sums of the rows (b1 in C and A), companies distinct
    ]
    assert report.rows[2].measures.utilisation == 0.07


async def test_utilisation_per_school_and_week(world: World) -> None:
    by_school = await reports.utilisation(world.coordinator, WINDOW, group_by="school",
                                          region_id=world.region)
    assert _rows(by_school) == [
        ("HBO Twee", 94, 3, 1, 1, 10, 2),
        ("ROC Een", 300, 8, 3, 2, 14, 2),  # b1 spans both schools: counted in each
        ("total", 394, 11, 4, 2, 24, 4),  # ... so twice in the totals (sums of the rows)
    ]
    by_week = await reports.utilisation(world.coordinator, WINDOW, group_by="week")
    assert _rows(by_week) == [
        ("2027-03-22", 194, 9, 3, 2, 14, 2),
        ("2027-03-29", 200, 2, 1, 1, 4, 0),
        ("total", 394, 11, 4, 2, 18, 2),  # b2 meets both weeks: in each row and both totals
    ]
    by_month = await reports.utilisation(world.coordinator, WINDOW, group_by="month")
    assert [r.key for r in by_month.rows] == ["2027-03", "2027-04"]
    assert by_month.totals.booked_seconds == 11 * H


async def test_who_sees_what(world: World) -> None:
    mine = await reports.utilisation(world.manager1, WINDOW)
    assert [r.label for r in mine.rows] == ["Equipment E", "Lab A", "Machine B"]
    for actor, kw in [
        (world.manager1, {"school_id": world.s2}),
        (world.manager1, {"region_id": world.region}),
        (world.coordinator, {"school_id": world.s3}),
        (await _actor(), {}),  # signed in, no role
        (ANONYMOUS, {}),
    ]:
        with pytest.raises(NotAllowed):
            await reports.utilisation(actor, WINDOW, **kw)
    with pytest.raises(NotFound):
        await reports.utilisation(world.admin, WINDOW, school_id=str(uuid.uuid4()))
    with pytest.raises(NotFound):  # a school id is not a region id
        await reports.utilisation(world.admin, WINDOW, region_id=world.s1)
    with pytest.raises(RuleViolation):
        await reports.utilisation(world.admin, WINDOW, school_id=world.s3, region_id=world.region)
    everything = await reports.utilisation(world.admin, WINDOW, group_by="school")
    assert [r.label for r in everything.rows] == ["HBO Twee", "ROC Drie", "ROC Een"]


async def test_a_company_sees_only_its_own_use(world: World) -> None:
    x = await reports.utilisation(world.booker_x, WINDOW)
    assert _rows(x) == [
        ("Machine C (HBO Twee)", 94, 3, 1, 1, 10, 2),
        ("Lab A (ROC Een)", 100, 3, 1, 1, 10, 2),
        ("Machine B (ROC Een)", 100, 1, 1, 1, 0, 0),
        ("total", 294, 7, 3, 1, 20, 4),
    ]
    y = await reports.utilisation(world.booker_y, WINDOW, school_id=world.s1)
    assert _rows(y) == [("Lab A", 100, 4, 1, 1, 4, 0), ("total", 100, 4, 1, 1, 4, 0)]
    companies = await reports.companies(world.booker_y, WINDOW)
    assert [c.name for c in companies.rows] == ["Y Robotics NV"]


async def test_companies_by_company_and_type(world: World) -> None:
    report = await reports.companies(world.coordinator, WINDOW)
    assert [(c.name, c.is_sme, c.booked_seconds / H, c.bookings, c.students)
            for c in report.rows] == [("X Metaal BV", True, 7, 2, 10), ("Y Robotics NV", False,
                                                                          4, 1, 4)]
    assert [(r.key, r.measures.companies, r.measures.booked_seconds / H)
            for r in report.by_type.rows] == [("sme", 1, 7), ("other", 1, 4)]


async def test_participants_count_each_booking_once_at_its_first_start(world: World) -> None:
    table = await reports.participants(world.coordinator, WINDOW, unit="month")
    # b3 started at 07:00, before the window; b2's second session is in the same series
    assert [(r.key, r.measures.bookings, r.measures.students, r.measures.employees)
            for r in table.rows] == [("2027-03", 2, 14, 2), ("2027-04", 0, 0, 0)]


async def test_request_flow(world: World) -> None:
    march = Interval(local(2027, 3, 1), local(2027, 4, 1))
    result = await reports.request_flow(world.coordinator, march)
    # 7 requests in the region: 3 confirmed, cancelled, pending, declined, expired
    assert result.requested == 7
    assert result.cancellation_rate == pytest.approx(1 / 7)
    assert result.expiry_rate == 0.5 and result.decline_rate == 1.0
    # lead hours 25 + 54 + 23 + 98 + 122 + 124 + 193 (the expiry's start is after the DST change)
    assert result.mean_lead_hours == pytest.approx(639 / 7)
    assert result.mean_decision_hours == 2


async def test_heatmap(world: World) -> None:
    heat = await reports.heatmap(world.manager1, world.ids["A"], WINDOW)
    assert heat.booked[0][9:12] == [H, H, H]  # Monday 09-12
    assert heat.booked[1][14:16] == [2 * H, 2 * H]  # two Tuesdays 14-16
    assert sum(map(sum, heat.booked)) == 7 * H
    assert heat.open[0][8] == 2 * H and heat.open[5] == [0] * 24
    own = await reports.heatmap(world.booker_x, world.ids["A"], WINDOW)
    assert sum(map(sum, own.booked)) == 3 * H  # only X's own booking
    with pytest.raises(NotFound):
        await reports.heatmap(world.manager1, str(uuid.uuid4()), WINDOW)
    with pytest.raises(NotAllowed):
        await reports.heatmap(world.manager1, world.ids["C"], WINDOW)


async def test_open_data_is_anonymous_counts(world: World) -> None:
    rows = await reports.open_data(WINDOW, region_id=world.region)
    assert [(r.school_name, r.resources, r.measures.booked_seconds / H, r.measures.companies,
             r.sme_companies, r.measures.students) for r in rows] == [
        ("HBO Twee", 1, 3, 1, 1, 10),
        ("ROC Een", 3, 8, 2, 1, 14),
    ]
    with pytest.raises(NotFound):
        await reports.open_data(WINDOW, region_id=str(uuid.uuid4()))


async def test_booking_lines_follow_visibility(world: World) -> None:
    own = await reports.booking_lines(world.booker_y, WINDOW)
    assert {(x.line.resource_name, x.line.status) for x in own} == {
        ("Lab A", "confirmed"), ("Machine B", "pending"), ("Machine B", "declined"),
        ("Machine D", "confirmed")}
    assert all(x.detailed for x in own)
    region = await reports.booking_lines(world.coordinator, WINDOW)
    assert len(region) == 9 and not any(x.detailed for x in region)


async def test_window_is_checked(world: World) -> None:
    with pytest.raises(RuleViolation):
        await reports.utilisation(world.admin, Interval(WINDOW.end, WINDOW.start))
    with pytest.raises(RuleViolation):
        await reports.utilisation(world.admin, Interval(local(2025, 1, 1), local(2027, 1, 1)))
    with pytest.raises(RuleViolation):
        await reports.utilisation(world.admin, WINDOW, group_by="day")


async def _report_rows_equal_the_join() -> None:
    """`report_uses` (kept by triggers) holds exactly the confirmed occurrence × resource rows,
    and `solo` marks exactly the bookings with one row."""
    rows = await fetch(
        "SELECT CAST(o.id AS TEXT) AS o, CAST(br.id AS TEXT) AS br, CAST(b.id AS TEXT) AS b, "
        "CAST(br.resource AS TEXT) AS r, CAST(r.school AS TEXT) AS s, "
        "CAST(b.organisation AS TEXT) AS c, b.students AS st, b.employees AS em "
        "FROM bookings b JOIN occurrences o ON o.booking = b.id "
        "JOIN booking_resources br ON br.booking = b.id JOIN resources r ON r.id = br.resource "
        "WHERE b.status = 'confirmed'")
    kept = await fetch(
        "SELECT CAST(occurrence AS TEXT) AS o, CAST(booking_resource AS TEXT) AS br, "
        "CAST(booking AS TEXT) AS b, CAST(resource AS TEXT) AS r, CAST(school AS TEXT) AS s, "
        "CAST(organisation AS TEXT) AS c, students AS st, employees AS em, solo "
        "FROM report_uses")
    assert sorted(tuple(r.values()) for r in rows) == sorted(
        tuple(r[k] for k in ("o", "br", "b", "r", "s", "c", "st", "em")) for r in kept)
    per_booking = Counter(r["b"] for r in kept)
    assert all(bool(r["solo"]) == (per_booking[r["b"]] == 1) for r in kept)


async def test_sql_aggregation_matches_the_pure_reference(db: Backend) -> None:
    """Random bookings in two schools (bundles, series, sessions across midnight and the
    window's edges), then changed through every write path the triggers watch: the store's
    uses == `uses_of`, for every grouping."""
    rng = random.Random(6)
    schools = [await make_school(), await make_school()]
    sites = [await make_site(school_id=s) for s in schools]
    resources = [await make_resource(site_id=rng.choice(sites)) for _ in range(5)]
    school_of = {r: s for s, site in zip(schools, sites, strict=True)
                 for r in resources if await _site_of(r) == site}
    firms = [await make_company() for _ in range(3)]
    booked: dict[str, tuple[str, list[str], list[tuple[datetime, datetime]], int, int]] = {}
    status: dict[str, str] = {}
    for _ in range(60):
        firm = rng.choice(firms)
        chosen = rng.sample(resources, rng.choice([1, 1, 1, 2]))
        times = []
        first = local(2027, 3, 20, 0) + rng.randint(0, 17 * 24 * 4) * (H // 4) * _SECOND
        for i in range(rng.choice([1, 1, 1, 2, 4])):  # weekly series
            start = first + i * 7 * 24 * H * _SECOND
            times.append((start, start + rng.randint(1, 40) * (H // 4) * _SECOND))
        status_now = rng.choice(["confirmed", "confirmed", "confirmed", "cancelled", "pending"])
        students, employees = rng.randint(0, 20), rng.randint(0, 3)
        bid = await book(firm, chosen, times, status=status_now, students=students,
                         employees=employees)
        booked[bid] = (firm, chosen, times, students, employees)
        status[bid] = status_now
    for chosen, times in [  # across Sunday midnight, the window's start, and its end
        (resources[:1], [(local(2027, 3, 28, 22), local(2027, 3, 29, 2))]),
        (resources[:2], [(local(2027, 3, 28, 22), local(2027, 3, 29, 2))]),
        (resources[1:2], [(local(2027, 3, 22, 6), local(2027, 3, 22, 10))]),
        (resources[2:3], [(local(2027, 3, 21, 23), local(2027, 3, 29, 1)),
                          (local(2027, 4, 4, 23), local(2027, 4, 5, 1))]),
    ]:
        bid = await book(firms[0], chosen, times, students=3, employees=1)
        booked[bid], status[bid] = (firms[0], chosen, times, 3, 1), "confirmed"
    ids = list(booked)
    # change bookings through the watched write paths
    for bid in rng.sample(ids, 6):  # confirm, cancel
        status[bid] = "cancelled" if status[bid] == "confirmed" else "confirmed"
        await execute("UPDATE bookings SET status = $1 WHERE id = $2", status[bid], bid)
    for bid in rng.sample(ids, 4):  # participants change
        firm, chosen, times, _, _ = booked[bid]
        booked[bid] = (firm, chosen, times, 7, 1)
        await execute("UPDATE bookings SET students = 7, employees = 1 WHERE id = $1", bid)
    for bid in [b for b in ids if len(booked[b][2]) > 1][:3]:  # a session dropped
        firm, chosen, times, st, em = booked[bid]
        booked[bid] = (firm, chosen, times[:-1], st, em)
        await execute("DELETE FROM occurrences WHERE booking = $1 AND position = $2", bid,
                      len(times) - 1)
    for bid in rng.sample(ids, 3):  # a resource added to the bundle
        firm, chosen, times, st, em = booked[bid]
        extra = next((r for r in resources if r not in chosen), None)
        if extra is not None:
            booked[bid] = (firm, [*chosen, extra], times, st, em)
            async with transaction():
                await execute("INSERT INTO booking_resources (id, booking, resource) "
                              "VALUES ($1, $2, $3)", str(uuid.uuid4()), bid, extra)
    for bid in rng.sample(ids, 2):  # deleted
        del booked[bid]
        await execute("DELETE FROM bookings WHERE id = $1", bid)
    await _report_rows_equal_the_join()

    occurrences = [OccurrenceUse(bid, firm, r, Interval(s.astimezone(UTC), e.astimezone(UTC)),
                                 st, em)  # UTC: real seconds across the DST change
                   for bid, (firm, chosen, times, st, em) in booked.items()
                   if status[bid] == "confirmed" for r in chosen for s, e in times]
    flt = Filter(school_ids=frozenset(schools))
    for group, key_of in [("resource", {r: r for r in resources}), ("school", school_of),
                          ("all", {r: "0" for r in resources})]:
        got = await store.booked_uses(flt, WINDOW, group)  # type: ignore[arg-type]
        assert _same(got, uses_of(occurrences, {"": WINDOW}, key_of)), group
    by_company = [replace(o, resource_id=o.company_id) for o in occurrences]
    got = await store.booked_uses(flt, WINDOW, "company")
    assert _same(got, uses_of(by_company, {"": WINDOW}, {f: f for f in firms}))
    for unit in ("week", "month"):
        cut = [p.interval for p in periods(WINDOW, "Europe/Amsterdam", unit)]  # type: ignore[arg-type]
        got = await store.booked_uses(flt, WINDOW, "all", cut)
        assert _same(got, uses_of(occurrences, {str(i): w for i, w in enumerate(cut)})), unit
    one = Filter(school_ids=frozenset(schools[:1]), company_ids=frozenset(firms[:2]))
    mine = [o for o in occurrences if school_of[o.resource_id] == schools[0]
            and o.company_id in firms[:2]]
    got = await store.booked_uses(one, WINDOW, "resource")
    assert _same(got, uses_of(mine, {"": WINDOW}, {r: r for r in resources}))
    # participants: each confirmed booking once, in the period of its first start
    for unit in ("week", "month"):
        cut = [p.interval for p in periods(WINDOW, "Europe/Amsterdam", unit)]  # type: ignore[arg-type]
        want: dict[tuple[str, str], list[int]] = {}
        for bid, (firm, _chosen, times, st, em) in booked.items():
            first = min(s for s, _ in times)
            if status[bid] != "confirmed" or not WINDOW.start <= first < WINDOW.end:
                continue
            k = next(str(i) for i, w in enumerate(cut) if w.start <= first < w.end)
            row = want.setdefault((k, firm), [0, 0, 0])
            row[0], row[1], row[2] = row[0] + 1, row[1] + st, row[2] + em
        starts = await store.first_starts(flt, WINDOW, cut)
        assert sorted((u.key, u.company_id, u.bookings, u.students, u.employees)
                      for u in starts) == sorted((k, f, *v) for (k, f), v in want.items()), unit


def _same(got: list[Use], want: list[Use]) -> bool:
    return sorted(got, key=repr) == sorted(want, key=repr)


async def _site_of(resource: str) -> str:
    row = await fetch_one("SELECT site FROM resources WHERE id = $1", resource)
    assert row is not None
    return str(row["site"])


_SECOND = local(2027, 1, 1, 0, 0, 1) - local(2027, 1, 1)
