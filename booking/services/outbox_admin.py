"""What the admin sees of the outbox: messages by status, and one mail as it will be sent
(/dev/mail shows subject, recipients, text, HTML and the calendar part)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from booking.db import outbox_store
from booking.db.rows import Row
from booking.domain.errors import NotAllowed, NotFound
from booking.domain.roles import Actor
from booking.services.outbox_worker import compose_mail
from booking.settings import Settings

STATUSES = ("pending", "sent", "failed")


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    kind: str
    recipient: str
    summary: str
    """The template (mail) or event type (webhook)."""
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class MailPreview:
    item: OutboxItem
    subject: str
    sender: str
    to: str
    text: str
    html: str
    calendar: str | None
    method: str | None


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("only the platform's admins see the outbox")


def _item(row: Row) -> OutboxItem:
    data = json.loads(row["payload"])
    summary = data.get("template", "") if row["kind"] == "mail" else data.get("type", "")
    return OutboxItem(
        id=int(row["id"]), kind=row["kind"], recipient=row["recipient"], summary=str(summary),
        status=row["status"], attempts=int(row["attempts"]), last_error=row["last_error"],
        created_at=row["created_at"], next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
    )


async def list_outbox(
    actor: Actor, *, status: str | None = None, kind: str | None = None, limit: int = 50,
    before_id: int | None = None,
) -> list[OutboxItem]:
    """Newest first (admins only: 403 otherwise); `before_id` pages on."""
    _require_admin(actor)
    rows = await outbox_store.list_messages(status=status, kind=kind, limit=limit,
                                            before_id=before_id)
    return [_item(r) for r in rows]


async def preview_mail(actor: Actor, message_id: int, settings: Settings) -> MailPreview:
    """One outbox mail rendered exactly as the worker sends it (admins only)."""
    _require_admin(actor)
    row = await outbox_store.get_message(message_id)
    if row is None or row["kind"] != "mail":
        raise NotFound("no such mail")
    composed = compose_mail(outbox_id=int(row["id"]), to_email=row["recipient"],
                            payload=row["payload"], created_at=row["created_at"],
                            settings=settings)
    msg = composed.message
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return MailPreview(
        item=_item(row), subject=str(msg["Subject"]), sender=str(msg["From"]), to=str(msg["To"]),
        text="" if text is None else str(text.get_content()),
        html="" if html is None else str(html.get_content()),
        calendar=None if composed.calendar is None else composed.calendar.decode(),
        method=composed.method,
    )
