"""Periodic notifications, run by the background jobs (booking/services/jobs.py):
reminders 24 h before a start, the facility managers' daily digest, failing imports.

Each mail carries a dedupe key in the outbox (`reminder:…`, `digest:…`, `import-failing:…`),
so however often and in however many processes a job runs, each is queued once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.db import booking_store, notify_store
from booking.db.engine import transaction
from booking.domain.instants import epoch
from booking.services.booking_notices import TEMPLATE, context
from booking.services.outbox import enqueue_mail, enqueue_many, mail_row

REMINDER_AHEAD = timedelta(hours=24)
DIGEST_AT = time(7, 0)
"""Local time of the daily digest, in `zone` (the site default)."""
FAILING_AFTER = 3
"""Consecutive failed fetches before the school is told (once per failing streak)."""


async def send_reminders(now: datetime) -> int:
    """Queue the reminder of every occurrence starting within 24 h; returns how many were due."""
    due = await notify_store.due_reminders(now, now + REMINDER_AHEAD)
    for item in due:
        async with transaction(write=True):
            rec = await booking_store.get_booking(item.booking_id)
            if rec is None or rec.created_at > item.starts_at - REMINDER_AHEAD:
                continue  # booked within the last day: a reminder would only repeat it
            aud = await notify_store.audience(rec.id, rec.created_by, rec.organisation_id,
                                              rec.resource_ids, sorted(rec.school_ids))
            slots = [s for s in aud.slots if s.position == item.position]
            if aud.booker is None or not slots:
                continue
            ctx = context(rec, aud, "reminder", slots, aud.booker, for_school=False, message="")
            await enqueue_many([mail_row(
                to_email=aud.booker.email, to_name=aud.booker.name, locale=aud.booker.locale,
                template=TEMPLATE, context=ctx, now=now,
                key=f"reminder:{rec.id}:{item.position}:{epoch(item.starts_at)}",
            )])
    return len(due)


def digest_cutoff(now: datetime, zone: str) -> datetime:
    """The latest `DIGEST_AT` local time at or before `now`."""
    local = now.astimezone(ZoneInfo(zone))
    today = datetime.combine(local.date(), DIGEST_AT, ZoneInfo(zone))
    return today if today <= local else today - timedelta(days=1)


async def send_digests(now: datetime, zone: str = "Europe/Amsterdam") -> int:
    """Queue one digest per manager for what gathered before today's 07:00; returns mails."""
    cutoff = digest_cutoff(now, zone)
    async with transaction(write=True):
        batches = await notify_store.digest_batches(cutoff)
        for batch in batches:
            await enqueue_mail(
                to_email=batch.person.email, to_name=batch.person.name,
                locale=batch.person.locale, template="digest",
                context={"name": batch.person.name, "lines": list(batch.lines),
                         "count": len(batch.lines), "link": "/manage/requests"},
                now=now, key=f"digest:{batch.person.id}:{max(batch.item_ids)}",
            )
            await notify_store.delete_digest_items(batch.item_ids)
    return len(batches)


async def report_failing_imports(now: datetime) -> int:
    """Tell a school's managers about an import that failed `FAILING_AFTER` times in a row,
    once per failing streak (not on every hourly retry). Returns imports looked at."""
    failing = await notify_store.failing_imports(FAILING_AFTER)
    for item in failing:
        async with transaction(write=True):
            for person in await notify_store.managers_of(item.school_id):
                await enqueue_mail(
                    to_email=person.email, to_name=person.name, locale=person.locale,
                    template="import_failing",
                    context={"name": person.name, "source": item.source,
                             "school": item.school_name, "failures": item.failures,
                             "error": item.error, "link": "/manage"},
                    now=now, key=f"import-failing:{item.id}:{item.streak}:{person.id}",
                )
    return len(failing)
