"""The transactional outbox: queue mail and webhook deliveries inside the caller's transaction.

Call `enqueue_mail(...)` inside the write transaction of the change the mail reports; the row
commits or rolls back with it, and the worker (`booking.services.outbox_worker`) sends it later
over SMTP with retries. Nothing is rendered here: the template name and its JSON-safe context
are stored and rendered at send time (and on the admin's /dev/mail page).

Templates (full convention in `booking.mail.render`): a folder
`booking/mail/templates/<template>/` with `subject.nl.txt`, `body.nl.txt`, `body.nl.html` and
the same three files for `en`; the HTML body extends `_layout.html`. The context gets
`base_url` added, so links are written `{{ base_url }}/path` (absolute).

`key` makes a mail idempotent: a second enqueue with the same key (e.g. "reminder:<booking>")
is silently dropped, across processes and restarts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from booking.db import outbox_store
from booking.db.outbox_store import NewMessage
from booking.ical.itip import CalendarInvite
from booking.mail.render import mail_locale, template_exists

MAIL, WEBHOOK = "mail", "webhook"


def mail_row(
    *, to_email: str, to_name: str, locale: str, template: str, context: Mapping[str, Any],
    now: datetime, calendar: CalendarInvite | None = None, key: str | None = None,
) -> NewMessage:
    """The outbox row `enqueue_mail` writes (for callers that queue many in one statement)."""
    if not template_exists(template):
        raise ValueError(f"no mail template {template!r} under booking/mail/templates")
    if "@" not in to_email:
        raise ValueError(f"not an e-mail address: {to_email!r}")
    payload = {
        "to_name": to_name, "locale": mail_locale(locale), "template": template,
        "context": dict(context),
        "calendar": None if calendar is None else calendar.to_json(),
    }
    return NewMessage(kind=MAIL, recipient=to_email, payload=json.dumps(payload),
                      now=now, dedupe_key=key)


async def enqueue_mail(
    *,
    to_email: str,
    to_name: str,
    locale: str,
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    calendar: CalendarInvite | None = None,
    key: str | None = None,
) -> None:
    """Queue one mail in the current transaction. `locale` is the recipient's (users.locale;
    unknown → Dutch); `context` must be JSON-serialisable; `calendar` adds the iTIP part;
    `key` deduplicates. Raises ValueError for an unknown template or a non-address."""
    await outbox_store.insert_messages([mail_row(
        to_email=to_email, to_name=to_name, locale=locale, template=template,
        context=context, now=now, calendar=calendar, key=key,
    )])


async def enqueue_many(rows: list[NewMessage]) -> None:
    """Queue rows built with `mail_row` (or webhook rows) in one statement."""
    await outbox_store.insert_messages(rows)
