"""Idempotency-Key handling for create_booking: records scoped by (organisation, key).

A `running` record is committed before the booking transaction starts (the unique index
`idempotency_org_key` decides the race); the booking transaction marks it `done` with the
response. Records are kept at least RETENTION and purged opportunistically afterwards.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from booking.db import idempotency_store as store
from booking.db.engine import transaction
from booking.domain.errors import IdempotencyInProgress, IdempotencyMismatch
from booking.domain.instants import utc
from booking.services.views import BookingResult

RETENTION = timedelta(hours=24)
STALE_AFTER = timedelta(seconds=60)
PURGE_PROBABILITY = 0.02


def request_hash_of(text: str) -> str:
    """A request hash that fits the column: SHA-256 hex of anything longer than 64."""
    return text if len(text) <= 64 else hashlib.sha256(text.encode()).hexdigest()


async def begin(organisation_id: str, key: str, request_hash: str, now: datetime
                ) -> BookingResult | None:
    """None when this request owns the key now; the stored result for a finished replay.

    Raises IdempotencyMismatch for another body, IdempotencyInProgress while the first request
    runs (a `running` record younger than STALE_AFTER; an older one is taken over).
    """
    now = utc(now)
    async with transaction():
        if random.random() < PURGE_PROBABILITY:
            await store.purge(now - RETENTION)
        if await store.claim_key(organisation_id, key, request_hash, now):
            return None
        record = await store.get_record(organisation_id, key)
        if record is None:  # purged or released in between: ours now
            if await store.claim_key(organisation_id, key, request_hash, now):
                return None
            raise IdempotencyInProgress("the first request with this key is still running")
        if record.request_hash != request_hash:
            raise IdempotencyMismatch("this Idempotency-Key was used with another request body")
        if record.state == "done":
            return BookingResult(
                status_code=int(record.status_code or 200),
                booking=None,
                body=(record.response_body or "").encode(),
                replayed=True,
            )
        if now - record.created_at < STALE_AFTER:
            raise IdempotencyInProgress("the first request with this key is still running")
        if await store.take_over(record, request_hash, now):
            return None
        raise IdempotencyInProgress("the first request with this key is still running")


async def finish(organisation_id: str, key: str, request_hash: str, status_code: int,
                 body: bytes, now: datetime) -> None:
    """Store the response; call inside the transaction that made the result."""
    await store.finish(organisation_id, key, request_hash, status_code, body.decode(), utc(now))


async def release(organisation_id: str, key: str) -> None:
    """Forget a running record after a failure, so a retry runs again."""
    async with transaction():
        await store.release(organisation_id, key)


async def record_idempotent_error(
    organisation_id: str, key: str, fingerprint: str, status: int, body: bytes,
    *, now: datetime | None = None,
) -> None:
    """Store a first response that was an error (409/422) so a replay answers the same."""
    from datetime import UTC

    async with transaction():
        await store.finish(
            organisation_id, key, request_hash_of(fingerprint), status, body.decode(),
            utc(now or datetime.now(UTC)),
        )
