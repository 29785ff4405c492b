"""Clients read our wording, whatever the decoder says: msgspec's and Litestar's messages are
reworded, an unknown one becomes "is not valid", and a message we wrote passes unchanged."""

from __future__ import annotations

import pytest

from api.messages import field_message, invalid, our_wording, printable


@pytest.mark.parametrize(
    ("library", "ours"),
    [
        ("Object missing required field `start`", "is required"),
        ("Object contains unknown field `teachers`", "is not a known field"),
        ("Expected `int`, got `str`", "must be a whole number"),
        ("Expected `bool`, got `int`", "must be true or false"),
        ("Expected `object`, got `array`", "must be a JSON object"),
        ("Expected `str` of length <= 200", "must be at most 200 characters"),
        ("Expected `array` of length <= 20", "must be at most 20 items"),
        ("Expected `int` >= 0", "must be at least 0"),
        ("Expected `float` > 0.0", "must be more than 0"),
        ("Expected `str` matching regex '^[0-9]{2}$'", "has the wrong form"),
        ("Invalid UUID", "must be a UUID"),
        ("Invalid enum value 'often'", "is not one of the allowed values"),
        ("Expected `datetime` with a timezone component",
         "needs a time-zone offset, e.g. +01:00 or Z"),
        ("Some wording a future release invents", "is not valid"),
    ],
)
def test_library_messages_are_said_in_our_words(library: str, ours: str) -> None:
    assert our_wording(library) == ours


def test_our_own_messages_pass_unchanged() -> None:
    item = invalid("start", "must lie between 2000-01-01 and 2100-01-01").extra[0]  # type: ignore[index]
    assert field_message(item) == "must lie between 2000-01-01 and 2100-01-01"
    assert field_message({"key": "limit", "message": "Expected `int` <= 200"}) == (
        "must be at most 200")


def test_a_field_name_a_client_invents_is_named_as_valid_text() -> None:
    assert printable("title\x00\x1b") == "title\\u0000\\u001b"
    assert printable("deelnemers.aantal") == "deelnemers.aantal"
