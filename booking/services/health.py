"""Is the service healthy: today, whether the database answers."""

from __future__ import annotations

from booking.db import health_store


async def check_database() -> None:
    """Return when the database answers a trivial query; raise the driver's error otherwise."""
    await health_store.ping()
