"""Calendar imports on SQLite and PostgreSQL: addresses that are not public are refused with 422
and nothing is stored; events that cannot be used are skipped with a reason; a calendar with no
usable event is refused; large uploads are read by the background job; the bookings an import
covers are reported as conflicts and told once, never cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from booking.db.sql import fetch
from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor
from booking.services import accounts, booking_events, bookings, imports
from booking.services.booking_events import BookingEvent, BookingEventType
from booking.services.ics_fetch import FetchPolicy
from booking.services.ics_reading import SYNC_MAX_EVENTS
from booking.services.imports import create_import, get_import, list_imports, refresh_import
from booking.services.safe_http import UnsafeAddressError
from booking.services.views import BookingRequest
from booking.settings import Settings
from tests.conftest import Backend
from tests.factories import booker, make_user
from tests.integration.ics_sources import SourceState, timetable
from tests.integration.test_imports import Place, place, source

__all__ = ["place", "source"]  # fixtures shared with the other import tests

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
MONDAY = date(2027, 3, 8)
LOOPBACK_OK = FetchPolicy(timeout=2.0, allow_private=True)
PUBLIC_ONLY = FetchPolicy(timeout=2.0)


async def timetable_from(
    place: Place, url: str, policy: FetchPolicy = LOOPBACK_OK
) -> imports.ImportView:
    """A timetable import of `url` for the place's resource, created now."""
    return await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=policy)


async def stored_imports() -> int:
    return int((await fetch("SELECT COUNT(*) AS n FROM calendar_imports"))[0]["n"])


def ics(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//NL\n{body}END:VCALENDAR\n".replace(
        "\n", "\r\n")


GOOD = "UID:goed\nDTSTART:20270308T080000Z\nDTEND:20270308T090000Z\nSUMMARY:Les"
BAD = (
    "UID:omgekeerd\nDTSTART:20270308T100000Z\nDTEND:20270308T090000Z",
    "UID:mars\nDTSTART;TZID=Mars/Olympus:20270308T100000\nDTEND;TZID=Mars/Olympus:20270308T110000",
    "UID:seconde\nDTSTART:20270308T100000Z\nDTEND:20270308T100001Z\nRRULE:FREQ=SECONDLY",
    "UID:open\nDTSTART:20270308T100000Z",
    "UID:jaar1\nDTSTART:00010308T100000Z\nDTEND:00010308T110000Z",
)
BAD_CODES = [("omgekeerd", "ends_before_start"), ("mars", "unknown_timezone"),
             ("seconde", "rule_too_fine"), ("open", "no_end"), ("jaar1", "absurd_date")]


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/x.ics",
    "http://localhost:9/x.ics", "http://[::1]:9/x.ics", "http://10.1.2.3/x.ics",
])
async def test_a_private_address_is_refused_and_nothing_stored(place: Place, url: str) -> None:
    with pytest.raises(UnsafeAddressError) as refused:
        await timetable_from(place, url, PUBLIC_ONLY)
    assert refused.value.field_name == "url"
    assert await stored_imports() == 0 and await list_imports(place.manager) == []


async def test_refresh_of_an_address_that_is_no_longer_allowed_changes_nothing(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 3)
    made = await timetable_from(place, url)
    seen = len(state.requests)
    with pytest.raises(UnsafeAddressError):
        await refresh_import(place.manager, made.id, NOW + timedelta(hours=2), policy=PUBLIC_ONLY)
    assert len(state.requests) == seen  # no request went out
    after = await get_import(place.manager, made.id)
    assert (after.status, after.events, after.last_fetched_at) == ("ok", 3, NOW)
    again = await refresh_import(place.manager, made.id, NOW + timedelta(hours=3),
                                 policy=LOOPBACK_OK)  # the lease was released
    assert again.status == "ok" and len(state.requests) == seen + 1


async def test_unusable_events_are_skipped_with_their_reasons(place: Place) -> None:
    view = await create_import(place.manager, resource_id=place.resource, ics=ics(GOOD, *BAD),
                               kind="timetable", now=NOW)
    assert (view.status, view.events) == ("ok", 1)
    assert sorted(view.skipped) == sorted(BAD_CODES)
    assert (await list_imports(place.manager))[0].skipped == view.skipped


async def test_a_calendar_without_a_usable_event_is_refused_and_not_stored(
    place: Place, source: tuple[str, SourceState]
) -> None:
    with pytest.raises(RuleViolation) as refused:
        await create_import(place.manager, resource_id=place.resource, ics=ics(*BAD),
                            kind="timetable", now=NOW)
    assert refused.value.field_name == "ics"
    assert refused.value.reasons[0].code == "no_usable_events"
    assert {r.code for r in refused.value.reasons[1:]} == {c for _, c in BAD_CODES}
    url, state = source
    state.body = ics(*BAD).encode()
    with pytest.raises(RuleViolation) as fetched:
        await timetable_from(place, url)
    assert fetched.value.field_name == "url" and len(state.requests) == 1
    state.body = ics().encode()
    with pytest.raises(RuleViolation, match="no events"):
        await timetable_from(place, url)
    assert await stored_imports() == 0 and await fetch("SELECT id FROM closures") == []


