"""Feeds from the database on SQLite and PostgreSQL: the instants three independent parsers read
equal those stored, across both 2027 DST changes; the body's structure; privacy by role;
revocation, rotation and validators that change with the data and only with it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject

from booking.db.sql import fetch_one
from booking.domain.errors import NotAllowed, NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.services import feed_serving, feeds
from booking.services.feed_events import busy_uid
from booking.services.feed_serving import open_feed
from booking.services.feeds import create_feed, revoke_feed, rotate_feed
from tests.conftest import Backend
from tests.factories import (
    actor_for,
    make_company,
    make_resource,
    make_school,
    make_site,
    make_user,
)
from tests.integration.feeds_support import (
    add_booking,
    change_booking,
    held_occurrences,
    local,
    set_address,
)

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
SITE = "https://labshare.test"


@dataclass
class World:
    school: str
    site: str
    lab: str
    cnc: str
    acme: str
    beta: str
    acme_booker: Actor
    beta_booker: Actor
    staff: Actor


@pytest.fixture
async def world(db: Backend) -> World:
    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, name="Campus Noord")
    await set_address(site, "Lasweg 1", "5611 AB", "Eindhoven")
    lab = await make_resource(site_id=site, kind="lab", name="Werkplaats")
    cnc = await make_resource(site_id=site, kind="equipment", name="CNC-cel", parent_id=lab)
    acme = await make_company(name="Acme Metaal BV")
    beta = await make_company(name="Beta Robotics BV")
    return World(
        school, site, lab, cnc, acme, beta,
        await actor_for(await make_user(memberships=[(acme, "booker")])),
        await actor_for(await make_user(memberships=[(beta, "booker")])),
        await actor_for(await make_user(memberships=[(school, "staff")])),
    )


def token_of(url: str) -> str:
    assert url.startswith(f"{SITE}/feeds/") and url.endswith(".ics")
    return url.rsplit("/", 1)[1].removesuffix(".ics")


async def feed_body(url: str, now: datetime = NOW) -> bytes:
    handle = await open_feed(token_of(url), now, site_url=SITE)
    return await handle.body()


def instants_icalendar(body: bytes) -> set[tuple[str, datetime, datetime]]:
    cal = icalendar.Calendar.from_ical(body)
    return {
        (str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in cal.walk("VEVENT")
    }


def instants_vobject(body: bytes) -> set[tuple[str, datetime, datetime]]:
    cal = vobject.readOne(body.decode("utf-8"))
    return {
        (e.uid.value, e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
        for e in getattr(cal, "vevent_list", [])
    }


def instants_recurring(body: bytes) -> set[tuple[str, datetime, datetime]]:
    cal = icalendar.Calendar.from_ical(body)
    window = (NOW - timedelta(days=60), NOW + timedelta(days=400))
    found = recurring_ical_events.of(cal).between(*window)
    return {
        (str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in found
    }


async def test_three_parsers_read_the_stored_instants_across_both_dst_changes(world: World) -> None:
    spring = [
        Interval(local(2027, 3, 26, 9), local(2027, 3, 26, 12)),  # Friday before (CET)
        Interval(local(2027, 3, 27, 22), local(2027, 3, 28, 6)),  # across the change night: 7 h
        Interval(local(2027, 3, 29, 9), local(2027, 3, 29, 12)),  # Monday after (CEST)
    ]
    autumn = [
        Interval(local(2027, 10, 29, 9), local(2027, 10, 29, 12)),
        Interval(local(2027, 10, 30, 22), local(2027, 10, 31, 6)),  # across the night: 9 h
        Interval(local(2027, 11, 1, 9), local(2027, 11, 1, 12)),
    ]
    assert spring[1].duration == timedelta(hours=7) and autumn[1].duration == timedelta(hours=9)
    repeated = Interval(local(2027, 10, 31, 2, 30), local(2027, 10, 31, 2, 45, fold=1))
    assert repeated.duration == timedelta(hours=1, minutes=15)  # 02:30 CEST -> 02:45 CET
    series = [Interval(local(2027, 3, d, 13), local(2027, 3, d, 14, 30)) for d in (22, 29)]
    ids = [
        await add_booking(world.acme, [world.cnc], spring),
        await add_booking(world.acme, [world.lab], autumn, status="pending"),
        await add_booking(world.acme, [world.cnc], [repeated], status="pending"),
        await add_booking(world.acme, [world.cnc], series, title="Wekelijks"),
    ]
    gone = await add_booking(world.acme, [world.cnc], [Interval(local(2027, 3, 30, 9),
                                                                local(2027, 3, 30, 10))])
    await change_booking(gone, NOW, status="cancelled")
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    body = await feed_body(made.url)

    held = await held_occurrences(ids)
    expected = {(f"{b}-{p}@labshare", s, e) for b, p, s, e in held}
    assert len(expected) == 9
    assert instants_icalendar(body) == expected
    assert instants_vobject(body) == expected
    assert instants_recurring(body) == expected
    assert b"DTSTART:20270327T210000Z" in body and b"DTEND:20270328T040000Z" in body
    assert b"DTSTART:20271031T003000Z" in body and b"DTEND:20271031T014500Z" in body
    assert body.count(b"STATUS:TENTATIVE") == 4 and body.count(b"STATUS:CONFIRMED") == 5
    assert gone.encode() not in body


async def test_served_body_is_structurally_what_clients_need(world: World) -> None:
    bid = await add_booking(world.acme, [world.cnc], [Interval(local(2027, 3, 29, 9),
                                                               local(2027, 3, 29, 12))],
                            title="Lassen; niveau 2, \"gevorderd\"")
    await change_booking(bid, NOW - timedelta(hours=1), status="confirmed")
    made = await create_feed(world.staff, "resource", world.cnc, base_url=SITE, now=NOW)
    body = await feed_body(made.url)
    assert not body.startswith(b"\xef\xbb\xbf") and body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    text = body.decode("utf-8").replace("\r\n ", "")
    for needle in ("VERSION:2.0", "PRODID:", "NAME:labshare - CNC-cel",
                   "X-WR-CALNAME:labshare - CNC-cel", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                   "X-PUBLISHED-TTL:PT1H"):
        assert needle in text
    assert "METHOD:" not in text and "VTIMEZONE" not in text
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    row = await fetch_one("SELECT updated_at, sequence FROM bookings WHERE id = $1", bid)
    assert row is not None
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == row["updated_at"]
    assert event["SEQUENCE"] == row["sequence"] == 1
    assert str(event["UID"]) == f"{bid}-0@labshare"
    assert str(event["SUMMARY"]) == 'Lassen; niveau 2, "gevorderd" (Acme Metaal BV)'
    assert str(event["LOCATION"]) == "Campus Noord, Lasweg 1, 5611 AB Eindhoven"
    assert str(event["URL"]) == f"{SITE}/bookings/{bid}"
    assert re.search(r"DTSTART:20270329T070000Z", text)


async def test_a_company_sees_other_companies_only_as_busy(world: World) -> None:
    slot = [Interval(local(2027, 3, 29, 9), local(2027, 3, 29, 12))]
    theirs = await add_booking(world.acme, [world.lab], slot, title="Geheim project")
    ours = await add_booking(world.beta, [world.cnc], [Interval(local(2027, 3, 30, 9),
                                                                local(2027, 3, 30, 12))],
                             title="Onze training")
    made = await create_feed(world.beta_booker, "resource", world.cnc, base_url=SITE, now=NOW)
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(
        await feed_body(made.url)).walk("VEVENT")}
    busy = events[busy_uid(theirs, 0)]
    assert str(busy["SUMMARY"]) == "Bezet"
    assert not {"DESCRIPTION", "LOCATION", "URL"} & set(busy.keys())
    assert str(events[f"{ours}-0@labshare"]["SUMMARY"]) == "Onze training"
    body = await feed_body(made.url)
    for secret in (b"Geheim", b"Acme", theirs.encode()):
        assert secret not in body
    staff_feed = await create_feed(world.staff, "resource", world.cnc, base_url=SITE, now=NOW)
    assert b"Geheim project" in await feed_body(staff_feed.url)


async def test_participants_read_as_dutch_singular_and_plural(world: World) -> None:
    """The DESCRIPTION says "1 medewerker", not "1 medewerkers" (QA)."""
    slot = [Interval(local(2027, 3, 29, 9), local(2027, 3, 29, 12))]
    await add_booking(world.beta, [world.cnc], slot, students=3, employees=1)
    made = await create_feed(world.beta_booker, "resource", world.cnc, base_url=SITE, now=NOW)
    event = icalendar.Calendar.from_ical(await feed_body(made.url)).walk("VEVENT")[0]
    assert "3 studenten, 1 medewerker\n" in str(event["DESCRIPTION"]) + "\n"


async def test_scopes_and_who_may_create_them(world: World) -> None:
    a = await add_booking(world.acme, [world.cnc], [Interval(local(2027, 3, 29, 9),
                                                             local(2027, 3, 29, 12))])
    b = await add_booking(world.beta, [world.lab], [Interval(local(2027, 3, 30, 9),
                                                             local(2027, 3, 30, 12))])
    mine = await feed_body((await create_feed(world.acme_booker, "me", base_url=SITE,
                                              now=NOW)).url)
    assert a.encode() in mine and b"Bezet" not in mine and b.encode() not in mine
    school = await feed_body((await create_feed(world.staff, "school", world.school,
                                                base_url=SITE, now=NOW)).url)
    assert a.encode() in school and b.encode() in school
    with pytest.raises(NotAllowed):
        await create_feed(world.acme_booker, "school", world.school, base_url=SITE, now=NOW)
    with pytest.raises(RuleViolation):
        await create_feed(world.acme_booker, "me", world.beta, base_url=SITE, now=NOW)
    with pytest.raises(RuleViolation):
        await create_feed(world.acme_booker, "planet", base_url=SITE, now=NOW)
    internal = await make_resource(site_id=world.site, visibility="internal")
    with pytest.raises(NotFound):
        await create_feed(world.acme_booker, "resource", internal, base_url=SITE, now=NOW)


async def test_tokens_are_random_hashed_and_unknown_ones_404(world: World) -> None:
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    token = token_of(made.url)
    assert len(token) >= 32  # 256 bits in URL-safe base64
    row = await fetch_one("SELECT token_hash FROM feed_tokens WHERE id = $1", made.feed.id)
    assert row is not None and row["token_hash"] == feeds.hash_token(token)
    assert token not in str(row)
    with pytest.raises(NotFound):
        await open_feed(token[:-1] + ("A" if token[-1] != "A" else "B"), NOW, site_url=SITE)
    listed = await feeds.list_feeds(world.acme_booker)
    assert [f.id for f in listed] == [made.feed.id] and listed[0].revoked_at is None


async def test_revoked_feed_is_empty_for_seven_days_then_gone(world: World) -> None:
    await add_booking(world.acme, [world.cnc], [Interval(local(2027, 3, 29, 9),
                                                         local(2027, 3, 29, 12))])
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    assert b"BEGIN:VEVENT" in await feed_body(made.url)
    with pytest.raises(NotFound):
        await revoke_feed(world.beta_booker, made.feed.id, NOW)
    revoked_at = NOW + timedelta(hours=1)
    view = await revoke_feed(world.acme_booker, made.feed.id, revoked_at)
    assert view.revoked_at == revoked_at
    for later in (timedelta(0), timedelta(days=7) - timedelta(seconds=1)):
        handle = await open_feed(token_of(made.url), revoked_at + later, site_url=SITE)
        body = await handle.body()
        assert handle.state == "revoked" and b"BEGIN:VEVENT" not in body
        assert b"X-WR-CALNAME:labshare - Acme Metaal BV" in body
    gone = await open_feed(token_of(made.url), revoked_at + timedelta(days=7), site_url=SITE)
    assert gone.state == "gone"


async def test_rotation_gives_a_new_url_and_revokes_the_old(world: World) -> None:
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    rotated = await rotate_feed(world.acme_booker, made.feed.id, base_url=SITE, now=NOW)
    assert rotated.url != made.url and rotated.feed.scope == "me"
    assert (await open_feed(token_of(rotated.url), NOW, site_url=SITE)).state == "live"
    assert (await open_feed(token_of(made.url), NOW, site_url=SITE)).state == "revoked"


async def test_validator_moves_with_the_data_and_only_with_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid = await add_booking(world.acme, [world.cnc], [Interval(local(2027, 3, 29, 9),
                                                               local(2027, 3, 29, 12))])
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    first = await open_feed(token_of(made.url), NOW, site_url=SITE)
    body = await first.body()
    renders: list[int] = []
    real = feed_serving.render_feed
    monkeypatch.setattr(feed_serving, "render_feed",
                        lambda *a, **k: renders.append(1) or real(*a, **k))
    again = await open_feed(token_of(made.url), NOW + timedelta(hours=2), site_url=SITE)
    assert again.etag == first.etag and await again.body() == body and not renders
    await change_booking(bid, NOW, title="Nieuwe titel")  # same second, no SEQUENCE change
    changed = await open_feed(token_of(made.url), NOW, site_url=SITE)
    assert changed.etag != first.etag and b"Nieuwe titel" in await changed.body()
    await change_booking(bid, NOW, status="cancelled")
    cancelled = await open_feed(token_of(made.url), NOW, site_url=SITE)
    assert cancelled.etag != changed.etag and b"VEVENT" not in await cancelled.body()
    next_day = await open_feed(token_of(made.url), NOW + timedelta(days=1), site_url=SITE)
    assert next_day.etag != cancelled.etag  # the window moved


async def test_at_most_the_nearest_events_are_kept(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_serving, "MAX_EVENTS", 3)
    # NOW is 10 March: the 10th onwards is coming (nearest first), earlier days are past
    days = (1, 2, 3, 8, 9, 10, 11, 12, 20)
    slots = [Interval(local(2027, 3, d, 9), local(2027, 3, d, 10)) for d in days]
    await add_booking(world.acme, [world.cnc], slots)
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    found = sorted(s for _, s, _ in instants_icalendar(await feed_body(made.url)))
    assert found == [local(2027, 3, d, 9) for d in (10, 11, 12)]
    monkeypatch.setattr(feed_serving, "MAX_EVENTS", 5)
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    found = sorted(s for _, s, _ in instants_icalendar(await feed_body(made.url)))
    assert found == [local(2027, 3, d, 9) for d in (9, 10, 11, 12, 20)]


async def test_the_watermark_is_recounted_only_after_a_booking_changed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = [Interval(local(2027, 3, 29, 9), local(2027, 3, 29, 12))]
    await add_booking(world.acme, [world.cnc], slot, now=NOW - timedelta(hours=1))
    made = await create_feed(world.acme_booker, "me", base_url=SITE, now=NOW)
    counts: list[int] = []
    real = feed_serving.store.watermark

    async def counting(*args: object) -> object:
        counts.append(1)
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(feed_serving.store, "watermark", counting)
    first = await open_feed(token_of(made.url), NOW, site_url=SITE)
    again = await open_feed(token_of(made.url), NOW, site_url=SITE)
    assert again.etag == first.etag and len(counts) == 1  # memo under an old change stamp
    other = await add_booking(world.beta, [world.lab], [Interval(local(2027, 4, 5, 9),
                                                                 local(2027, 4, 5, 12))], now=NOW)
    third = await open_feed(token_of(made.url), NOW, site_url=SITE)
    assert third.etag == first.etag and len(counts) == 2  # recounted, same data in scope
    await change_booking(other, NOW, status="cancelled")  # within the margin: never memoised
    await open_feed(token_of(made.url), NOW, site_url=SITE)
    await open_feed(token_of(made.url), NOW, site_url=SITE)
    assert len(counts) == 4
