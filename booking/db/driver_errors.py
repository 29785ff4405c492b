"""What a driver error means to a use case: the overlap guard refused, or retry the transaction."""

from __future__ import annotations

import sqlite3


def is_overlap_error(exc: BaseException) -> bool:
    """True for the database's no-overlap guard: the SQLite trigger or the PG exclusion."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "booking_overlap" in str(exc)
    return getattr(exc, "sqlstate", None) == "23P01"


def is_retryable(exc: BaseException) -> bool:
    """Deadlock or serialization failure (PostgreSQL 40P01 / 40001): retry the transaction."""
    return getattr(exc, "sqlstate", None) in ("40P01", "40001")
