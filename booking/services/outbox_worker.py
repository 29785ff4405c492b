"""The outbox worker: lease due rows, send them outside the transaction, record the outcome.

Every app process runs it (api/background.py); leases make each row go to one worker at a time,
and a row is marked sent right after the server accepted it. SMTP cannot promise exactly once
(a connection lost after the final "." may deliver twice), so a repeat keeps the fixed
Message-ID `<outbox-{id}@domain>` and the same iTIP UID and SEQUENCE, which clients de-duplicate.
Without `LABSHARE_SMTP_URL` mail is never leased: it stays in the outbox for /dev/mail.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from booking.db import outbox_store
from booking.db.engine import transaction
from booking.db.jobs_store import claim_job, release_job
from booking.db.outbox_store import Leased
from booking.ical.itip import CalendarInvite, render_invite
from booking.mail.messages import build_message
from booking.mail.render import render_mail
from booking.services.booking_notices import expand_events
from booking.services.mail_transport import (
    DeliveryFailure,
    PermanentFailure,
    SmtpConnection,
    SmtpTarget,
    TemporaryFailure,
)
from booking.services.webhook_delivery import deliver_webhook
from booking.settings import Settings

log = logging.getLogger(__name__)

BACKOFF = (
    timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=30),
    timedelta(hours=1), timedelta(hours=2), timedelta(hours=4),
)
"""The wait after attempt n (1-based) failed; the last value repeats."""
MAX_ATTEMPTS = {"mail": 8, "webhook": 12}
"""Mail: 8 attempts over ~8 h; webhooks (retried until a 2xx): 12 over ~24 h."""
LEASE = timedelta(minutes=5)
BATCH = 100


def retry_at(now: datetime, attempts: int) -> datetime:
    """When to try again after `attempts` failed attempts."""
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]


@dataclass(frozen=True, slots=True)
class Composed:
    """An outbox mail made concrete: what /dev/mail shows and what SMTP carries."""

    message: EmailMessage
    calendar: bytes | None
    method: str | None


def compose_mail(
    *, outbox_id: int, to_email: str, payload: str, created_at: datetime, settings: Settings,
) -> Composed:
    """Render a stored mail row into its MIME message (the same bytes on every attempt)."""
    data = json.loads(payload)
    rendered = render_mail(data["template"], data["locale"], data["context"],
                           base_url=settings.public_base_url)
    calendar = method = None
    if data.get("calendar"):
        invite = CalendarInvite.from_json(data["calendar"])
        if not invite.organizer_email:  # ORGANIZER: our own mailbox, the one replies reach
            invite = replace(invite, organizer_email=parseaddr(settings.mail_from)[1])
        calendar, method = render_invite(invite, created_at), invite.method
    message = build_message(
        outbox_id=outbox_id, mail_from=settings.mail_from, to_email=to_email,
        to_name=data["to_name"], rendered=rendered, created_at=created_at,
        calendar=calendar, method=method, locale=data["locale"],
    )
    return Composed(message, calendar, method)


async def _settle(row: Leased, now: datetime, failure: DeliveryFailure | None) -> None:
    if failure is None:
        await outbox_store.mark_sent(row.id, now)
    elif isinstance(failure, PermanentFailure) or row.attempts >= MAX_ATTEMPTS[row.kind]:
        log.warning("outbox %s to %s failed for good: %s", row.id, row.kind, failure)
        await outbox_store.mark_failed(row.id, str(failure))
    else:
        await outbox_store.mark_retry(row.id, str(failure), retry_at(now, row.attempts))


HOLDER = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
EXPAND_LOCK = "outbox_expand_events"


async def expand_recorded_events(now: datetime) -> int:
    """Expand booking-event rows into messages, in one process at a time (a job lease), so
    invitations keep their SEQUENCE order; returns events expanded."""
    if not await claim_job(EXPAND_LOCK, now, now + LEASE, HOLDER):
        return 0
    try:
        return await expand_events()
    finally:
        await release_job(EXPAND_LOCK, HOLDER, now)


async def deliver_due(now: datetime, settings: Settings, *, limit: int = BATCH) -> int:
    """Expand recorded booking events, then send what is due now; returns how many rows were
    handled (events expanded, messages sent, retried or failed)."""
    expanded = await expand_recorded_events(now)
    kinds = ("mail", "webhook") if settings.smtp_url else ("webhook",)
    async with transaction(write=True):
        rows = await outbox_store.lease_due(now, now + LEASE, limit, kinds)
    if not rows:
        return expanded
    mails = [r for r in rows if r.kind == "mail"]
    if mails:
        await _send_mails(mails, now, settings)
    for row in rows:
        if row.kind == "webhook":
            await _settle(row, now, await _attempt_webhook(row, now))
    return expanded + len(rows)


SETTLE_EVERY = 20
"""Mails sent between two commits of their outcomes: a crash re-sends at most these (with the
same Message-ID), and one commit per mail would cost more than the sending."""


async def _settle_all(outcomes: list[tuple[Leased, DeliveryFailure | None]], now: datetime) -> None:
    if outcomes:
        async with transaction(write=True):
            for row, failure in outcomes:
                await _settle(row, now, failure)
        outcomes.clear()


async def _send_mails(rows: list[Leased], now: datetime, settings: Settings) -> None:
    target = SmtpTarget.from_url(settings.smtp_url)
    outcomes: list[tuple[Leased, DeliveryFailure | None]] = []
    try:
        async with SmtpConnection(target) as smtp:
            for row in rows:
                failure: DeliveryFailure | None = None
                try:
                    composed = compose_mail(outbox_id=row.id, to_email=row.recipient,
                                            payload=row.payload, created_at=row.created_at,
                                            settings=settings)
                except Exception as exc:  # a template or payload that cannot render never will
                    failure = PermanentFailure(f"cannot render: {type(exc).__name__}: {exc}")
                else:
                    try:
                        await smtp.send(composed.message)
                    except DeliveryFailure as exc:
                        failure = exc
                outcomes.append((row, failure))
                if len(outcomes) >= SETTLE_EVERY:
                    await _settle_all(outcomes, now)
    finally:
        await _settle_all(outcomes, now)


async def _attempt_webhook(row: Leased, now: datetime) -> DeliveryFailure | None:
    try:
        await deliver_webhook(row.webhook_id, row.recipient, row.payload, now)
    except DeliveryFailure as exc:
        return exc
    except Exception as exc:  # never let one receiver stop the batch
        return TemporaryFailure(f"{type(exc).__name__}: {exc}")
    return None
