"""Writes that change a stored booking: swap an occurrence's claims, update the booking row,
cancel one occurrence; and which active bookings a closure or new hours would meet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from booking.db.sql import Stmt, execute, execute_many, fetch, fetch_batch, placeholders
from booking.domain.instants import epoch, utc
from booking.domain.intervals import Interval
from booking.domain.openinghours import format_hhmm

_INSERT_CLAIM = (
    "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


async def detach(occurrence_ids: Sequence[str]) -> None:
    """Take the occurrences out of every read (claims deleted, status `moving`) for the rest
    of the caller's transaction, so the checks of their new times do not meet them;
    `write_change` puts them back. A rollback restores both. One batch (one hop)."""
    if not occurrence_ids:
        return
    marks = placeholders(len(occurrence_ids))
    await fetch_batch([
        Stmt(f"DELETE FROM claims WHERE occurrence IN ({marks})", list(occurrence_ids)),
        Stmt(f"UPDATE occurrences SET status = 'moving' WHERE id IN ({marks})",
             list(occurrence_ids)),
    ])


@dataclass(frozen=True, slots=True)
class Moved:
    """An occurrence's new interval and the claims it holds there."""

    occurrence_id: str
    interval: Interval
    claims: Sequence[tuple[str, Interval]]


@dataclass(frozen=True, slots=True)
class BookingUpdate:
    """The booking row's new values; `expected_version` guards against a concurrent change."""

    booking_id: str
    expected_version: int
    title: str
    students: int
    employees: int
    status: str
    price_amount: Decimal
    starts_at: datetime
    ends_at: datetime
    now: datetime


_UPDATE_BOOKING = (
    "UPDATE bookings SET title = $1, students = $2, employees = $3, status = $4, "
    "price_amount = $5, starts_at = $6, ends_at = $7, version = version + 1, "
    "sequence = sequence + 1, updated_at = $8, "
    "cancelled_at = CASE WHEN $11 THEN $8 ELSE cancelled_at END "
    "WHERE id = $9 AND version = $10 AND status IN ('pending', 'confirmed') RETURNING id"
)


def _update_stmt(u: BookingUpdate) -> Stmt:
    return Stmt(_UPDATE_BOOKING, [
        u.title, u.students, u.employees, u.status, u.price_amount, utc(u.starts_at),
        utc(u.ends_at), utc(u.now), u.booking_id, u.expected_version, u.status == "cancelled",
    ])


async def update_booking(u: BookingUpdate) -> bool:
    """Write `u`, bumping version and SEQUENCE (feeds and mails show a changed event); False
    when the booking is no longer at `expected_version` (nothing written)."""
    return bool((await fetch_batch([_update_stmt(u)]))[0])


async def write_change(
    u: BookingUpdate, moved: Sequence[Moved], resource_ids: Sequence[str] | None
) -> bool:
    """The moved occurrences active again at their new times with their claims (the database
    refuses an overlapping active claim), the booking's resources (when given) and row `u`,
    in one batch (one hop on SQLite). False when the version guard failed."""
    statements = [
        Stmt("UPDATE occurrences SET starts_at = $1, ends_at = $2, status = 'active' "
             "WHERE id = $3", [utc(m.interval.start), utc(m.interval.end), m.occurrence_id])
        for m in moved
    ]
    claims = [
        (str(uuid.uuid4()), u.booking_id, m.occurrence_id, rid, epoch(iv.start), epoch(iv.end),
         True)
        for m in moved for rid, iv in m.claims
    ]
    if claims:
        statements.append(Stmt(_INSERT_CLAIM, claims, many=True))
    if resource_ids is not None:
        statements += [
            Stmt("DELETE FROM booking_resources WHERE booking = $1", [u.booking_id]),
            Stmt("INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)",
                 [(str(uuid.uuid4()), u.booking_id, rid) for rid in resource_ids], many=True),
        ]
    statements.append(_update_stmt(u))
    return bool((await fetch_batch(statements))[-1])


