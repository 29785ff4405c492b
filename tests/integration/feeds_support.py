"""Bookings written straight through the booking store (as the services write them), and the
occurrences the database holds, for the feed tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from booking.db import booking_store
from booking.db.engine import transaction
from booking.db.sql import execute, fetch
from booking.domain.instants import utc
from booking.domain.intervals import Interval

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def local(y: int, mo: int, d: int, h: int, mi: int = 0, *, fold: int = 0) -> datetime:
    """An Amsterdam wall-clock time as an aware UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=AMS, fold=fold).astimezone(UTC)


async def add_booking(
    company_id: str, resource_ids: Sequence[str], intervals: Sequence[Interval], *,
    status: str = "confirmed", title: str = "Training", now: datetime = T0,
    students: int = 8, employees: int = 2,
) -> str:
    """A booking with one occurrence per interval, claiming exactly its resources."""
    async with transaction():
        bid = await booking_store.insert_booking(
            booking_store.NewBooking(
                organisation_id=company_id, created_by=None, title=title, status=status,
                students=students, employees=employees, price_amount=Decimal("100.00"),
                currency="EUR", rrule=None, resource_ids=list(resource_ids),
                starts_at=intervals[0].start, ends_at=intervals[-1].end, now=now,
            )
        )
        active = status in ("pending", "confirmed")
        for pos, iv in enumerate(intervals):
            claims = [(rid, iv) for rid in resource_ids] if active else []
            await booking_store.insert_occurrence(bid, pos, iv, claims)
    return bid


async def change_booking(booking_id: str, now: datetime, *, status: str | None = None,
                         title: str | None = None) -> None:
    """Change status and/or title as a service would: version, sequence (status) and stamp."""
    await execute(
        "UPDATE bookings SET status = COALESCE($1, status), title = COALESCE($2, title), "
        "version = version + 1, sequence = sequence + CASE WHEN $1 IS NULL THEN 0 ELSE 1 END, "
        "updated_at = $3 WHERE id = $4",
        status, title, utc(now), booking_id,
    )
    if status in ("cancelled", "declined", "expired"):
        await execute("UPDATE claims SET active = $1 WHERE booking = $2", False, booking_id)


async def set_address(site_id: str, address: str, postcode: str, city: str) -> None:
    await execute(
        "UPDATE sites SET address = $1, postcode = $2, city = $3 WHERE id = $4",
        address, postcode, city, site_id,
    )


async def held_occurrences(booking_ids: Sequence[str]) -> set[tuple[str, int, datetime, datetime]]:
    """(booking, position, start, end) of the given bookings' occurrences, as stored."""
    rows = await fetch("SELECT booking, position, starts_at, ends_at FROM occurrences")
    return {
        (str(r["booking"]), int(r["position"]), r["starts_at"].astimezone(UTC),
         r["ends_at"].astimezone(UTC))
        for r in rows
        if str(r["booking"]) in booking_ids
    }
