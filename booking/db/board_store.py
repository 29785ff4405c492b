"""The schedule board's reads: a few set-based queries over one school and one time window.

Every function is one statement, whatever the number of resources: the board of a school with a
thousand resources costs the same three round trips as one with ten. Claims are filtered on their
epoch columns (the partial index `claims (resource, end_s) WHERE active` on SQLite); the times
returned are the occurrence's own, without buffers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.db.engine import is_sqlite
from booking.db.sql import epoch, fetch, fetch_one, placeholders, utc


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


@dataclass(frozen=True, slots=True)
class HeldRow:
    """One occurrence of an active booking as held on one resource of the school; `start_s` and
    `end_s` are the occurrence's epoch seconds (buffers not included)."""

    resource_id: str
    booking_id: str
    start_s: int
    end_s: int
    status: str
    title: str
    organisation_name: str
    participants: int


@dataclass(frozen=True, slots=True)
class ClosureRow:
    id: str
    resource_id: str | None
    site_id: str | None
    start: datetime
    end: datetime
    reason: str
    kind: str


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
    rows = await fetch(
        "SELECT CAST(r.id AS TEXT) AS id, r.name, r.kind, CAST(r.parent AS TEXT) AS parent, "
        "r.capacity, CAST(r.site AS TEXT) AS site, s.name AS site_name, s.timezone "
        "FROM resources r JOIN sites s ON s.id = r.site "
        "WHERE r.school = $1 ORDER BY s.name, s.id, r.name, r.id",
        school_id,
    )
    return [
        ResourceRow(
            r["id"], r["name"], r["kind"], r["parent"], int(r["capacity"]), r["site"],
            r["site_name"], r["timezone"],
        )
        for r in rows
    ]


def _epoch_of(column: str) -> str:
    """SQL for a timestamp column's whole epoch seconds (no datetime parsing in Python)."""
    if is_sqlite():
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"


async def load_held(school_id: str, start: datetime, end: datetime) -> list[HeldRow]:
    """Active claims on the school's resources that reach into `[start, end)`, with their
    occurrence's times and the booking's company. Claims include buffers, so the window test on
    them is a superset; the caller clips the occurrence times. Ids are cast to text in SQL, so
    no row goes through a UUID or datetime converter."""
    rows = await fetch(
        "SELECT CAST(c.resource AS TEXT) AS resource, CAST(c.booking AS TEXT) AS booking, "
        f"{_epoch_of('o.starts_at')} AS start_s, {_epoch_of('o.ends_at')} AS end_s, "
        "b.status, b.title, org.name AS org_name, b.students + b.employees AS people "
        "FROM resources r "
        "JOIN claims c ON c.resource = r.id AND c.active AND c.end_s > $2 AND c.start_s < $3 "
        "JOIN occurrences o ON o.id = c.occurrence "
        "JOIN bookings b ON b.id = c.booking "
        "JOIN organisations org ON org.id = b.organisation "
        "WHERE r.school = $1 AND b.status IN ('pending', 'confirmed')",
        school_id, epoch(start), epoch(end),
    )
    return [
        HeldRow(
            r["resource"], r["booking"], int(r["start_s"]), int(r["end_s"]), r["status"],
            r["title"] or "", r["org_name"], int(r["people"]),
        )
        for r in rows
    ]


async def load_closures(school_id: str, start: datetime, end: datetime) -> list[ClosureRow]:
    """Closures of the school's resources and of its sites that overlap `[start, end)`."""
    rows = await fetch(
        "SELECT cl.id, cl.resource, cl.site, cl.starts_at, cl.ends_at, cl.reason, cl.kind "
        "FROM closures cl "
        "WHERE cl.ends_at > $2 AND cl.starts_at < $3 AND ("
        " cl.resource IN (SELECT r.id FROM resources r WHERE r.school = $1)"
        " OR cl.site IN (SELECT s.id FROM sites s WHERE s.school = $1)) "
        "ORDER BY cl.starts_at",
        school_id, utc(start), utc(end),
    )
    return [
        ClosureRow(
            str(r["id"]), None if r["resource"] is None else str(r["resource"]),
            None if r["site"] is None else str(r["site"]), r["starts_at"], r["ends_at"],
            r["reason"] or "", r["kind"] or "closure",
        )
        for r in rows
    ]


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