async def test_a_source_that_turns_unusable_keeps_its_last_good_closures(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 4)
    made = await timetable_from(place, url)
    state.body = ics(*BAD).encode()
    later = NOW + timedelta(days=2)
    failed = await refresh_import(place.manager, made.id, later, policy=LOOPBACK_OK)
    assert (failed.status, failed.events) == ("error", 4)
    assert sorted(failed.skipped) == sorted(BAD_CODES)
    assert failed.next_fetch_at == later + timedelta(minutes=5)  # backing off
    assert len(await fetch("SELECT id FROM closures WHERE source = $1", made.id)) == 4


async def test_a_large_upload_is_left_to_the_background_job(place: Place) -> None:
    many = [f"UID:e{n}\nDTSTART:{(NOW + timedelta(hours=2 * n + 24)):%Y%m%dT%H%M%SZ}\n"
            f"DTEND:{(NOW + timedelta(hours=2 * n + 25)):%Y%m%dT%H%M%SZ}\nSUMMARY:Les"
            for n in range(SYNC_MAX_EVENTS + 1)]
    view = await create_import(place.manager, site_id=place.site, ics=ics(*many),
                               kind="holidays", now=NOW)
    assert (view.status, view.events) == ("pending", 0)
    assert await fetch("SELECT id FROM closures") == []
    assert await imports.refresh_due(NOW) == 1
    done = await get_import(place.manager, view.id)
    assert (done.status, done.events) == ("ok", SYNC_MAX_EVENTS + 1)


async def _book(actor: Actor, resource: str, start: datetime) -> str:
    made = await bookings.create_booking(
        actor, BookingRequest([resource], start, start + timedelta(hours=1), title="Les"), NOW)
    assert made.booking is not None
    return made.booking.id


