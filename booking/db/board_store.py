"""The schedule board's reads: a few set-based queries over one school and one time window.

Every function is one statement, whatever the number of resources: the board of a school with a
thousand resources costs the same three round trips as one with ten. Claims are filtered on their
epoch columns (the partial index `claims (resource, end_s) WHERE active` on SQLite); the times
returned are the occurrence's own, without buffers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from booking.db.engine import is_sqlite
from booking.db.sql import Stmt, fetch, fetch_batch, fetch_one, placeholders
from booking.domain.instants import epoch, from_epoch, utc


@dataclass(frozen=True, slots=True)
class SchoolRow:
    id: str
    name: str
    timezone: str
    region_id: str | None


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: str
    name: str
    kind: str
    parent_id: str | None
    capacity: int
    site_id: str
    site_name: str
    timezone: str


class HeldRow(NamedTuple):
    """One occurrence of an active booking as held on one resource of the school; `start_s` and
    `end_s` are the occurrence's epoch seconds (buffers not included). A tuple: a week of a
    thousand resources reads ~6,000 of them, made straight from the driver's rows."""

    resource_id: str
    booking_id: str
    start_s: int
    end_s: int
    status: str
    title: str
    organisation_name: str
    participants: int


class ClosureRow(NamedTuple):
    """A closure; `start_s`/`end_s` epoch seconds (`start`/`end` as UTC datetimes)."""

    id: str
    resource_id: str | None
    site_id: str | None
    start_s: int
    end_s: int
    reason: str
    kind: str

    @property
    def start(self) -> datetime:
        return from_epoch(self.start_s)

    @property
    def end(self) -> datetime:
        return from_epoch(self.end_s)


async def load_school(school_id: str) -> SchoolRow | None:
    """The school and the time zone of its first site (Europe/Amsterdam without sites)."""
    row = await fetch_one(
        "SELECT o.id, o.name, o.region, "
        "(SELECT s.timezone FROM sites s WHERE s.school = o.id ORDER BY s.name LIMIT 1) AS tz "
        "FROM organisations o WHERE o.id = $1 AND o.kind = 'school'",
        school_id,
    )
    if row is None:
        return None
    region = row["region"]
    return SchoolRow(
        str(row["id"]), row["name"], row["tz"] or "Europe/Amsterdam",
        None if region is None else str(region),
    )


async def load_resources(school_id: str) -> list[ResourceRow]:
    """Every resource of the school with its site, ordered by site name then name."""
    rows = await fetch_tuples(
        "SELECT CAST(r.id AS TEXT), r.name, r.kind, CAST(r.parent AS TEXT), "
        "r.capacity, CAST(r.site AS TEXT), s.name, s.timezone "
        "FROM resources r JOIN sites s ON s.id = r.site "
        "WHERE r.school = $1 ORDER BY s.name, s.id, r.name, r.id",
        school_id,
    )
    return [ResourceRow(*r) for r in rows]


async def fetch_tuples(sql: str, *args: Any) -> list[Any]:
    """Rows of a query as positional rows in column order (tuples on SQLite, Records on
    PostgreSQL): no per-row dict, which costs a third of the read of a board's ~6,000 claims."""
    rows: list[Any] = (await fetch_batch([Stmt(sql, args, tuples=True)]))[0]
    return rows


def _epoch_of(column: str) -> str:
    """SQL for a timestamp column's whole epoch seconds (no datetime parsing in Python)."""
    if is_sqlite():
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"


