"""Full-text matching in SQL on both databases, built from `booking.domain.search` terms.

The search documents are kept by triggers (migration 2026-12-08T13); this module turns terms
into each backend's match and score expressions, reads the indexed vocabulary for
suggestions (`booking.db.sqlite_functions` registers the stemming function SQLite's triggers
call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from booking.db.engine import current_engine, is_sqlite
from booking.db.sql import fetch
from booking.domain.search import Term, fold


def fts5_query(terms: Sequence[Term]) -> str:
    """The FTS5 MATCH text: every term as a prefix of a raw word or of a stem. Terms are
    letters and digits only (see `booking.domain.search.words`), so quoting is safe."""
    return " AND ".join(
        f'({{name_raw body_raw}} : "{t.raw}" * OR {{name_stem body_stem}} : "{t.stem}" *)'
        for t in terms
    )


def _tsquery(arg: Callable[[Any], str], term: Term) -> str:
    word = arg(f"'{term.raw}':*")
    return f"(to_tsquery('simple', {word}) || to_tsquery('dutch', {word}))"


def text_match(terms: Sequence[Term], arg: Callable[[Any], str]) -> tuple[str, str]:
    """(JOIN clause, score expression) restricting `resources r` to those matching every term;
    a higher score is more relevant. `arg(value)` adds a parameter and returns its mark."""
    if is_sqlite(current_engine()):
        return (
            "JOIN (SELECT resource AS id, bm25(resource_search, 0, 4.0, 4.0, 1.0, 1.0) AS bm "
            f"FROM resource_search WHERE resource_search MATCH {arg(fts5_query(terms))}) rs "
            "ON rs.id = r.id",  # ids are text on SQLite; a CAST here would defeat the index
            "-rs.bm",
        )
    query = " && ".join(_tsquery(arg, t) for t in terms)
    return (
        f"JOIN (SELECT resource AS id, ts_rank(document, t.q) AS score FROM resource_search, "
        f"(SELECT {query} AS q) AS t WHERE document @@ t.q) rs ON rs.id = r.id",
        "rs.score",
    )


async def vocabulary() -> list[str]:
    """Every word as written (folded) in the search documents (for "did you mean")."""
    if is_sqlite(current_engine()):
        rows = await fetch(
            "SELECT term FROM resource_search_vocab WHERE col IN ('name_raw', 'body_raw')"
        )
        return sorted({str(r["term"]) for r in rows})
    rows = await fetch("SELECT word FROM ts_stat('SELECT words FROM resource_search')")
    return sorted({fold(str(r["word"])) for r in rows})
