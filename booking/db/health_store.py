"""The database liveness probe."""

from __future__ import annotations

from booking.db.sql import fetch_one


async def ping() -> None:
    """A `SELECT 1` on the database; raises whatever the driver raises when it does not answer."""
    await fetch_one("SELECT 1 AS one")
