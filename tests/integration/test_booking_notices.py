"""Booking notifications end to end: a booking change, the outbox, a real SMTP server, and
what a school or company would find in its inbox (API.md "Notifications")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from booking.db.engine import transaction
from booking.db.sql import execute, fetch
from booking.domain.errors import Conflict
from booking.domain.instants import epoch
from booking.ical.feeds import feed_uid
from booking.services import bookings
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.outbox_worker import deliver_due
from booking.settings import Settings
from tests.conftest import Backend
from tests.factories import (
    actor_for,
    make_company,
    make_resource,
    make_school,
    make_site,
    make_user,
)
from tests.integration.mail_support import calendar_of, html_of, text_of
from tests.integration.smtp_support import SmtpSink
from tests.integration.test_bookings import req

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
MON = datetime(2027, 3, 8, 13, 0, tzinfo=UTC)  # Monday 8 March, 14:00 local
BASE = "https://labshare.example"



def settings(sink: SmtpSink) -> Settings:
    return Settings(database_url="", smtp_url=sink.url, base_url=BASE,
                    mail_from="labshare <planning@labshare.test>")


async def _world(approval: bool = True) -> dict[str, str]:
    school = await make_school(name="Techniek College")
    site = await make_site(school_id=school, name="Hoofdgebouw")
    await execute("UPDATE sites SET address = 'Straatweg 1', postcode = '5611 AA' WHERE id = $1",
                  site)
    rid = await make_resource(site_id=site, name="CNC-werkplaats", approval_required=approval)
    company = await make_company(name="Acme Metaal BV", partner_of=[school])
    booker = await make_user(email="bob@acme.example", name="Bob",
                             memberships=[(company, "booker")])
    fm_nl = await make_user(email="fatima@school.example", name="Fatima",
                            memberships=[(school, "facility_manager")])
    fm_en = await make_user(email="john@school.example", name="John",
                            memberships=[(school, "facility_manager")])
    await execute("UPDATE users SET locale = 'en' WHERE id = $1", fm_en)
    return {"school": school, "rid": rid, "company": company, "booker": booker,
            "fm_nl": fm_nl, "fm_en": fm_en}


async def _drain(sink: SmtpSink, at: datetime = NOW) -> list[tuple[list[str], Any]]:
    before = len(sink.received)
    await deliver_due(at, settings(sink))
    return sink.received[before:]


async def test_request_approve_move_cancel_mails_and_invitations(db: Backend, smtp) -> None:
    w = await _world()
    bob = await actor_for(w["booker"])
    created = (await bookings.create_booking(bob, req([w["rid"]], MON), NOW)).booking
    assert created is not None and created.status == "pending"

    got = {rcpt[0]: m for rcpt, m in await _drain(smtp)}
    assert set(got) == {"fatima@school.example", "john@school.example"}  # not the booker yet
    nl, en = got["fatima@school.example"], got["john@school.example"]
    assert nl["Subject"] == "Aanvraag: CNC-werkplaats, ma 8 mrt 14:00–16:00 — Acme Metaal BV"
    assert en["Subject"] == "Request: CNC-werkplaats, Mon 8 Mar 14:00–16:00 — Acme Metaal BV"
    approve = f"{BASE}/manage/requests/{created.id}"
    assert approve in text_of(nl) and f'href="{approve}"' in html_of(en)
    assert "maandag 8 maart 2027, 14:00–16:00 (CET, Europe/Amsterdam)" in text_of(nl)
    assert calendar_of(nl) is None

    manager = await actor_for(w["fm_nl"])
    await bookings.approve_booking(manager, created.id, NOW, message="Tot dan!")
    (rcpt, confirmed), = await _drain(smtp)
    assert rcpt == ["bob@acme.example"]
    assert confirmed["Subject"].startswith("Bevestigd: CNC-werkplaats, ma 8 mrt 14:00–16:00")
    assert f"{BASE}/bookings/{created.id}" in text_of(confirmed)
    method, cal = calendar_of(confirmed)
    (event,) = cal.walk("VEVENT")
    uid = feed_uid(created.id, 0)
    assert (method, str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"])) == (
        "REQUEST", "REQUEST", uid, 0)
    assert event.decoded("DTSTART") == MON
    assert "mailto:bob@acme.example" in str(event["ATTENDEE"])
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert "mailto:planning@labshare.test" in str(event["ORGANIZER"])
    assert "Straatweg 1" in str(event["LOCATION"])

    # the booking moves an hour later (the `changes` write path emits booking.updated)
    moved = MON + timedelta(hours=1)
    async with transaction(write=True):
        await execute("UPDATE occurrences SET starts_at = $1, ends_at = $2 WHERE booking = $3",
                      moved, moved + timedelta(hours=2), created.id)
        await execute("UPDATE claims SET start_s = $1, end_s = $2 WHERE booking = $3",
                      epoch(moved), epoch(moved + timedelta(hours=2)), created.id)
        await booking_changed(BookingEvent(BookingEventType.UPDATED, created.id, NOW))
    (rcpt, update), = await _drain(smtp)  # confirmed stays confirmed: the school is not asked
    assert rcpt == ["bob@acme.example"] and update["Subject"].startswith("Gewijzigd:")
    method, cal = calendar_of(update)
    (event,) = cal.walk("VEVENT")
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", uid, 1)
    assert event.decoded("DTSTART") == moved

    await bookings.cancel_booking(bob, created.id, NOW)
    got = {rcpt[0]: m for rcpt, m in await _drain(smtp)}
    assert set(got) == {"bob@acme.example", "fatima@school.example", "john@school.example"}
    method, cal = calendar_of(got["bob@acme.example"])
    (event,) = cal.walk("VEVENT")
    assert (method, str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]),
            str(event["STATUS"])) == ("CANCEL", "CANCEL", uid, 2, "CANCELLED")
    assert got["john@school.example"]["Subject"].startswith("Cancelled: CNC-werkplaats")
    assert calendar_of(got["fatima@school.example"]) is None


async def test_decline_tells_the_booker_with_the_schools_message(db: Backend, smtp) -> None:
    w = await _world()
    await execute("UPDATE users SET locale = 'en' WHERE id = $1", w["booker"])
    bob = await actor_for(w["booker"])
    created = (await bookings.create_booking(bob, req([w["rid"]], MON), NOW)).booking
    assert created is not None
    await _drain(smtp)
    await bookings.decline_booking(await actor_for(w["fm_nl"]), created.id, NOW,
                                   message="Die week is de werkplaats dicht.")
    (rcpt, declined), = await _drain(smtp)
    assert rcpt == ["bob@acme.example"]
    assert declined["Subject"] == (
        "Declined: CNC-werkplaats, Mon 8 Mar 14:00–16:00 — Techniek College")
    assert "Die week is de werkplaats dicht." in text_of(declined)
    assert calendar_of(declined) is None


async def test_instant_booking_confirms_without_asking_the_school(db: Backend, smtp) -> None:
    w = await _world(approval=False)
    bob = await actor_for(w["booker"])
    created = (await bookings.create_booking(bob, req([w["rid"]], MON), NOW)).booking
    assert created is not None and created.status == "confirmed"
    (rcpt, mail), = await _drain(smtp)
    assert rcpt == ["bob@acme.example"] and calendar_of(mail) is not None


async def test_a_refused_booking_writes_no_message(db: Backend, smtp) -> None:
    w = await _world(approval=False)
    bob = await actor_for(w["booker"])
    assert (await bookings.create_booking(bob, req([w["rid"]], MON), NOW)).booking
    before = await fetch("SELECT COUNT(*) AS n FROM outbox_messages")
    with pytest.raises(Conflict):
        await bookings.create_booking(bob, req([w["rid"]], MON + timedelta(minutes=30)), NOW)
    after = await fetch("SELECT COUNT(*) AS n FROM outbox_messages")
    assert int(after[0]["n"]) == int(before[0]["n"]) == 2  # created + confirmed, recorded


async def test_digest_managers_get_no_mail_per_request(db: Backend, smtp) -> None:
    w = await _world()
    await execute("UPDATE users SET digest = TRUE WHERE id = $1", w["fm_en"])
    bob = await actor_for(w["booker"])
    await bookings.create_booking(bob, req([w["rid"]], MON), NOW)
    assert [r[0] for r, _ in await _drain(smtp)] == ["fatima@school.example"]
    rows = await fetch('SELECT COUNT(*) AS n FROM digest_items WHERE "user" = $1', w["fm_en"])
    assert int(rows[0]["n"]) == 1
