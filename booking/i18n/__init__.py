"""Translations for every layer: gettext catalogues compiled in memory, reasons, locale choice.

Each `booking/i18n/locale/<lang>/LC_MESSAGES/*.po` file is read and merged into one catalogue per
language (so each engineer keeps an own file: `pages.po`, `reasons.po`, `manage.po`, …); no `.mo`
binaries are committed. Message ids are the English texts, so English needs no catalogue.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from booking.i18n.reasons import reason_message

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "LOCALE_DIR",
    "negotiate_locale",
    "reason_message",
    "translations",
]

LOCALES: tuple[str, ...] = ("nl", "en")
"""Supported languages; the first is the default (Dutch)."""
DEFAULT_LOCALE = "nl"
LOCALE_DIR = Path(__file__).parent / "locale"


def _compile(po_path: Path, lang: str) -> Translations:
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=po_path.stem)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def translations(locale: str) -> Translations:
    """Every `*.po` of `locale` merged into one catalogue (files in name order; later ids win).

    Cached per language; an unsupported locale gives the default (Dutch) catalogue, and a
    language without files an empty one (messages stay English).
    """
    return _merged(normalise(locale) or DEFAULT_LOCALE)


@lru_cache(maxsize=8)
def _merged(lang: str) -> Translations:
    merged = Translations(domain="messages")
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        merged.merge(_compile(po_path, lang))
    return merged


def normalise(tag: str | None) -> str | None:
    """"nl", "en" from a tag such as "nl-NL" or "en_GB"; None when not supported."""
    if not tag:
        return None
    lang = tag.strip().replace("_", "-").split("-")[0].lower()
    return lang if lang in LOCALES else None


def negotiate_locale(accept_language: str | None, cookie: str | None) -> str:
    """The page language: the visitor's explicit choice (cookie), else the browser's preference.

    From `Accept-Language` the supported language with the highest q-value wins (ties: first
    listed); anything else, or nothing, gives Dutch.
    """
    chosen = normalise(cookie)
    if chosen:
        return chosen
    best: tuple[float, int, str] | None = None
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        lang = normalise(tag)
        if lang is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -index) > (best[0], best[1])):
            best = (quality, -index, lang)
    return best[2] if best else DEFAULT_LOCALE
