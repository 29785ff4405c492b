"""Catalogue text search: the words of a query, folded and stemmed the Dutch way (pure).

One home for what both databases match (docs/search.md): a query is split into words (letters
and digits), folded (lower case, no diacritics), Dutch stopwords dropped; each word must match
the start of an indexed word or of an indexed Dutch stem. The stems are Snowball's Dutch
*Porter* stemmer (`snowballstemmer` "dutch_porter"), which gives PostgreSQL 15's `dutch`
stems (lassen → lass, las → las, gelast → gelast); SQLite stores them in its index with
`stems_of`, PostgreSQL computes the same ones itself.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

STEMMER = "dutch_porter"
"""The Snowball variant matching PostgreSQL 15's `dutch` configuration (tests compare them)."""
MAX_TERMS = 8
MAX_WORD = 40

STOPWORDS = frozenset(
    (
        "de", "en", "van", "ik", "te", "dat", "die", "in", "een", "hij", "het", "niet",
        "zijn", "is", "was", "op", "aan", "met", "als", "voor", "had", "er", "maar", "om",
        "hem", "dan", "zou", "of", "wat", "mijn", "men", "dit", "zo", "door", "over", "ze",
        "zich", "bij", "ook", "tot", "je", "mij", "uit", "der", "daar", "haar", "naar", "heb",
        "hoe", "heeft", "hebben", "deze", "u", "want", "nog", "zal", "me", "zij", "nu", "ge",
        "geen", "omdat", "iets", "worden", "toch", "al", "waren", "veel", "meer", "doen",
        "toen", "moet", "ben", "zonder", "kan", "hun", "dus", "alles", "onder", "ja", "eens",
        "hier", "wie", "werd", "altijd", "doch", "wordt", "wezen", "kunnen", "ons", "zelf",
        "tegen", "na", "reeds", "wil", "kon", "niets", "uw", "iemand", "geweest", "andere",
    )
)
"""PostgreSQL's `dutch.stop`: dropped from queries on both databases alike (PostgreSQL would
drop them from its stemmed part only, SQLite not at all)."""

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    """One query word: `raw` (folded) and its Dutch `stem`; it matches an indexed word that
    starts with `raw`, or an indexed stem that starts with `stem`."""

    raw: str
    stem: str


def fold(text: str) -> str:
    """Lower case without diacritics ("Café" → "cafe"), as SQLite's `remove_diacritics 2`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`: runs of letters and digits (hyphens, quotes, brackets and
    JSON punctuation separate words, as both databases' tokenisers do)."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer(STEMMER)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Dutch (Porter) stem of one folded word."""
    return str(_stemmer().stemWord(word))


def stems_of(text: str | None) -> str:
    """`text` as its words' stems joined by spaces: the stemmed column SQLite indexes."""
    return " ".join(stem(w) for w in words(text or ""))


def parse_query(q: str | None) -> list[Term]:
    """The terms every result must match, in query order, without repeats and stopwords, at
    most MAX_TERMS of at most MAX_WORD characters. Empty when nothing searchable is left (the
    query then filters nothing)."""
    terms: list[Term] = []
    for word in words(q or ""):
        word = word[:MAX_WORD]
        if word in STOPWORDS or any(t.raw == word for t in terms):
            continue
        terms.append(Term(word, stem(word)))
        if len(terms) == MAX_TERMS:
            break
    return terms


def is_known(term: Term, vocabulary: Sequence[str]) -> bool:
    """Whether some indexed word starts with the term (or with its stem)."""
    return any(w.startswith(term.raw) or w.startswith(term.stem) for w in vocabulary)


def suggest(terms: Sequence[Term], vocabulary: Iterable[str]) -> str | None:
    """A corrected query ("lasen" → "lassen") when some terms match no indexed word: each
    unknown term replaced by its closest indexed word (difflib ratio ≥ 0.75), known terms kept.
    None when nothing is unknown or nothing is close."""
    known = sorted(set(vocabulary))
    changed = False
    out: list[str] = []
    for term in terms:
        if is_known(term, known):
            out.append(term.raw)
            continue
        close = difflib.get_close_matches(term.raw, known, n=1, cutoff=0.75)
        if not close:
            return None
        out.append(close[0])
        changed = True
    return " ".join(out) if changed else None
