"""booking.i18n: merged catalogues, reason sentences in both languages, locale negotiation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.domain.errors import Reason
from booking.i18n import LOCALE_DIR, negotiate_locale, reason_message, translations

ALL_CODES = (
    "closed", "closure", "booked", "too_soon", "too_far", "too_short", "too_long",
    "not_aligned", "not_allowed", "induction_required", "quota",
)


@pytest.mark.parametrize(
    ("accept", "cookie", "expected"),
    [
        (None, None, "nl"),  # nothing known: Dutch
        ("en-US,en;q=0.9", None, "en"),  # an English browser
        ("nl-NL,nl;q=0.9,en;q=0.8", None, "nl"),
        ("de-DE,en;q=0.5,nl;q=0.7", None, "nl"),  # highest supported q wins
        ("fr-FR", None, "nl"),  # unsupported: Dutch
        ("en;q=0", None, "nl"),  # q=0 means "not this"
        ("en-US", "nl", "nl"),  # the explicit choice beats the browser
        ("nl", "en", "en"),
        ("nl", "xx", "nl"),  # a broken cookie is ignored
        ("en;q=abc", None, "nl"),
    ],
)
def test_negotiate_locale(accept: str | None, cookie: str | None, expected: str) -> None:
    assert negotiate_locale(accept, cookie) == expected


@pytest.mark.parametrize(
    ("reason", "nl", "en"),
    [
        (Reason("too_soon", "x", params={"hours": 48, "minutes": 2880}),
         "te kort van tevoren: minstens 48 uur vooraf", "too short notice: 48 hours in advance"),
        (Reason("closure", "closed — Kerstvakantie"),
         "gesloten — Kerstvakantie", "closed — Kerstvakantie"),
        (Reason("closure", "closed", params={"reason": "Onderhoud"}),
         "gesloten — Onderhoud", "closed — Onderhoud"),
        (Reason("closure", "closed"), "gesloten", "closed"),
        (Reason("too_far", "x", params={"days": 180}),
         "te ver vooruit: hooguit 180 dagen vooraf", "too far ahead: at most 180 days in advance"),
        (Reason("too_short", "x", params={"minutes": 90}),
         "te kort: minstens 90 minuten", "too short: at least 90 minutes"),
        (Reason("too_long", "x", params={"minutes": 480}),
         "te lang: hooguit 8 uur", "too long: at most 8 hours"),
        (Reason("too_short", "x", params={"minutes": 60}),
         "te kort: minstens 1 uur", "too short: at least 1 hour"),
        (Reason("quota", "x", params={"hours": 1}),
         "boven het quotum van 1 uur per week", "over the quota of 1 hour per week"),
        (Reason("something_new", "as the domain says"), "as the domain says", "as the domain says"),
    ],
)
def test_reason_message(reason: Reason, nl: str, en: str) -> None:
    assert reason_message(reason, "nl") == nl
    assert reason_message(reason, "en") == en


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_domain_code_has_a_dutch_sentence(code: str) -> None:
    at = datetime(2027, 3, 29, 6, tzinfo=UTC)
    reason = Reason(code, "english default", at, at, {"hours": 2, "minutes": 30, "days": 3})
    dutch = reason_message(reason, "nl")
    assert dutch != reason_message(reason, "en")
    assert dutch != "english default"


def test_catalogues_of_every_po_file_are_merged(tmp_path: pytest.TempPathFactory) -> None:
    files = sorted(p.name for p in (LOCALE_DIR / "nl" / "LC_MESSAGES").glob("*.po"))
    assert {"pages.po", "reasons.po"} <= set(files)
    nl = translations("nl")
    assert nl.gettext("Sign in") == "Inloggen"  # pages.po
    assert nl.gettext("closed") == "gesloten"  # reasons.po
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("nl-NL") is translations("nl")
