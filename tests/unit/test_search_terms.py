"""Query words, stems and suggestions (booking.domain.search): what both databases match."""

from __future__ import annotations

import pytest

from booking.domain.search import Term, parse_query, stem, stems_of, suggest, words


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lassen", [Term("lassen", "lass")]),
        ("las", [Term("las", "las")]),
        ("CNC Rotterdam", [Term("cnc", "cnc"), Term("rotterdam", "rotterdam")]),
        ("cnc-rotterdam", [Term("cnc", "cnc"), Term("rotterdam", "rotterdam")]),  # not a column
        ("de lasrobot van", [Term("lasrobot", "lasrobot")]),  # stopwords dropped
        ("Café café", [Term("cafe", "caf")]),  # folded, once
        ('"%_*" OR NEAR(', [Term("or", "or"), Term("near", "near")]),  # FTS5 syntax is text
        ("", []),
        ("  % ", []),
    ],
)
def test_parse_query(query: str, expected: list[Term]) -> None:
    assert parse_query(query) == expected


def test_the_stemmer_is_postgresqls_dutch_porter() -> None:
    # PostgreSQL 15 `dutch` (measured, FIELD-NOTES): the newer Kraaij-Pohlmann stemmer would
    # make lassen, las and gelast all "las", and both databases would disagree
    assert [stem(w) for w in ("lassen", "las", "gelast", "freesmachine")] == [
        "lass", "las", "gelast", "freesmachin"]


def test_stems_of_a_document_split_json_and_hyphens() -> None:
    assert words('["cnc", "mig-mag"] CNC-werkplaats') == [
        "cnc", "mig", "mag", "cnc", "werkplaats"]
    assert stems_of("Lassen en frezen") == "lass en frez"
    assert stems_of(None) == ""


def test_many_words_are_capped() -> None:
    assert len(parse_query(" ".join(f"w{i}" for i in range(20)))) == 8


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lasssen", "lassen"),
        ("cnc rotterdm", "cnc rotterdam"),
        ("freesbnak", "freesbank"),
        ("lassen", None),  # nothing unknown: no suggestion
        ("las", None),  # a prefix of an indexed word is known
        ("xyzzy", None),  # nothing close
        ("lasssen xyzzy", None),  # one word beyond help: no half-corrected query
    ],
)
def test_suggest(query: str, expected: str | None) -> None:
    vocabulary = ["lassen", "cnc", "rotterdam", "freesbank", "draaibank", "lasrobot"]
    assert suggest(parse_query(query), vocabulary) == expected
