"""Schools and their sites: rows of `organisations` (kind school) and `sites`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from booking.db.rows import str_or_none as _str
from booking.db.sql import Row, fetch, fetch_one, placeholders


@dataclass(frozen=True, slots=True)
class SchoolRow:
    id: str
    name: str
    brin: str | None
    level: str | None
    city: str
    region_id: str | None


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: str
    school_id: str
    name: str
    address: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    timezone: str


def _school(row: Row) -> SchoolRow:
    return SchoolRow(
        id=str(row["id"]), name=row["name"], brin=row["brin"], level=row["level"],
        city=row["city"], region_id=_str(row["region"]),
    )


def _site(row: Row) -> SiteRow:
    return SiteRow(
        id=str(row["id"]), school_id=str(row["school"]), name=row["name"],
        address=row["address"], postcode=row["postcode"], city=row["city"],
        latitude=row["latitude"], longitude=row["longitude"], timezone=row["timezone"],
    )


async def list_schools() -> list[SchoolRow]:
    rows = await fetch(
        "SELECT id, name, brin, level, city, region FROM organisations "
        "WHERE kind = 'school' ORDER BY name, id"
    )
    return [_school(r) for r in rows]


async def get_school(school_id: str) -> SchoolRow | None:
    row = await fetch_one(
        "SELECT id, name, brin, level, city, region FROM organisations "
        "WHERE kind = 'school' AND id = $1",
        school_id,
    )
    return None if row is None else _school(row)


async def sites_of(school_ids: Sequence[str]) -> dict[str, list[SiteRow]]:
    if not school_ids:
        return {}
    rows = await fetch(
        f"SELECT * FROM sites WHERE school IN ({placeholders(len(school_ids))}) ORDER BY name, id",
        *school_ids,
    )
    found: dict[str, list[SiteRow]] = {}
    for row in rows:
        site = _site(row)
        found.setdefault(site.school_id, []).append(site)
    return found


async def get_site(site_id: str) -> SiteRow | None:
    row = await fetch_one("SELECT * FROM sites WHERE id = $1", site_id)
    return None if row is None else _site(row)
