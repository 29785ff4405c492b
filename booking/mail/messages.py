"""MIME assembly of one outbox mail: text + HTML alternatives, and the iTIP calendar part.

Layout (what Google Calendar itself sends, read by Outlook, Gmail, Apple Mail and Thunderbird;
docs/notifications.md): multipart/mixed [ multipart/alternative [ text/plain, text/html,
text/calendar; charset="utf-8"; method=<M> (base64) ], application/ics "invite.ics" ].
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from booking.mail.render import RenderedMail


def mail_domain(mail_from: str) -> str:
    """The domain of the sender address (the right-hand side of our Message-IDs)."""
    _, address = parseaddr(mail_from)
    return address.rpartition("@")[2] or "labshare.invalid"


def message_id(outbox_id: int, mail_from: str) -> str:
    """Fixed per outbox row, so a repeated send is recognisable as the same message."""
    return f"<outbox-{outbox_id}@{mail_domain(mail_from)}>"


def build_message(
    *,
    outbox_id: int,
    mail_from: str,
    to_email: str,
    to_name: str,
    rendered: RenderedMail,
    created_at: datetime,
    calendar: bytes | None = None,
    method: str | None = None,
    locale: str = "nl",
) -> EmailMessage:
    """The message for outbox row `outbox_id`; `calendar` (with its `method`) adds the parts."""
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = Address(display_name=to_name, addr_spec=to_email) if to_name else to_email
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(created_at)
    msg["Message-ID"] = message_id(outbox_id, mail_from)
    msg["Content-Language"] = locale
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if calendar is not None:
        if method is None:
            raise ValueError("a calendar part needs its iTIP method")
        msg.add_alternative(
            calendar.decode("utf-8"), subtype="calendar", params={"method": method},
            cte="base64",
        )
        msg.add_attachment(calendar, maintype="application", subtype="ics",
                           filename="invite.ics")
    return msg
