"""Periodic notifications: a reminder 24 h ahead goes out once however often the job runs (and
not to who turned reminders off); the daily digest bundles a manager's requests; a failing
import mails the school's managers once per failing streak, not on every retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking.db.sql import execute, fetch
from booking.services import bookings
from booking.services.booking_notices import expand_events
from booking.services.notice_jobs import (
    FAILING_AFTER,
    digest_cutoff,
    report_failing_imports,
    send_digests,
    send_reminders,
)
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
    new_id,
)
from tests.integration.mail_support import text_of
from tests.integration.smtp_support import SmtpSink
from tests.integration.test_bookings import req

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
START = datetime(2027, 3, 8, 13, 0, tzinfo=UTC)  # a week later, 14:00 local



def settings(sink: SmtpSink) -> Settings:
    return Settings(database_url="", smtp_url=sink.url, base_url="https://labshare.example")


async def _booked(approval: bool = False) -> dict[str, str]:
    school = await make_school(name="Techniek College")
    rid = await make_resource(site_id=await make_site(school_id=school), name="Lasrobot",
                              approval_required=approval)
    company = await make_company(name="Acme Metaal BV")
    booker = await make_user(email="bob@acme.example", name="Bob",
                             memberships=[(company, "booker")])
    manager = await make_user(email="fatima@school.example", name="Fatima",
                              memberships=[(school, "facility_manager")])
    made = await bookings.create_booking(await actor_for(booker), req([rid], START), NOW)
    assert made.booking is not None
    return {"school": school, "booker": booker, "manager": manager, "rid": rid,
            "booking": made.booking.id}


async def test_a_reminder_goes_out_once_a_day_before(db: Backend, smtp) -> None:
    await _booked()
    await deliver_due(NOW, settings(smtp))
    smtp.received.clear()
    early = START - timedelta(hours=30)
    assert await send_reminders(early) == 0
    day_before = START - timedelta(hours=23)
    for _ in range(3):  # several processes or runs
        await send_reminders(day_before)
        await send_reminders(day_before + timedelta(minutes=5))
    await deliver_due(day_before + timedelta(minutes=6), settings(smtp))
    (rcpt, mail), = smtp.received
    assert rcpt == ["bob@acme.example"]
    assert mail["Subject"].startswith("Herinnering: Lasrobot, ma 8 mrt 14:00–16:00")
    assert "https://labshare.example/me/notifications" in text_of(mail)


async def test_no_reminder_for_who_turned_them_off(db: Backend, smtp) -> None:
    w = await _booked()
    await execute("UPDATE users SET reminders = FALSE WHERE id = $1", w["booker"])
    await send_reminders(START - timedelta(hours=23))
    rows = await fetch("SELECT COUNT(*) AS n FROM outbox_messages "
                       "WHERE dedupe_key LIKE 'reminder:%'")
    assert int(rows[0]["n"]) == 0


async def test_the_digest_bundles_requests_once_a_day(db: Backend, smtp) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school), name="Lasrobot",
                              approval_required=True)
    company = await make_company(name="Acme Metaal BV")
    booker = await actor_for(await make_user(memberships=[(company, "booker")]))
    await make_user(email="fatima@school.example", memberships=[(school, "facility_manager")])
    await execute("UPDATE users SET digest = TRUE WHERE email = 'fatima@school.example'")
    await bookings.create_booking(booker, req([rid], START), NOW)
    await bookings.create_booking(booker, req([rid], START + timedelta(days=1)), NOW)
    await expand_events()
    assert await send_digests(NOW) == 0  # before 07:00 local of the next day
    next_morning = digest_cutoff(NOW + timedelta(days=1), "Europe/Amsterdam")
    next_morning += timedelta(minutes=1)
    assert await send_digests(next_morning) == 1
    assert await send_digests(next_morning + timedelta(minutes=15)) == 0
    await deliver_due(next_morning, settings(smtp))
    (rcpt, mail), = smtp.received
    assert rcpt == ["fatima@school.example"] and mail["Subject"].startswith("Dagoverzicht: 2")
    assert text_of(mail).count("Aanvraag: Lasrobot") == 2


async def test_a_failing_import_is_reported_once_per_streak(db: Backend, smtp) -> None:
    school = await make_school(name="Techniek College")
    site = await make_site(school_id=school)
    await make_user(email="fatima@school.example", memberships=[(school, "facility_manager")])
    imp = new_id()
    await execute(
        "INSERT INTO calendar_imports (id, school, site, resource, kind, url, ics, status, "
        "last_error, events, failures, created_at) VALUES ($1, $2, $3, NULL, 'timetable', "
        "'https://rooster.example/feed.ics', NULL, 'error', 'HTTP 500', 0, $4, $5)",
        imp, school, site, FAILING_AFTER - 1, NOW)
    assert await report_failing_imports(NOW) == 0  # one failure more is still fine
    await execute("UPDATE calendar_imports SET failures = failures + 1 WHERE id = $1", imp)
    for hour in range(5):  # the hourly retries keep failing
        await report_failing_imports(NOW + timedelta(hours=hour))
        await execute("UPDATE calendar_imports SET failures = failures + 1 WHERE id = $1", imp)
    await deliver_due(NOW + timedelta(hours=5), settings(smtp))
    (rcpt, mail), = smtp.received
    assert rcpt == ["fatima@school.example"]
    assert "Agenda-import mislukt" in mail["Subject"] and "HTTP 500" in text_of(mail)
    # it works again, and later fails again: a new streak is reported again
    await execute("UPDATE calendar_imports SET failures = $1, last_success_at = $2 "
                  "WHERE id = $3", FAILING_AFTER, NOW + timedelta(days=1), imp)
    await report_failing_imports(NOW + timedelta(days=2))
    await deliver_due(NOW + timedelta(days=2), settings(smtp))
    assert len(smtp.received) == 2
