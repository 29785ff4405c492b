"""The outbox core against a real SMTP server on loopback: what is queued in a transaction
arrives once, in the recipient's language, with a fixed Message-ID; a rollback queues nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from booking.db import outbox_store
from booking.db.engine import transaction
from booking.ical.itip import CalendarInvite, InviteEvent
from booking.services.outbox import enqueue_mail
from booking.services.outbox_worker import deliver_due
from booking.settings import Settings
from tests.integration.smtp_support import SmtpSink

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)



def settings_for(sink: SmtpSink | None) -> Settings:
    return Settings(database_url="", smtp_url="" if sink is None else sink.url,
                    mail_from="labshare <noreply@labshare.test>",
                    base_url="https://labshare.example")


CONTEXT = {"name": "Fatima", "source": "Rooster 2026", "school": "Techniek College",
           "failures": 3, "error": "HTTP 500", "link": "/manage/imports"}


async def _queue(to: str, locale: str, key: str | None = None,
                 calendar: CalendarInvite | None = None) -> None:
    async with transaction(write=True):
        await enqueue_mail(to_email=to, to_name="Fatima", locale=locale,
                           template="import_failing", context=CONTEXT, now=NOW, key=key,
                           calendar=calendar)


async def test_queued_mail_arrives_once_in_the_recipients_language(db, smtp) -> None:
    await _queue("fatima@school.example", "nl")
    await _queue("jan@school.example", "en")
    assert await deliver_due(NOW, settings_for(smtp)) == 2
    assert await deliver_due(NOW + timedelta(hours=1), settings_for(smtp)) == 0
    by_to = {rcpt[0]: m for rcpt, m in smtp.received}
    assert set(by_to) == {"fatima@school.example", "jan@school.example"}
    nl, en = by_to["fatima@school.example"], by_to["jan@school.example"]
    assert nl["Subject"] == "Agenda-import mislukt: Rooster 2026 (Techniek College)"
    assert en["Subject"].startswith("Calendar import failing")
    text = nl.get_body(("plain",)).get_content()
    html = nl.get_body(("html",)).get_content()
    assert "https://labshare.example/manage/imports" in text
    assert 'href="https://labshare.example/manage/imports"' in html
    ids = {m["Message-ID"] for m in smtp.messages()}
    assert len(ids) == 2 and all(i.startswith("<outbox-") and i.endswith("@labshare.test>")
                                 for i in ids)
    assert all(r["status"] == "sent" for r in await outbox_store.list_messages())


async def test_a_rolled_back_change_queues_no_mail(db, smtp) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(write=True):
            await enqueue_mail(to_email="a@b.example", to_name="", locale="nl",
                               template="import_failing", context=CONTEXT, now=NOW)
            raise RuntimeError("the change failed")
    assert await outbox_store.list_messages() == []
    assert await deliver_due(NOW, settings_for(smtp)) == 0
    assert smtp.received == []


async def test_the_same_key_is_queued_once(db, smtp) -> None:
    await _queue("fatima@school.example", "nl", key="import-failing:1")
    await _queue("fatima@school.example", "nl", key="import-failing:1")
    await deliver_due(NOW, settings_for(smtp))
    assert len(smtp.received) == 1


async def test_without_smtp_mail_waits_in_the_outbox(db, smtp) -> None:
    await _queue("fatima@school.example", "nl")
    assert await deliver_due(NOW, settings_for(None)) == 0
    assert [r["status"] for r in await outbox_store.list_messages()] == ["pending"]
    assert await deliver_due(NOW, settings_for(smtp)) == 1
    assert len(smtp.received) == 1


async def test_calendar_part_carries_the_method_in_both_places(db, smtp) -> None:
    invite = CalendarInvite(
        method="CANCEL", organizer_email="planning@school.example", organizer_name="School",
        attendee_email="fatima@school.example", attendee_name="Fatima",
        events=(InviteEvent(uid="b1-0@labshare", sequence=2, summary="CNC",
                            start=datetime(2026, 12, 16, 13, tzinfo=UTC),
                            end=datetime(2026, 12, 16, 15, tzinfo=UTC),
                            location="Straatweg 1, Rotterdam"),),
    )
    await _queue("fatima@school.example", "nl", calendar=invite)
    await deliver_due(NOW, settings_for(smtp))
    (message,) = smtp.messages()
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") == "CANCEL"
    assert parts[0]["Content-Transfer-Encoding"] == "base64"
    cal = Calendar.from_ical(parts[0].get_content())
    assert cal["METHOD"] == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "b1-0@labshare", 2, "CANCELLED")
    assert event.decoded("DTSTART") == datetime(2026, 12, 16, 13, tzinfo=UTC)
