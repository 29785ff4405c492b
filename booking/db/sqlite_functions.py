"""SQL functions of ours that every SQLite connection registers (the search triggers call them)."""

from __future__ import annotations

import sqlite3
from typing import Any

from booking.domain.search import stems_of

STEM_FUNCTION = "labshare_stem"
"""`labshare_stem(text)`: the Dutch stems of a text, as `booking.domain.search.stems_of`."""


def register(conn: sqlite3.Connection) -> None:
    """Make our functions known on a sqlite3 connection: any connection that writes resources,
    organisations or sites fires the search triggers and needs them."""
    conn.create_function(STEM_FUNCTION, 1, stems_of, deterministic=True)


async def register_async(conn: Any) -> None:
    """`register` on an aiosqlite connection."""
    await conn.create_function(STEM_FUNCTION, 1, stems_of, deterministic=True)