def _claims_in_window(school: str, start: str, end: str) -> str:
    """SQL of `(resource, booking, occurrence)` of the active claims on the school's resources
    that reach into `[start, end)` (parameter references), read without a scan of the future.

    The index `claims (resource, end_s) WHERE active` alone would visit every later claim of a
    resource (a year of bookings) to test `start_s < end`. Active claims on one resource never
    overlap (the database enforces it), so ordered by end they are ordered by start too: those
    that reach into the window are the ones ending inside it, plus at most one per resource that
    ends after it, the first such, if it starts before the window's end."""
    return (
        "SELECT c.resource, c.booking, c.occurrence FROM resources r "
        f"JOIN claims c ON c.resource = r.id AND c.active AND c.end_s > {start} "
        f"AND c.end_s <= {end} WHERE r.school = {school} "
        "UNION ALL "
        "SELECT c.resource, c.booking, c.occurrence FROM resources r "
        "JOIN claims c ON c.id = (SELECT n.id FROM claims n WHERE n.resource = r.id AND n.active "
        f"AND n.end_s > {end} ORDER BY n.end_s LIMIT 1) "
        f"WHERE r.school = {school} AND c.start_s < {end}"
    )


async def load_held(school_id: str, start: datetime, end: datetime) -> list[HeldRow]:
    """Active claims on the school's resources that reach into `[start, end)`, with their
    occurrence's times and the booking's company, in one statement. Claims include buffers, so
    the window test on them is a superset; the caller clips the occurrence times. Ids are cast
    to text and instants read as epoch integers in SQL, so no row goes through a UUID or
    datetime converter."""
    # A single booking (no rrule) has exactly one occurrence, with the booking's own times
    # (tables.Booking): read them from the row already joined; only a series' claims look up
    # their occurrence (a quarter of the statement's time on a week of ~6,000 claims).
    rows = await fetch_tuples(
        f"WITH c AS ({_claims_in_window('$1', '$2', '$3')}) "
        "SELECT CAST(c.resource AS TEXT), CAST(c.booking AS TEXT), "
        f"CASE WHEN b.rrule IS NULL THEN {_epoch_of('b.starts_at')} ELSE (SELECT "
        f"{_epoch_of('o.starts_at')} FROM occurrences o WHERE o.id = c.occurrence) END, "
        f"CASE WHEN b.rrule IS NULL THEN {_epoch_of('b.ends_at')} ELSE (SELECT "
        f"{_epoch_of('o.ends_at')} FROM occurrences o WHERE o.id = c.occurrence) END, "
        "b.status, b.title, org.name, b.students + b.employees "
        "FROM c JOIN bookings b ON b.id = c.booking "
        "JOIN organisations org ON org.id = b.organisation "
        "WHERE b.status IN ('pending', 'confirmed')",
        school_id, epoch(start), epoch(end),
    )
    make = HeldRow._make  # the columns are selected in the tuple's order
    return list(map(make, rows))


async def load_closures(school_id: str, start: datetime, end: datetime) -> list[ClosureRow]:
    """Closures of the school's resources and of its sites that overlap `[start, end)`, by
    start."""
    rows = await fetch_tuples(
        "SELECT CAST(cl.id AS TEXT), CAST(cl.resource AS TEXT), CAST(cl.site AS TEXT), "
        f"{_epoch_of('cl.starts_at')}, {_epoch_of('cl.ends_at')}, "
        "COALESCE(cl.reason, ''), COALESCE(cl.kind, 'closure') "
        "FROM closures cl "
        "WHERE cl.ends_at > $2 AND cl.starts_at < $3 AND ("
        " cl.resource IN (SELECT r.id FROM resources r WHERE r.school = $1)"
        " OR cl.site IN (SELECT s.id FROM sites s WHERE s.school = $1)) "
        "ORDER BY cl.starts_at",
        school_id, utc(start), utc(end),
    )
    return list(map(ClosureRow._make, rows))


async def resource_counts(school_ids: list[str]) -> dict[str, int]:
    """How many resources each of the schools has (schools without any are absent)."""
    if not school_ids:
        return {}
    rows = await fetch(
        "SELECT CAST(school AS TEXT) AS school, COUNT(*) AS n FROM resources "
        f"WHERE school IN ({placeholders(len(school_ids))}) GROUP BY school",
        *school_ids,
    )
    return {r["school"]: int(r["n"]) for r in rows}


