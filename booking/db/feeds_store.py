"""Feed tokens and what a feed shows: a cheap change watermark and the occurrences in a window.

A feed's scope is a SQL condition on `bookings b`: a company's own bookings, the bookings on a
school's resources, or the bookings on a set of resources (a resource with its lab/equipment).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from booking.db import actor_store
from booking.db.sql import Row, execute, fetch, fetch_one, placeholders
from booking.domain.instants import utc


@dataclass(frozen=True, slots=True)
class FeedTokenRecord:
    id: str
    user_id: str
    scope: str  # me | resource | school
    organisation_id: str | None
    resource_id: str | None
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None
    owner_locale: str = "nl"


@dataclass(frozen=True, slots=True)
class OpenedToken:
    """A token with what serving it needs, read in one round trip: the owner's memberships
    (`(organisation, kind, role, name)`; none when the user is inactive) and the instant of
    the latest change to any booking (None while there are none)."""

    token: FeedTokenRecord
    memberships: tuple[tuple[str, str, str, str], ...]
    bookings_changed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Scope:
    """Which bookings a feed covers: by company, by school, or by booked resource."""

    company_id: str | None = None
    school_id: str | None = None
    resource_ids: tuple[str, ...] = ()

    def condition(self, first: int) -> tuple[str, list[Any]]:
        """A condition on `bookings b` with placeholders numbered from `first`, and its args.

        Resource and school scopes are `b.id IN (subquery)`, driven by the resource index; a
        correlated EXISTS made SQLite scan every booking (seconds at a few thousand)."""
        if self.company_id is not None:
            return f"b.organisation = ${first}", [self.company_id]
        if self.school_id is not None:
            return (
                "b.id IN (SELECT br.booking FROM booking_resources br JOIN resources r "
                f"ON r.id = br.resource WHERE r.school = ${first})",
                [self.school_id],
            )
        ids = list(self.resource_ids)
        return (
            "b.id IN (SELECT br.booking FROM booking_resources br "
            f"WHERE br.resource IN ({placeholders(len(ids), first)}))",
            ids,
        )


@dataclass(frozen=True, slots=True)
class Watermark:
    """Changes whenever any booking touching the scope and window changes (version bumps)."""

    bookings: int
    versions: int
    last_change: datetime | None


@dataclass(frozen=True, slots=True)
class OccurrenceRow:
    booking_id: str
    position: int
    starts_at: datetime
    ends_at: datetime
    title: str
    status: str
    sequence: int
    updated_at: datetime
    organisation_id: str
    organisation_name: str
    students: int
    employees: int


@dataclass(frozen=True, slots=True)
class BookedResource:
    resource_id: str
    name: str
    school_id: str
    site_name: str
    address: str
    postcode: str
    city: str


_TOKEN_SELECT = (
    'SELECT f.id, f."user", f.scope, f.organisation, f.resource, f.token_hash, f.created_at, '
    'f.revoked_at, u.locale FROM feed_tokens f JOIN users u ON u.id = f."user" '
)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _token(row: Row) -> FeedTokenRecord:
    return FeedTokenRecord(
        id=str(row["id"]),
        user_id=str(row["user"]),
        scope=row["scope"],
        organisation_id=_str(row["organisation"]),
        resource_id=_str(row["resource"]),
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        owner_locale=row["locale"] or "nl",
    )


async def insert_token(
    *, user_id: str, scope: str, organisation_id: str | None, resource_id: str | None,
    token_hash: str, now: datetime,
) -> FeedTokenRecord:
    new_id = str(uuid.uuid4())
    await execute(
        'INSERT INTO feed_tokens (id, "user", scope, organisation, resource, token_hash, '
        "created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        new_id, user_id, scope, organisation_id, resource_id, token_hash, utc(now),
    )
    found = await get_token(new_id)
    assert found is not None
    return found


async def get_token(token_id: str) -> FeedTokenRecord | None:
    row = await fetch_one(_TOKEN_SELECT + "WHERE f.id = $1", token_id)
    return None if row is None else _token(row)


async def open_token(token_hash: str) -> OpenedToken | None:
    """The token whose stored hash equals `token_hash`, its owner's memberships and the latest
    booking change (an index-only MAX on `bookings.updated_at`), in one query."""
    rows = await fetch(
        'SELECT f.id, f."user", f.scope, f.organisation, f.resource, f.token_hash, '
        "f.created_at, f.revoked_at, u.locale, u.is_active, m.organisation AS m_org, "
        "m.role AS m_role, o.kind AS m_kind, o.name AS m_name, "
        "(SELECT MAX(updated_at) FROM bookings) AS changed "
        'FROM feed_tokens f JOIN users u ON u.id = f."user" '
        'LEFT JOIN memberships m ON m."user" = f."user" '
        "LEFT JOIN organisations o ON o.id = m.organisation WHERE f.token_hash = $1",
        token_hash,
    )
    if not rows:
        return None
    first = rows[0]
    members = tuple(
        (str(r["m_org"]), r["m_kind"], r["m_role"], r["m_name"])
        for r in rows
        if r["m_org"] is not None and r["is_active"]
    )
    return OpenedToken(_token(first), members, _as_datetime(first["changed"]))


async def partner_schools(
    company_ids: Sequence[str], today: date
) -> frozenset[tuple[str, str]]:
    """`(company, school)` partnerships of the given companies valid on `today`."""
    return await actor_store.partnerships(company_ids, today)


async def scope_resource(resource_id: str) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    """(id, school, site, kind, name, visibility, parent) of a resource and the ids that block
    it (itself, its lab, its equipment), in one query; None when it does not exist."""
    rows = await fetch(
        "SELECT id, school, site, kind, name, visibility, parent FROM resources "
        "WHERE id = $1 OR parent = $1 OR id = (SELECT parent FROM resources WHERE id = $1) "
        "ORDER BY id",
        resource_id,
    )
    main = next((dict(r) for r in rows if str(r["id"]) == resource_id), None)
    if main is None:
        return None
    return main, tuple(str(r["id"]) for r in rows)


async def tokens_of(user_id: str) -> list[FeedTokenRecord]:
    rows = await fetch(
        _TOKEN_SELECT + 'WHERE f."user" = $1 ORDER BY f.created_at DESC, f.id', user_id
    )
    return [_token(r) for r in rows]


async def revoke_token(token_id: str, now: datetime) -> bool:
    """Mark the token revoked at `now`; False when it was revoked already."""
    rows = await fetch(
        "UPDATE feed_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL "
        "RETURNING id",
        utc(now), token_id,
    )
    return bool(rows)


async def organisation_name(org_id: str) -> tuple[str, str] | None:
    """(kind, name) of an organisation."""
    row = await fetch_one("SELECT kind, name FROM organisations WHERE id = $1", org_id)
    return None if row is None else (row["kind"], row["name"])


def _as_datetime(value: Any) -> datetime | None:
    """Aggregates lose SQLite's column converters: MAX(timestamp) arrives as text there."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def watermark(scope: Scope, start: datetime, end: datetime) -> Watermark:
    """Count, version sum and latest change of every booking (any status) in scope that
    spans part of `[start, end)`: any change to what the feed shows moves it."""
    cond, args = scope.condition(3)
    row = await fetch_one(
        "SELECT COUNT(*) AS n, COALESCE(SUM(b.version), 0) AS v, MAX(b.updated_at) AS m "
        f"FROM bookings b WHERE b.ends_at > $1 AND b.starts_at < $2 AND {cond}",
        utc(start), utc(end), *args,
    )
    assert row is not None
    return Watermark(int(row["n"]), int(row["v"]), _as_datetime(row["m"]))


