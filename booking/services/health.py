"""Is the service healthy: today, whether the database answers."""

from __future__ import annotations

from booking.db import health_store, outage


async def check_database() -> None:
    """Return when the database answers a trivial query; raise the driver's error otherwise."""
    await health_store.ping()


RETRY_AFTER_SECONDS = outage.RETRY_AFTER_SECONDS
"""What an outage answer suggests (`Retry-After`): the pools reconnect on their own."""


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable (answer 503, back off), not a bug."""
    return outage.is_outage(exc)