async def cancel_occurrences(occurrence_ids: Sequence[str]) -> None:
    """Mark the occurrences cancelled (they keep row and position) and free their time."""
    if not occurrence_ids:
        return
    marks = placeholders(len(occurrence_ids))
    await execute(
        f"UPDATE occurrences SET status = 'cancelled' WHERE id IN ({marks})", *occurrence_ids
    )
    await execute(f"DELETE FROM claims WHERE occurrence IN ({marks})", *occurrence_ids)


@dataclass(frozen=True, slots=True)
class MetOccurrence:
    """An active occurrence of an active booking on a resource, as a closure would meet it."""

    booking_id: str
    resource_id: str
    occurrence_id: str
    position: int
    interval: Interval
    is_series: bool
    status: str


async def occurrences_on(
    window: Interval, *, resource_id: str | None = None, site_id: str | None = None
) -> list[MetOccurrence]:
    """Active occurrences of pending/confirmed bookings that asked for the resource (or any
    resource of the site) overlapping `window`, by start. What a closure or new opening hours
    meet: the resources a booking asked for are the ones whose calendars it was checked
    against."""
    scope: str | None = resource_id
    where = "br.resource = $3"
    if site_id is not None:
        where, scope = "br.resource IN (SELECT id FROM resources WHERE site = $3)", site_id
    rows = await fetch(
        "SELECT CAST(b.id AS TEXT) AS bid, CAST(br.resource AS TEXT) AS rid, "
        "CAST(o.id AS TEXT) AS oid, o.position, o.starts_at, o.ends_at, "
        "CASE WHEN b.rrule IS NULL THEN 0 ELSE 1 END AS series, b.status "
        "FROM occurrences o JOIN bookings b ON b.id = o.booking "
        "JOIN booking_resources br ON br.booking = b.id "
        f"WHERE {where} AND o.status = 'active' AND b.status IN ('pending', 'confirmed') "
        "AND o.starts_at < $2 AND o.ends_at > $1 ORDER BY o.starts_at, bid, rid",
        utc(window.start), utc(window.end), scope,
    )
    return [
        MetOccurrence(r["bid"], r["rid"], r["oid"], int(r["position"]),
                      Interval(r["starts_at"], r["ends_at"]), bool(r["series"]), r["status"])
        for r in rows
    ]


async def replace_opening_exceptions(
    resource_id: str, days: Sequence[tuple[date, Sequence[tuple[time, time]]]]
) -> None:
    """On each local date of `days`, these hours replace the resource's earlier exceptions
    (no hours: a row closing the day)."""
    if not days:
        return
    dates = [d for d, _ in days]
    await execute(
        f"DELETE FROM opening_exceptions WHERE resource = $1 AND date IN "
        f"({placeholders(len(dates), 2)})",
        resource_id, *dates,
    )
    rows = [
        (str(uuid.uuid4()), resource_id, d, format_hhmm(o), format_hhmm(c, is_close=True))
        for d, hours in days for o, c in hours
    ] + [(str(uuid.uuid4()), resource_id, d, None, None) for d, hours in days if not hours]
    await execute_many(
        "INSERT INTO opening_exceptions (id, resource, date, opens, closes) "
        "VALUES ($1, $2, $3, $4, $5)", rows)


async def site_resource_names(site_id: str) -> list[str]:
    """The names of a site's resources, by name: what a site-wide closure closes."""
    rows = await fetch("SELECT name FROM resources WHERE site = $1 ORDER BY name", site_id)
    return [str(r["name"]) for r in rows]


async def import_closure_count(import_id: str, after: datetime) -> int:
    """How many closures an import holds that end after `after`: what deleting it reopens."""
    rows = await fetch("SELECT COUNT(*) AS n FROM closures WHERE source = $1 AND ends_at > $2",
                       import_id, utc(after))
    return int(rows[0]["n"])
