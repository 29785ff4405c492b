"""Every gettext catalogue is complete: no entry without a translation, none left fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from booking.i18n import LOCALE_DIR

CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _label(path: Path) -> str:
    return f"{path.parts[-3]}/{path.name}"


def test_there_are_dutch_catalogues() -> None:
    assert len([p for p in CATALOGUES if p.parts[-3] == "nl"]) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=_label)
def test_every_entry_is_translated_and_not_fuzzy(path: Path) -> None:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=path.parts[-3])
    empty, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not empty, f"{_label(path)}: no translation for {empty[:10]}"
    assert not fuzzy, f"{_label(path)}: fuzzy entries {fuzzy[:10]}"


def test_one_message_has_one_dutch_translation_across_files() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in (p for p in CATALOGUES if p.parts[-3] == "nl"):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="nl"):
                if not message.id or isinstance(message.id, tuple):
                    continue
                earlier = seen.setdefault(message.id, (path.name, str(message.string)))
                if earlier[1] != str(message.string):
                    clashes.append(f"{message.id!r}: {earlier} vs {path.name}={message.string!r}")
    assert not clashes, "\n".join(clashes[:10])
