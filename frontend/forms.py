"""Reading form and query values leniently: bad input becomes a message next to the field.

Messages are English gettext ids translated at once into the request's language.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from booking.i18n import translations

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$|^24[:.]00$")


class FormErrors(dict[str, str]):
    """Field name → translated message; the first message per field wins."""

    def __init__(self, locale: str = "nl") -> None:
        super().__init__()
        self.locale = locale

    def add(self, field: str, message: str, **params: Any) -> None:
        if field not in self:
            text = translations(self.locale).gettext(message)
            self[field] = text % params if params else text


def _add(errors: dict[str, str], field: str, message: str, **params: Any) -> None:
    if isinstance(errors, FormErrors):
        errors.add(field, message, **params)
    elif field not in errors:
        errors[field] = message % params if params else message


def parse_date(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    """An ISO date ("2027-03-29"); empty gives None; anything else adds an error."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        _add(errors, field, "Enter a date such as %(example)s.", example="2027-03-29")
        return None


def parse_time(value: str | None, field: str, errors: dict[str, str]) -> int | None:
    """Minutes since local midnight from "08:30" (or "8.30"; "24:00" = 1440); None adds an error
    unless the value is empty."""
    text = (value or "").strip()
    if not text:
        _add(errors, field, "Enter a time such as %(example)s.", example="08:30")
        return None
    if not _TIME.match(text):
        _add(errors, field, "Enter a time such as %(example)s.", example="08:30")
        return None
    hours, minutes = re.split(r"[:.]", text)
    return int(hours) * 60 + int(minutes)


def minutes_to_time(minutes: int) -> str:
    """"08:30" for 510; "24:00" for 1440."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_int(
    value: str | None, field: str, errors: dict[str, str], *, low: int = 0, high: int = 10_000,
) -> int | None:
    """A whole number within [low, high]; empty gives None."""
    if value is None or not str(value).strip():
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        _add(errors, field, "Enter a whole number.")
        return None
    if not low <= number <= high:
        _add(errors, field, "Enter a number from %(low)s to %(high)s.", low=low, high=high)
        return None
    return number


def as_time(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)
