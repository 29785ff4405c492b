"""Times in mail: in the site's zone, in the recipient's language, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from booking.domain.intervals import Interval

_DAYS = {
    "nl": (("ma", "maandag"), ("di", "dinsdag"), ("wo", "woensdag"), ("do", "donderdag"),
           ("vr", "vrijdag"), ("za", "zaterdag"), ("zo", "zondag")),
    "en": (("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"),
           ("Fri", "Friday"), ("Sat", "Saturday"), ("Sun", "Sunday")),
}
_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_SHORT_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _lang(locale: str) -> str:
    return "en" if locale[:2] == "en" else "nl"


def _span(start: datetime, end: datetime, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    return start.astimezone(zone), end.astimezone(zone)


def short_span(interval: Interval, tz: str, locale: str) -> str:
    """For subjects: "di 16 dec 14:00–16:00" (an end on another day adds its date)."""
    lang = _lang(locale)
    s, e = _span(interval.start, interval.end, tz)
    day = f"{_DAYS[lang][s.weekday()][0]} {s.day} {_SHORT_MONTHS[lang][s.month - 1]}"
    end = f"{e:%H:%M}" if e.date() == s.date() else (
        f"{_DAYS[lang][e.weekday()][0]} {e.day} {_SHORT_MONTHS[lang][e.month - 1]} {e:%H:%M}")
    return f"{day} {s:%H:%M}–{end}"


def long_span(interval: Interval, tz: str, locale: str) -> str:
    """For bodies: "dinsdag 16 december 2026, 14:00–16:00 (CET, Europe/Amsterdam)"."""
    lang = _lang(locale)
    s, e = _span(interval.start, interval.end, tz)
    day = f"{_DAYS[lang][s.weekday()][1]} {s.day} {_MONTHS[lang][s.month - 1]} {s.year}"
    end = f"{e:%H:%M}" if e.date() == s.date() else (
        f"{_DAYS[lang][e.weekday()][1]} {e.day} {_MONTHS[lang][e.month - 1]} {e:%H:%M}")
    zone = s.tzname() if s.tzname() == e.tzname() else f"{s.tzname()}/{e.tzname()}"
    return f"{day}, {s:%H:%M}–{end} ({zone}, {tz})"