_OCCURRENCES = """
SELECT o.booking, o.position, o.starts_at, o.ends_at, b.title, b.status, b.sequence,
       b.updated_at, b.organisation, org.name AS org_name, b.students, b.employees
FROM occurrences o JOIN bookings b ON b.id = o.booking
JOIN organisations org ON org.id = b.organisation
WHERE b.status IN ('pending', 'confirmed') AND o.status = 'active' AND o.starts_at < $1
  AND o.ends_at > $2 AND {cond}
"""


def _occurrence(row: Row) -> OccurrenceRow:
    return OccurrenceRow(
        booking_id=str(row["booking"]), position=int(row["position"]),
        starts_at=row["starts_at"], ends_at=row["ends_at"], title=row["title"] or "",
        status=row["status"], sequence=int(row["sequence"]), updated_at=row["updated_at"],
        organisation_id=str(row["organisation"]), organisation_name=row["org_name"],
        students=int(row["students"]), employees=int(row["employees"]),
    )


async def occurrences(
    scope: Scope, start: datetime, end: datetime, split: datetime, limit: int
) -> list[OccurrenceRow]:
    """Active occurrences in scope overlapping `[start, end)`, at most `limit`: those ending
    after `split` (now) first, nearest first; the remainder filled with the latest past ones."""
    cond, args = scope.condition(4)
    base = _OCCURRENCES.format(cond=cond)
    coming = await fetch(
        base + " AND o.ends_at > $3 ORDER BY o.starts_at, o.booking, o.position "
        f"LIMIT {int(limit)}",
        utc(end), utc(start), utc(split), *args,
    )
    left = limit - len(coming)
    past: list[Row] = []
    if left > 0:
        past = await fetch(
            base + " AND o.ends_at <= $3 ORDER BY o.starts_at DESC, o.booking, o.position "
            f"LIMIT {int(left)}",
            utc(end), utc(start), utc(split), *args,
        )
    return [_occurrence(r) for r in (*reversed(past), *coming)]


async def booked_resources(booking_ids: Sequence[str]) -> dict[str, list[BookedResource]]:
    """The resources each booking asked for, with their site's address, ordered by name."""
    if not booking_ids:
        return {}
    rows = await fetch(
        "SELECT br.booking, r.id, r.name, r.school, s.name AS site_name, s.address, s.postcode, "
        "s.city FROM booking_resources br JOIN resources r ON r.id = br.resource "
        "JOIN sites s ON s.id = r.site "
        f"WHERE br.booking IN ({placeholders(len(booking_ids))}) ORDER BY r.name, r.id",
        *booking_ids,
    )
    found: dict[str, list[BookedResource]] = {}
    for row in rows:
        found.setdefault(str(row["booking"]), []).append(
            BookedResource(
                resource_id=str(row["id"]), name=row["name"], school_id=str(row["school"]),
                site_name=row["site_name"], address=row["address"], postcode=row["postcode"],
                city=row["city"],
            )
        )
    return found
