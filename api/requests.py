"""JSON request bodies decoded strictly, once, in one place: `StrictRequest` (the app's
request class).

A body is decoded against the handler's `data` type with msgspec in strict mode — `"2"` is not
an integer, `"1"` not a weekday — and every failure is a 422 naming the field: invalid JSON,
bytes that are not UTF-8, nesting deeper than msgspec follows, a wrong type, a broken
constraint, an unknown or missing field. Instants and dates anywhere in the body are then held
to the bounds of `api.deps` (an offset; 2000–2100). Litestar's own conversion afterwards sees
only values that already passed (it is lenient: it would coerce strings to numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Request
from litestar.types import Empty

from api.deps import check_date, require_aware
from api.messages import invalid, our_wording

__all__ = ["StrictRequest", "decode_body"]

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_NAMED = re.compile(r"(?:unknown|missing required) field `(?P<name>[^`]+)`")


def _field_of(message: str) -> tuple[str, str]:
    """msgspec's "Expected `int`, got `str` - at `$.participants.students`" as
    ("participants.students", "must be a whole number"); "$[0].weekday" as "[0].weekday";
    an unknown or missing field is named itself ("status", "participants.teachers")."""
    path = ""
    if match := _AT.search(message):
        path = match.group("path").lstrip(".")
        message = message[: match.start()]
    if named := _NAMED.search(message):
        path = f"{path}.{named.group('name')}" if path else named.group("name")
    return path or "body", our_wording(message)


def _dated(value: Any, path: str) -> Iterator[tuple[str, date]]:
    """Every date and datetime inside a decoded value, with its field path."""
    if isinstance(value, date):  # datetime is a date too
        yield path or "body", value
    elif isinstance(value, msgspec.Struct):
        for name, encoded in zip(value.__struct_fields__, value.__struct_encode_fields__,
                                 strict=True):
            yield from _dated(getattr(value, name), f"{path}.{encoded}" if path else encoded)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _dated(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _dated(item, f"{path}.{key}" if path else str(key))


def _nul_field(value: Any, path: str) -> str | None:
    """The path of the first string (or key) holding a NUL character, None when there is none."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := _nul_field(item, f"{path}[{i}]")) is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return where
            if (found := _nul_field(item, where)) is not None:
                return found
    return None


def decode_body(raw: bytes, target: Any = None) -> Any:
    """The JSON `raw` as plain values, after a strict decode against `target` (a handler's
    `data` type; None: JSON syntax only). Raises ValidationException (422) naming the field."""
    try:
        if target is not None:
            typed = msgspec.json.decode(raw, type=target, strict=True)
            for field, value in _dated(typed, ""):
                if isinstance(value, datetime):
                    require_aware(value, field)
                else:
                    check_date(value, field)
        plain = msgspec.json.decode(raw)
        # PostgreSQL cannot store NUL in text; refuse it for every backend alike
        if b"\\u0000" in raw and (where := _nul_field(plain, "")) is not None:
            raise invalid(where, "text must not contain NUL characters")
        return plain
    except msgspec.ValidationError as exc:
        field, message = _field_of(str(exc))
        raise invalid(field, message) from None
    except UnicodeDecodeError:
        raise invalid("body", NOT_UTF8) from None
    except RecursionError:
        raise invalid("body", "the JSON is nested too deeply") from None
    except msgspec.DecodeError:
        if not _is_utf8(raw):
            raise invalid("body", NOT_UTF8) from None
        raise invalid("body", "the body is not valid JSON") from None


NOT_UTF8 = "the body is not UTF-8 text"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _data_type(request: Request[Any, Any, Any]) -> Any:
    try:
        field = request.route_handler.parsed_fn_signature.parameters.get("data")
    except (AttributeError, KeyError):
        return None
    return None if field is None else field.raw


class StrictRequest(Request[Any, Any, Any]):
    """Litestar's Request whose `json()` is `decode_body` against the handler's `data` type."""

    async def json(self) -> Any:
        if self._json is Empty:
            if (cached := self._connection_state.json) is not Empty:
                self._json = cached
            else:
                body = await self.body()
                self._json = self._connection_state.json = decode_body(
                    body or b"null", _data_type(self)
                )
        return self._json