async def test_bookings_an_import_covers_are_reported_and_told_once_never_cancelled(
    place: Place, source: tuple[str, SourceState], monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[BookingEvent] = []

    async def record(events: Sequence[BookingEvent]) -> None:
        told.extend(e for e in events if e.type is BookingEventType.OVERLAPPED)

    monkeypatch.setattr(booking_events, "CONSUMERS", (record,))
    company, _ = await booker()
    # 09:00-10:00 local on the first two Mondays: inside the 08:30-10:00 lesson
    first = await _book(company, place.resource, datetime(2027, 3, 8, 8, 0, tzinfo=UTC))
    second = await _book(company, place.resource, datetime(2027, 3, 15, 8, 0, tzinfo=UTC))
    url, state = source
    state.body = timetable(MONDAY, 1)
    view = await timetable_from(place, url)
    assert [(c.booking_id, c.resource_id, c.start) for c in view.conflicts] == [
        (first, place.resource, datetime(2027, 3, 8, 8, 0, tzinfo=UTC))]
    assert [(e.type, e.booking_id, e.message) for e in told] == [
        (BookingEventType.OVERLAPPED, first, "Les CNC")]
    later = NOW + timedelta(hours=2)
    await refresh_import(place.manager, view.id, later, policy=LOOPBACK_OK)
    assert len(told) == 1  # nothing new covered: nobody is told twice
    state.body = timetable(MONDAY, 2)
    grown = await refresh_import(place.manager, view.id, later, policy=LOOPBACK_OK)
    assert [c.booking_id for c in grown.conflicts] == [first, second]
    assert [e.booking_id for e in told] == [first, second]
    assert [c.booking_id for c in (await list_imports(place.manager))[0].conflicts] == [
        first, second]
    rows = await fetch("SELECT status FROM bookings ORDER BY starts_at")
    assert [r["status"] for r in rows] == ["confirmed", "confirmed"]


async def test_the_overlap_is_told_in_the_transaction_that_lays_the_closures(
    place: Place, source: tuple[str, SourceState], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(events: Sequence[BookingEvent]) -> None:
        raise RuntimeError("the outbox is down")

    company, _ = await booker()
    await _book(company, place.resource, datetime(2027, 3, 8, 8, 0, tzinfo=UTC))
    monkeypatch.setattr(booking_events, "CONSUMERS", (refuse,))
    url, state = source
    state.body = timetable(MONDAY, 1)
    with pytest.raises(RuntimeError):
        await timetable_from(place, url)
    assert await fetch("SELECT id FROM closures") == []  # rolled back with the event


# -- over HTTP -------------------------------------------------------------------------------

@pytest.fixture
async def client(db: Backend, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.delenv("LABSHARE_IMPORT_ALLOW_PRIVATE", raising=False)
    monkeypatch.setenv("LABSHARE_IMPORT_TIMEOUT", "2")
    app = create_app(Settings(database_url=db.url, migrate_on_startup=False),
                     clock=lambda: NOW, route_packages=("api.controllers",), own_engine=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:
        yield c


async def _boss(school: str) -> dict[str, str]:
    user = await make_user(memberships=[(school, "facility_manager")])
    _, secret = await accounts.create_token(user, "test", NOW)
    return {"Authorization": f"Bearer {secret}"}


async def test_http_refuses_private_addresses_with_422_naming_the_reason(
    client: httpx.AsyncClient, place: Place
) -> None:
    boss = await _boss(place.school)
    r = await client.post("/api/v1/calendar-imports", headers=boss, json={
        "resource_id": place.resource, "url": "http://169.254.169.254/latest/",
        "kind": "timetable"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "url"
    assert "metadata" in r.json()["errors"][0]["message"]  # Dutch by default: metadatadienst
    r = await client.post("/api/v1/calendar-imports", headers={**boss, "Accept-Language": "en"},
                          json={"site_id": place.site, "url": "webcal://localhost:9/x.ics",
                                "kind": "holidays"})
    assert r.status_code == 422 and "loopback" in r.json()["errors"][0]["message"]
    assert [x["code"] for x in r.json()["reasons"]] == ["loopback"]
    assert (await client.get("/api/v1/calendar-imports", headers=boss)).json()["items"] == []
    assert await stored_imports() == 0


async def test_http_answers_skipped_events_in_the_callers_language(
    client: httpx.AsyncClient, place: Place
) -> None:
    boss = await _boss(place.school)
    r = await client.post("/api/v1/calendar-imports", headers=boss, json={
        "resource_id": place.resource, "ics": ics(GOOD, *BAD), "kind": "timetable"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["status"], made["events"], made["conflicts"]) == ("ok", 1, [])
    dutch = {s["uid"]: (s["code"], s["reason"]) for s in made["skipped"]}
    assert dutch["omgekeerd"] == ("ends_before_start", "het eindigt voordat het begint")
    r = await client.get(f"/api/v1/calendar-imports/{made['id']}",
                         headers={**boss, "Accept-Language": "en"})
    english = {s["uid"]: s["reason"] for s in r.json()["skipped"]}
    assert english["mars"] == "it names a time zone that does not exist"
    r = await client.post("/api/v1/calendar-imports", headers={**boss, "Accept-Language": "en"},
                          json={"resource_id": place.resource, "ics": ics(*BAD),
                                "kind": "timetable"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ics"
    assert r.json()["reasons"][0]["code"] == "no_usable_events"
    assert "ends before it starts" in r.json()["detail"]


async def test_http_shows_the_bookings_an_import_covers(
    client: httpx.AsyncClient, place: Place
) -> None:
    company, _ = await booker()
    booked = await _book(company, place.resource, datetime(2027, 3, 8, 8, 0, tzinfo=UTC))
    boss = await _boss(place.school)
    r = await client.post("/api/v1/calendar-imports", headers=boss, json={
        "resource_id": place.resource, "ics": ics(GOOD), "kind": "timetable"})
    assert r.status_code == 201, r.text
    assert r.json()["conflicts"] == [{
        "booking_id": booked, "resource_id": place.resource,
        "start": "2027-03-08T09:00:00+01:00", "end": "2027-03-08T10:00:00+01:00"}]
    listed = (await client.get("/api/v1/calendar-imports", headers=boss)).json()["items"]
    assert [c["booking_id"] for c in listed[0]["conflicts"]] == [booked]
    mine = (await client.get(f"/api/v1/bookings/{booked}", headers=boss)).json()
    assert mine["status"] == "confirmed"


async def test_a_site_wide_import_reports_the_bookings_on_each_of_its_resources(
    place: Place,
) -> None:
    company, _ = await booker()
    booked = await _book(company, place.resource, datetime(2027, 3, 9, 9, 0, tzinfo=UTC))
    await _book(company, place.resource, datetime(2027, 3, 11, 9, 0, tzinfo=UTC))  # after it
    view = await create_import(place.manager, site_id=place.site, kind="holidays", now=NOW,
                               ics=ics("UID:studiedag\nDTSTART;VALUE=DATE:20270309\n"
                                       "SUMMARY:Studiedag"))
    assert [(c.booking_id, c.resource_id) for c in view.conflicts] == [(booked, place.resource)]
