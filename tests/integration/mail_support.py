"""Reading what arrived: the text, HTML and iTIP parts of a parsed message."""

from __future__ import annotations

from email.message import EmailMessage

from icalendar import Calendar


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def calendar_of(message: EmailMessage) -> tuple[str, Calendar] | None:
    """(the part's method= parameter, the parsed VCALENDAR) of the text/calendar part."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None
    assert len(parts) == 1
    return str(parts[0].get_param("method")), Calendar.from_ical(parts[0].get_content())
