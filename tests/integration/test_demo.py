"""`create_demo` on SQLite and PostgreSQL: a believable region that keeps the invariants."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import arrow
import pytest
from argon2 import PasswordHasher

from booking.db import engine as db_engine
from booking.db.bulk_store import Dataset, replace_all
from booking.db.sql import fetch
from booking.demo import ACCOUNTS, PASSWORD, DemoSummary, create_demo
from booking.domain.intervals import Interval
from booking.domain.roles import ANONYMOUS
from booking.services.catalogue import availability
from tests.conftest import Backend
from tests.integration.test_reports import _report_rows_equal_the_join

NOW = datetime(2026, 11, 27, 23, 8, tzinfo=UTC)  # Friday night, Kerstvakantie within 40 days
TZ = "Europe/Amsterdam"
HOUR = 3600
ACTIVE = ("pending", "confirmed")


@pytest.fixture(scope="module")
async def demo(backend: Backend) -> AsyncIterator[DemoSummary]:
    db_engine.use_engine(backend.engine)
    yield await create_demo(now=NOW)


async def _count(table: str, where: str = "") -> int:
    rows = await fetch(f"SELECT COUNT(*) AS n FROM {table} {where}")
    return int(rows[0]["n"])


async def test_region_has_schools_sites_and_resources(demo: DemoSummary) -> None:
    schools = await fetch("SELECT id, name, brin, level, region FROM organisations "
                          "WHERE kind = 'school'")
    assert len(schools) >= 3
    assert "ROC Demo" in {s["name"] for s in schools}
    assert {s["level"] for s in schools} == {"MBO", "HBO"}
    assert all(re.fullmatch(r"\d\d[A-Z]{2}", s["brin"]) for s in schools)
    region = await fetch("SELECT id FROM organisations WHERE kind = 'region'")
    assert {s["region"] for s in schools} == {region[0]["id"]}
    sites = await fetch("SELECT school, postcode, timezone, latitude FROM sites")
    per_school = defaultdict(int)
    for site in sites:
        per_school[site["school"]] += 1
        assert re.fullmatch(r"\d{4} [A-Z]{2}", site["postcode"])
        assert site["timezone"] == TZ and site["latitude"] is not None
    assert len(per_school) == len(schools) and min(per_school.values()) >= 2
    assert await _count("resources") >= 40 and demo.resources >= 40
    assert await _count("resources", "WHERE kind = 'equipment' AND parent IS NOT NULL") >= 20
    assert await _count("resource_tags") >= demo.resources
    assert await _count("opening_rules") >= 5 * demo.resources
    assert await _count("closures", "WHERE reason LIKE 'Kerstvakantie%'") > 0
    assert await _count("resources", "WHERE max_advance_days < 183") == 0
    companies = await fetch("SELECT name, kvk FROM organisations WHERE kind = 'company'")
    assert {"Acme Metaal BV", "Beta Robotics BV"} <= {c["name"] for c in companies}
    assert all(re.fullmatch(r"\d{8}", c["kvk"]) for c in companies)


async def test_five_accounts_with_their_roles(demo: DemoSummary) -> None:
    rows = await fetch(
        "SELECT u.email, u.password_hash, m.role, o.name, o.kind FROM users u "
        'JOIN memberships m ON m."user" = u.id JOIN organisations o ON o.id = m.organisation'
    )
    roles = {(r["email"], r["role"], r["kind"]) for r in rows}
    assert {
        ("admin@labshare.test", "admin", "platform"),
        ("facility@roc-demo.test", "facility_manager", "school"),
        ("planner@acme.test", "booker", "company"),
        ("planner@beta.test", "booker", "company"),
        ("coordinator@regio.test", "coordinator", "region"),
    } <= roles
    names = {r["email"]: r["name"] for r in rows}
    assert names["facility@roc-demo.test"] == "ROC Demo"
    assert names["planner@acme.test"] == "Acme Metaal BV"
    assert set(demo.accounts) == set(ACCOUNTS)
    hashes = {r["password_hash"] for r in rows}
    assert len(hashes) == 1  # hashed once
    assert PasswordHasher().verify(hashes.pop(), PASSWORD)


async def test_demo_companies_may_enter_every_induction_lab(demo: DemoSummary) -> None:
    """planner@acme.test and planner@beta.test can book any lab that needs a safety induction
    (without it every such booking is refused with induction_required)."""
    missing = await fetch(
        """SELECT o.name AS company, r.name AS lab FROM resources AS r, organisations AS o
           WHERE r.induction_required AND r.bookable_by != 'internal'
             AND o.name IN ('Acme Metaal BV', 'Beta Robotics BV')
             AND NOT EXISTS (SELECT 1 FROM inductions AS i
                             WHERE i.organisation = o.id AND i.resource = r.id)""")
    assert [dict(m) for m in missing] == []


async def test_bookings_in_every_state(demo: DemoSummary) -> None:
    rows = await fetch("SELECT status, COUNT(*) AS n FROM bookings GROUP BY status")
    counts = {r["status"]: int(r["n"]) for r in rows}
    assert sum(counts.values()) >= 200
    assert set(counts) == {"pending", "confirmed", "declined", "cancelled", "expired"}
    assert counts["confirmed"] > sum(counts.values()) / 2
    stale = await fetch("SELECT COUNT(*) AS n FROM bookings WHERE status = 'pending' "
                        "AND starts_at < $1", NOW)
    assert int(stale[0]["n"]) == 0  # a request whose start passed has expired
    assert await _count("occurrences") > demo.bookings  # some weekly series
    assert await _count("claims", "WHERE active") > 0
    inconsistent = await fetch(
        "SELECT COUNT(*) AS n FROM claims c JOIN bookings b ON b.id = c.booking "
        "WHERE c.active <> (b.status IN ('pending', 'confirmed'))"
    )
    assert int(inconsistent[0]["n"]) == 0


async def test_no_two_active_claims_on_a_resource_overlap(demo: DemoSummary) -> None:
    rows = await fetch(
        "SELECT COUNT(*) AS n FROM claims a JOIN claims b ON a.resource = b.resource "
        "AND a.id < b.id AND a.start_s < b.end_s AND b.start_s < a.end_s "
        "WHERE a.active AND b.active"
    )
    assert int(rows[0]["n"]) == 0


async def test_a_lab_booking_claims_the_lab_and_its_equipment(demo: DemoSummary) -> None:
    rows = await fetch(
        "SELECT COUNT(*) AS n FROM booking_resources br "
        "JOIN resources eq ON eq.parent = br.resource "
        "JOIN occurrences o ON o.booking = br.booking "
        "WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.occurrence = o.id "
        "AND c.resource = eq.id)"
    )
    assert int(rows[0]["n"]) == 0
    assert await _count("booking_resources") == demo.bookings


async def _calendars() -> tuple[dict, dict, dict, dict]:
    rules: dict = defaultdict(list)
    for r in await fetch("SELECT resource, weekday, opens, closes FROM opening_rules"):
        rules[r["resource"]].append((r["weekday"], r["opens"], r["closes"]))
    site_of = {r["id"]: r["site"] for r in await fetch("SELECT id, site FROM resources")}
    closures: dict = defaultdict(list)
    for c in await fetch("SELECT resource, site, starts_at, ends_at FROM closures"):
        closures[c["resource"] or c["site"]].append(
            (int(c["starts_at"].timestamp()), int(c["ends_at"].timestamp())))
    claims: dict = defaultdict(list)
    for c in await fetch("SELECT resource, start_s, end_s FROM claims WHERE active"):
        claims[c["resource"]].append((int(c["start_s"]), int(c["end_s"])))
    return rules, site_of, closures, claims


def _open_spans(rules: list, first: date, days: int) -> list[tuple[int, int]]:
    spans = []
    for i in range(days):
        day = first + timedelta(days=i)
        for weekday, opens, closes in rules:
            if weekday == day.isoweekday():
                spans.append(tuple(
                    arrow.get(f"{day} {t}", "YYYY-MM-DD HH:mm", tzinfo=TZ).int_timestamp
                    for t in (opens, closes)))
    return sorted(spans)


def _free_pieces(spans: list[tuple[int, int]], busy: list[tuple[int, int]]) -> list:
    pieces = []
    for s, e in spans:
        for bs, be in busy:
            if be <= s:
                continue
            if bs >= e:
                break
            if bs > s:
                pieces.append((s, bs))
            s = max(s, be)
        if s < e:
            pieces.append((s, e))
    return pieces


async def test_active_bookings_lie_in_opening_hours_outside_closures(demo: DemoSummary) -> None:
    rules, site_of, closures, _ = await _calendars()
    rows = await fetch(
        "SELECT br.resource, o.starts_at, o.ends_at FROM occurrences o "
        "JOIN bookings b ON b.id = o.booking JOIN booking_resources br ON br.booking = b.id "
        "WHERE b.status IN ('pending', 'confirmed')"
    )
    assert rows
    for row in rows:
        start, end = int(row["starts_at"].timestamp()), int(row["ends_at"].timestamp())
        local = arrow.get(start).to(TZ)
        spans = _open_spans(rules[row["resource"]], local.date(), 1)
        assert any(s <= start and end <= e for s, e in spans), row
        closed = closures[row["resource"]] + closures[site_of[row["resource"]]]
        assert not any(s < end and start < e for s, e in closed), row


async def _free_shares() -> list[float]:
    """Per coming week (six, from NOW): the share of public, approval-free resources every
    company may book with a free 3-hour window (opening hours − closures − active claims on it
    and related resources − notice)."""
    rules, site_of, closures, claims = await _calendars()
    resources = await fetch(
        "SELECT id, parent, min_notice_minutes FROM resources WHERE visibility = 'public' "
        "AND bookable_by = 'all' AND NOT approval_required"
    )
    assert len(resources) >= 30
    parent_of = {r["id"]: r["parent"] for r in await fetch("SELECT id, parent FROM resources")}
    children = defaultdict(list)
    for rid, parent in parent_of.items():
        if parent is not None:
            children[parent].append(rid)
    now_s = int(NOW.timestamp())
    first = arrow.get(NOW).to(TZ).date()
    shares = []
    for week in range(6):
        window = (now_s + week * 7 * 24 * HOUR, now_s + (week + 1) * 7 * 24 * HOUR)
        ok = 0
        for res in resources:
            rid = res["id"]
            related = [rid, *children[rid]] + ([res["parent"]] if res["parent"] else [])
            busy = sorted(closures[rid] + closures[site_of[rid]]
                          + [c for r in related for c in claims[r]])
            earliest = max(window[0], now_s + res["min_notice_minutes"] * 60)
            spans = _open_spans(rules[rid], first + timedelta(days=7 * week), 9)
            clipped = [(max(s, earliest), min(e, window[1])) for s, e in spans]
            if any(e - s >= 3 * HOUR for s, e in _free_pieces(clipped, busy)):
                ok += 1
        shares.append(ok / len(resources))
    return shares


async def test_newcomers_find_free_windows_in_each_coming_week(demo: DemoSummary) -> None:
    assert min(await _free_shares()) >= 0.8


async def test_running_it_again_replaces_the_data(demo: DemoSummary) -> None:
    tables = ("organisations", "users", "memberships", "resources", "closures", "bookings",
              "occurrences", "claims")
    before = [await _count(t) for t in tables]
    again = await create_demo(now=NOW)
    assert again == demo
    assert [await _count(t) for t in tables] == before


async def test_resources_grows_the_region(backend: Backend, demo: DemoSummary) -> None:
    if backend.name != "sqlite":
        pytest.skip("the scaled region is timed on both backends by hand (see the report)")
    grown = await create_demo(resources=150, now=NOW)
    assert 150 <= grown.resources <= 170 and grown.schools > demo.schools
    assert grown.bookings >= 70 * grown.resources
    assert await _count("users", "WHERE email = 'planner@acme.test'") == 1
    rows = await fetch(
        "SELECT COUNT(*) AS n FROM claims a JOIN claims b ON a.resource = b.resource "
        "AND a.id < b.id AND a.start_s < b.end_s AND b.start_s < a.end_s "
        "WHERE a.active AND b.active"
    )
    assert int(rows[0]["n"]) == 0
    assert min(await _free_shares()) >= 0.8
    assert await create_demo(now=NOW) == demo  # back to the default region


async def test_a_failed_load_keeps_what_was_there(backend: Backend, demo: DemoSummary) -> None:
    users = await _count("users")
    broken = Dataset()
    broken.add("memberships", id=uuid.uuid4(), user=uuid.uuid4(), organisation=uuid.uuid4(),
               role="booker")
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await replace_all(broken, backend.engine)
    assert await _count("users") == users


async def test_the_availability_service_agrees(demo: DemoSummary) -> None:
    """The catalogue service (what the API answers) finds the 3-hour windows too."""
    rows = await fetch(
        "SELECT id FROM resources WHERE visibility = 'public' AND bookable_by = 'all' "
        "AND NOT approval_required ORDER BY name, id"
    )
    for week in range(6):
        window = Interval(NOW + timedelta(days=7 * week), NOW + timedelta(days=7 * week + 7))
        ok = 0
        for row in rows:
            view = await availability(ANONYMOUS, str(row["id"]), window, NOW)
            ok += any(f.end - f.start >= timedelta(hours=3) for f in view.free)
        assert ok >= 0.8 * len(rows), (week, ok, len(rows))


async def test_it_replaces_an_audit_trail_and_the_trail_stays_append_only(
    demo: DemoSummary,
) -> None:
    from booking.db.engine import transaction
    from booking.db.sql import execute
    from booking.services import audit

    async with transaction():
        await audit.record(action="token.created", object_type="token", object_id="t",
                           summary="before the demo", at=NOW, actor_id=None, organisation_ids=[])
    assert await create_demo(now=NOW) == demo
    assert await _count("audit_entries", "WHERE summary = 'before the demo'") == 0
    async with transaction():
        await audit.record(action="token.created", object_type="token", object_id="t",
                           summary="after the demo", at=NOW, actor_id=None, organisation_ids=[])
    with pytest.raises(Exception, match="audit_append_only"):
        await execute("DELETE FROM audit_entries")


async def test_demo_prices_are_what_create_would_charge(demo: DemoSummary) -> None:
    """Each demo booking costs what `booking_plan.price_quote` charges: the domain's price lines
    at the company's class at the school (partner, SME, standard), over its real hours."""
    from decimal import Decimal

    from booking.db.catalogue_store import get_resources
    from booking.domain.permissions import customer_class_for
    from booking.domain.pricing import price_lines

    pairs = frozenset(
        (str(r["company"]), str(r["school"]))
        for r in await fetch("SELECT CAST(company AS TEXT) AS company, "
                             "CAST(school AS TEXT) AS school FROM partnerships"))
    rows = await fetch(
        "SELECT CAST(b.id AS TEXT) AS id, CAST(b.organisation AS TEXT) AS org, "
        "CAST(b.price_amount AS TEXT) AS price, CAST(br.resource AS TEXT) AS rid, "
        "CASE WHEN o.is_sme THEN 1 ELSE 0 END AS sme FROM bookings b "
        "JOIN booking_resources br ON br.booking = b.id "
        "JOIN organisations o ON o.id = b.organisation ORDER BY b.id LIMIT 150")
    resources = await get_resources(sorted({r["rid"] for r in rows}))
    classes = set()
    for row in rows:
        occurrences = [
            Interval(o["starts_at"], o["ends_at"])
            for o in await fetch("SELECT starts_at, ends_at FROM occurrences WHERE booking = $1",
                                 row["id"])]
        org, sme = row["org"], bool(row["sme"])
        quote = price_lines([resources[row["rid"]].resource], occurrences,
                            lambda school, org=org, sme=sme: customer_class_for(
                                org, school, pairs, sme))
        classes.add(quote.lines[0].customer_class)
        assert Decimal(row["price"]) == quote.price, row
    assert len(classes) >= 2  # the sample covers more than one class


async def test_the_bulk_load_leaves_the_report_rows_the_triggers_keep(
    backend: Backend, demo: DemoSummary,
) -> None:
    """PostgreSQL's load switches the per-row report triggers off and rebuilds `report_uses` in
    one statement, and drops foreign keys and the no-overlap exclusion for COPY: the table must
    hold exactly what the triggers would, and triggers and constraints must be back."""
    await _report_rows_equal_the_join()
    assert await _count("report_uses") > 0
    if backend.name == "postgresql":
        rows = await fetch("SELECT tgname, tgenabled FROM pg_trigger "
                           "WHERE tgname LIKE 'report_uses_%' AND NOT tgisinternal")
        assert rows and all(r["tgenabled"] in ("O", b"O") for r in rows)
        # the constraints it drops for COPY are back: an overlapping claim is still refused
        kept = await fetch("SELECT conname FROM pg_constraint WHERE contype IN ('f', 'x')")
        names = {r["conname"] for r in kept}
        assert "claims_no_overlap" in names and len(names) > 20
