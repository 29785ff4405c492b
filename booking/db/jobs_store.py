"""Job leases in `job_locks`: a job runs once per period across every process sharing the DB."""

from __future__ import annotations

from datetime import UTC, datetime

from booking.db.sql import execute, fetch
from booking.domain.instants import utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def claim_job(name: str, now: datetime, until: datetime, holder: str) -> bool:
    """Take the lease of job `name` until `until` if it has expired (or never existed).

    The row is created once (`ON CONFLICT DO NOTHING`); the claim is one conditional UPDATE,
    so of several processes asking at once exactly one wins each period.
    """
    await execute(
        "INSERT INTO job_locks (name, locked_until, holder) VALUES ($1, $2, '') "
        "ON CONFLICT (name) DO NOTHING",
        name, _EPOCH,
    )
    rows = await fetch(
        "UPDATE job_locks SET locked_until = $1, holder = $2 "
        "WHERE name = $3 AND locked_until <= $4 RETURNING name",
        utc(until), holder[:100], name, utc(now),
    )
    return bool(rows)


async def release_job(name: str, holder: str, until: datetime) -> None:
    """Shorten our own lease to `until` (e.g. to let the next run come sooner)."""
    await execute(
        "UPDATE job_locks SET locked_until = $1 WHERE name = $2 AND holder = $3",
        utc(until), name, holder[:100],
    )