class RequestRow(NamedTuple):
    """A pending booking with one of its resources at the school; instants as epoch seconds."""

    id: str
    organisation_name: str
    title: str
    start_s: int
    end_s: int
    created_s: int
    students: int
    employees: int
    price: str  # the decimal amount as text
    currency: str
    version: int
    occurrences: int
    total: int  # pending requests of the school in all, whatever the limit


async def load_pending(
    school_id: str, limit: int, offset: int = 0, booking_id: str | None = None
) -> list[RequestRow]:
    """The school's pending requests (bookings holding one of its resources), soonest first, at
    most `limit` after skipping `offset` (or only `booking_id`, if it is one of them); each row
    also carries how many there are in all (1 for `booking_id`). One statement: pending
    bookings by the status index, each tested for a resource of the school."""
    rows = await fetch_tuples(
        "SELECT CAST(b.id AS TEXT), org.name, b.title, "
        f"{_epoch_of('b.starts_at')}, {_epoch_of('b.ends_at')}, {_epoch_of('b.created_at')}, "
        "b.students, b.employees, CAST(b.price_amount AS TEXT), b.currency, b.version, "
        "(SELECT COUNT(*) FROM occurrences o WHERE o.booking = b.id), COUNT(*) OVER () "
        "FROM bookings b JOIN organisations org ON org.id = b.organisation "
        "WHERE b.status = 'pending' AND EXISTS (SELECT 1 FROM booking_resources br "
        "JOIN resources r ON r.id = br.resource WHERE br.booking = b.id AND r.school = $1) "
        + ("AND b.id = $4 " if booking_id else "")
        + "ORDER BY b.starts_at, b.id LIMIT $2 OFFSET $3",
        school_id, limit, offset, *([booking_id] if booking_id else []),
    )
    return list(map(RequestRow._make, rows))


class RequestResourceRow(NamedTuple):
    booking_id: str
    resource_id: str
    name: str
    school_id: str
    timezone: str


async def load_request_resources(booking_ids: list[str]) -> list[RequestResourceRow]:
    """The resources of the bookings, with their school and their site's time zone."""
    if not booking_ids:
        return []
    rows = await fetch_tuples(
        "SELECT CAST(br.booking AS TEXT), CAST(r.id AS TEXT), r.name, CAST(r.school AS TEXT), "
        "s.timezone FROM booking_resources br JOIN resources r ON r.id = br.resource "
        "JOIN sites s ON s.id = r.site "
        f"WHERE br.booking IN ({placeholders(len(booking_ids))}) ORDER BY r.name",
        *booking_ids,
    )
    return list(map(RequestResourceRow._make, rows))


async def count_pending(school_id: str) -> int:
    """How many pending requests hold a resource of the school."""
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM bookings b WHERE b.status = 'pending' AND EXISTS ("
        "SELECT 1 FROM booking_resources br JOIN resources r ON r.id = br.resource "
        "WHERE br.booking = b.id AND r.school = $1)",
        school_id,
    )
    return int(row["n"]) if row else 0


@dataclass(frozen=True, slots=True)
class ResourceLine:
    """A resource in the school's overview table."""

    id: str
    site_id: str
    parent_id: str | None
    kind: str
    name: str
    capacity: int
    visibility: str
    approval_required: bool
    tags: list[str]


def _tags(text: str | None) -> list[str]:
    try:
        return [str(t) for t in json.loads(text or "[]")]
    except ValueError:
        return []


async def load_resource_lines(school_id: str) -> list[ResourceLine]:
    """Every resource of the school for the overview, by name."""
    rows = await fetch_tuples(
        "SELECT CAST(r.id AS TEXT), CAST(r.site AS TEXT), CAST(r.parent AS TEXT), r.kind, "
        "r.name, r.capacity, r.visibility, CAST(r.approval_required AS INTEGER), "
        "CAST(r.tags AS TEXT) FROM resources r WHERE r.school = $1 ORDER BY r.name, r.id",
        school_id,
    )
    return [
        ResourceLine(rid, site, parent, kind, name, capacity, visibility, bool(approval),
                     _tags(tags))
        for rid, site, parent, kind, name, capacity, visibility, approval, tags in rows
    ]
