"""Our wording for what the decoders report, so that no library upgrade changes what a client
reads (issue 7): msgspec's and Litestar's messages are recognised here and said in our words;
one we do not recognise becomes "is not valid", never the library's text.

`invalid` is the one way the API raises a 422 for a field; its message is ours already and is
marked so, and `field_message` passes such messages through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from litestar.exceptions import ValidationException

__all__ = ["OURS", "field_message", "invalid", "our_wording", "printable"]

OURS = "ours"
"""The key that marks a validation `extra` item whose message we wrote."""

_KINDS = {
    "int": "a whole number", "float": "a number", "str": "text", "bool": "true or false",
    "object": "a JSON object", "array": "a list", "null": "null", "datetime": "a date-time",
    "date": "a date", "time": "a time", "uuid": "a UUID", "bytes": "text",
}


def _kind(name: str) -> str:
    return _KINDS.get(name, "of another type")


def _bound(op: str, value: str, unit: str = "") -> str:
    words = {"<=": "at most", ">=": "at least", "<": "less than", ">": "more than"}[op]
    return f"must be {words} {value}{unit}"


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^Object missing required field `[^`]+`"), lambda m: "is required"),
    (re.compile(r"^Object contains unknown field `[^`]+`"), lambda m: "is not a known field"),
    (re.compile(r"^Expected `(\w+)`, got `(\w+)`"), lambda m: f"must be {_kind(m[1])}"),
    (re.compile(r"^Expected `(?:str|bytes)` of length (<=|>=|<|>) (\d+)"),
     lambda m: _bound(m[1], m[2], " characters")),
    (re.compile(r"^Expected `(?:array|object)` of length (<=|>=|<|>) (\d+)"),
     lambda m: _bound(m[1], m[2], " items")),
    (re.compile(r"^Expected `(?:int|float)` (<=|>=|<|>) (-?[\d.]+)"),
     lambda m: _bound(m[1], m[2].removesuffix(".0"))),
    (re.compile(r"^Expected `str` matching regex"), lambda m: "has the wrong form"),
    (re.compile(r"^Expected `datetime` with a timezone"),
     lambda m: "needs a time-zone offset, e.g. +01:00 or Z"),
    (re.compile(r"^Invalid RFC3339 encoded datetime"),
     lambda m: "must be an RFC 3339 date-time with an offset, e.g. 2027-03-01T09:00:00+01:00"),
    (re.compile(r"^Invalid RFC3339 encoded date"), lambda m: "must be a date, e.g. 2027-03-01"),
    (re.compile(r"^Invalid RFC3339 encoded time"), lambda m: "must be a time, e.g. 09:00"),
    (re.compile(r"^Invalid UUID"), lambda m: "must be a UUID"),
    (re.compile(r"^Invalid enum value"), lambda m: "is not one of the allowed values"),
    (re.compile(r"^Expected `(\w+)`$"), lambda m: f"must be {_kind(m[1])}"),
)


def our_wording(library_message: str) -> str:
    """A decoder's or framework's message about one value, in our words."""
    text = library_message.strip()
    for pattern, say in _RULES:
        if match := pattern.match(text):
            return say(match)
    return "is not valid"


def printable(name: str) -> str:
    """A field name as sent, with control characters (NUL above all) escaped as `\\uXXXX`, so an
    error can name any field a client invents and still be valid text."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)


def field_message(item: Mapping[str, Any]) -> str:
    """The message of one validation `extra` item: ours unchanged, a library's reworded."""
    message = str(item.get("message", ""))
    return message if item.get(OURS) else our_wording(message)


def invalid(field: str, message: str) -> ValidationException:
    """A 422 for one input field, to `raise` from controllers and parsers; `message` is ours."""
    return ValidationException(
        detail=message, extra=[{"key": field, "message": message, OURS: True}])
