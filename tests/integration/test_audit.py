"""The audit trail on both databases: written in the change's own transaction (a failed change
leaves no entry), append-only at the database, every kind of change recorded with its actor."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from booking.db.engine import transaction
from booking.db.sql import execute, fetch
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule
from booking.services import accounts, audit, bookings, closures, privacy, resource_admin
from booking.services.views import BookingRequest
from tests.factories import booker, make_resource, make_school, make_site, manager

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
START = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


async def _actions() -> list[str]:
    return [r["action"] for r in await fetch("SELECT action FROM audit_entries ORDER BY at, id")]


async def test_booking_decisions_are_recorded_with_actor_and_readers(db: Any) -> None:
    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school),
                                   approval_required=True)
    company_actor, _ = await booker()
    fm = await manager(school)
    made = await bookings.create_booking(company_actor, BookingRequest(
        [resource], START, START + timedelta(hours=2), title="Lascursus"), NOW)
    await bookings.approve_booking(fm, made.booking.id, NOW + timedelta(hours=1))
    await bookings.cancel_booking(company_actor, made.booking.id, NOW + timedelta(hours=2))

    page = await audit.list_entries(fm, organisation_id=school)
    assert [(e.action, e.actor_id) for e in page.items] == [
        ("booking.cancelled", company_actor.user_id),
        ("booking.approved", fm.user_id),
        ("booking.created", company_actor.user_id),
    ]
    assert all('"Lascursus" 2026-03-09 10:00–12:00' in e.summary for e in page.items)
    assert [e.action for e in (await audit.list_entries(company_actor)).items] == [
        "booking.cancelled", "booking.approved", "booking.created"]


async def test_closures_rules_policy_and_tokens_are_recorded(db: Any) -> None:
    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school))
    fm = await manager(school)
    closure = await closures.add_closure(
        fm, resource, Interval(START, START + timedelta(days=1)), "Onderhoud")
    await closures.delete_closure(fm, closure.id)
    await resource_admin.set_opening_hours(fm, resource, [OpeningRule(1, time(8), time(17))])
    await resource_admin.update_resource(fm, resource, {"policy": {"approval_required": True}})
    view, _ = await accounts.create_token(fm.user_id or "", "Rooster", datetime.now(UTC))
    await accounts.delete_token(fm.user_id or "", view.id)
    entries = (await audit.list_entries(fm, organisation_id=school)).items
    assert [e.action for e in reversed(entries)] == [
        "closure.created", "closure.deleted", "opening_hours.changed", "resource.updated",
        "token.created", "token.deleted"]
    assert "Onderhoud" in entries[-1].summary and "policy" in entries[2].summary
    assert {e.actor_id for e in entries} == {fm.user_id}


async def test_a_failed_change_leaves_no_entry(db: Any) -> None:
    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school))
    fm = await manager(school)
    with pytest.raises(RuntimeError, match="after the change"):
        async with transaction():
            await closures.add_closure(
                fm, resource, Interval(START, START + timedelta(hours=3)), "Onderhoud")
            assert await _actions() == ["closure.created"]  # written, not yet committed
            raise RuntimeError("after the change")
    assert await _actions() == []
    assert await fetch("SELECT id FROM closures") == []
    with pytest.raises(audit.NotInTransaction):
        await audit.record(action="x.y", object_type="x", object_id="1", summary="", at=NOW,
                           actor_id=None, organisation_ids=[school])


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET summary = 'rewritten'",
    "DELETE FROM audit_entries",
    "UPDATE audit_scopes SET organisation = entry",
    "DELETE FROM audit_scopes",
])
async def test_the_trail_is_append_only_in_the_database(db: Any, statement: str) -> None:
    school = await make_school()
    fm = await manager(school)
    await accounts.create_token(fm.user_id or "", "Rooster", NOW)
    with pytest.raises(Exception, match="audit_append_only"):
        await execute(statement)
    assert await _actions() == ["token.created"]
    assert len(await fetch("SELECT id FROM audit_scopes")) == 1


async def test_paging_is_newest_first_without_gaps(db: Any) -> None:
    school = await make_school()
    fm = await manager(school)
    for i in range(5):
        await accounts.create_token(fm.user_id or "", f"t{i}", NOW + timedelta(minutes=i // 2))
    seen: list[str] = []
    cursor = None
    while True:
        page = await audit.list_entries(fm, limit=2, cursor=cursor)
        seen += [e.summary for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == [f'API token "t{i}"' for i in range(5)] and len(set(seen)) == 5
    window = await audit.list_entries(fm, start=NOW + timedelta(minutes=1),
                                      end=NOW + timedelta(minutes=2))
    assert sorted(e.summary for e in window.items) == ['API token "t2"', 'API token "t3"']


async def test_retention_anonymises_only_people_inactive_long_enough(db: Any) -> None:
    company_actor, _ = await booker()
    stale = await accounts.create_user(email="oud@acme.example", name="Oud Lid",
                                       password="wachtwoord-1", now=NOW)
    fresh = await accounts.create_user(email="nieuw@acme.example", name="Nieuw Lid",
                                       password="wachtwoord-1", now=NOW)
    later = NOW + timedelta(days=2 * 365 + 30)
    await accounts.touch_seen(fresh, None, later - timedelta(days=10))
    assert await privacy.anonymise_inactive(later, months=24) == 2  # stale and the booker
    rows = {str(r["id"]): r for r in await fetch("SELECT id, name, anonymised_at FROM users")}
    assert rows[stale]["anonymised_at"] is not None and rows[stale]["name"] == ""
    assert rows[fresh]["anonymised_at"] is None and rows[fresh]["name"] == "Nieuw Lid"
    assert rows[company_actor.user_id or ""]["anonymised_at"] is not None
    assert await privacy.anonymise_inactive(later, months=24) == 0  # once is enough


async def test_last_seen_is_written_at_most_daily(db: Any) -> None:
    user = await accounts.create_user(email="a@acme.example", name="A", password="wachtwoord-1",
                                      now=NOW)
    _, secret = await accounts.create_token(user, "t", NOW)

    async def seen() -> datetime:
        [row] = await fetch("SELECT last_seen_at FROM users WHERE id = $1", user)
        return row["last_seen_at"]  # type: ignore[no-any-return]

    await accounts.token_user(secret, NOW)
    assert await seen() == NOW
    await accounts.token_user(secret, NOW + timedelta(hours=20))
    assert await seen() == NOW
    await accounts.token_user(secret, NOW + timedelta(hours=25))
    assert await seen() == NOW + timedelta(hours=25)


async def test_imported_closures_are_recorded_as_the_systems(db: Any) -> None:
    from datetime import date

    from booking.services import imports
    from tests.integration.ics_sources import timetable

    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school))
    fm = await manager(school)
    ics = timetable(date(2026, 3, 9), 2).decode()
    view = await imports.create_import(fm, kind="timetable", now=NOW, resource_id=resource,
                                       ics=ics)
    await imports.delete_import(fm, view.id)
    entries = list(reversed((await audit.list_entries(fm, organisation_id=school)).items))
    assert [(e.action, e.actor_id) for e in entries] == [
        ("closures.imported", None), ("calendar_import.deleted", fm.user_id)]
    assert "closure(s)" in entries[0].summary and "upload" in entries[0].summary


async def test_partnerships_and_memberships_are_recorded(db: Any) -> None:
    from booking.services import members, organisations
    from tests.factories import actor_for, make_company, make_user

    school = await make_school()
    company = await make_company()
    fm = await manager(school)
    made = await organisations.create_partnership(
        fm, school_id=school, company_id=company, now=NOW)
    await organisations.delete_partnership(fm, made.id, NOW + timedelta(minutes=1))
    colleague = await make_user(memberships=[(school, "staff")])
    await members.change_role(fm, school, colleague, "facility_manager",
                              NOW + timedelta(minutes=2))
    await members.remove_member(await actor_for(colleague), school, fm.user_id or "",
                                NOW + timedelta(minutes=3))

    school_trail = [e.action for e in (await audit.list_entries(fm, organisation_id=school)).items]
    assert school_trail == ["membership.removed", "membership.role_changed",
                            "partnership.deleted", "partnership.created"]
    company_actor = await actor_for(await make_user(memberships=[(company, "booker")]))
    company_trail = await audit.list_entries(company_actor, organisation_id=company)
    assert [e.action for e in company_trail.items] == ["partnership.deleted",
                                                      "partnership.created"]
