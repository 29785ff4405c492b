"""Every text of the base, public, booker and error pages has a Dutch translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from booking.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    p for folder in ("", "public", "booker", "errors", "account")
    for p in sorted((ROOT / "frontend" / "templates" / folder).glob("*.html"))
]
MODULES = [
    ROOT / "frontend" / name for name in (
        "pages/public.py", "pages/booker.py", "pages/session.py", "my_bookings.py",
        "booking_form.py", "forms.py", "rendering.py", "templating.py", "pages/account.py",
    )
]
KEYWORDS = {**DEFAULT_KEYWORDS, "Flash": (1,), "add": (2,), "_add": (3,), "NavItem": (2,)}


def _messages() -> list[tuple[str, str | tuple[str, str]]]:
    found: list[tuple[str, str | tuple[str, str]]] = []
    for path in TEMPLATES:
        for _, message, _, _ in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords=KEYWORDS,
            options={"extensions": "jinja2.ext.i18n"},
        ):
            found.append((path.name, message))
    for path in MODULES:
        for _, message, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.append((path.name, message))
    return found


def test_the_pages_have_texts() -> None:
    assert len(_messages()) > 150


@pytest.mark.parametrize(("where", "message"), _messages(), ids=lambda v: str(v)[:40])
def test_every_text_has_a_dutch_translation(where: str, message: str | tuple[str, str]) -> None:
    catalogue = translations("nl")._catalog  # type: ignore[attr-defined]
    key = (message[0], 0) if isinstance(message, tuple) else message
    assert key in catalogue, f"{where}: no Dutch for {message!r} in booking/i18n/locale/nl"
