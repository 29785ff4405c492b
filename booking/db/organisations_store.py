"""Organisations, sites and partnerships in the database (the admin's and managers' writes)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from booking.db.sql import Row, execute, fetch, fetch_one, placeholders
from booking.domain.instants import utc

_ORG_COLUMNS = (
    "CAST(id AS TEXT) AS id, kind, name, kvk, brin, level, is_sme, city, "
    "CAST(region AS TEXT) AS region, created_at"
)
_PARTNERSHIP_SELECT = (
    "SELECT CAST(p.id AS TEXT) AS id, CAST(p.school AS TEXT) AS school, "
    "CAST(p.company AS TEXT) AS company, CAST(p.valid_from AS TEXT) AS valid_from, "
    "CAST(p.valid_to AS TEXT) AS valid_to, p.created_at, s.name AS school_name, "
    "c.name AS company_name, CAST(s.region AS TEXT) AS region "
    "FROM partnerships p JOIN organisations s ON s.id = p.school "
    "JOIN organisations c ON c.id = p.company "
)
UPDATABLE = frozenset({"name", "city", "brin", "level", "kvk", "is_sme", "region"})


def _id() -> str:
    return str(uuid.uuid4())


def as_date(value: Any) -> date | None:
    """A DATE column read as text (both backends) as a date."""
    return None if value is None else date.fromisoformat(str(value)[:10])


# organisations --------------------------------------------------------------------------------


async def insert_organisation(
    *, kind: str, name: str, now: datetime, kvk: str | None = None, brin: str | None = None,
    level: str | None = None, region_id: str | None = None, city: str = "",
    is_sme: bool = False,
) -> str:
    org_id = _id()
    await execute(
        "INSERT INTO organisations (id, kind, name, kvk, brin, level, is_sme, city, region, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        org_id, kind, name, kvk, brin, level, is_sme, city, region_id, utc(now),
    )
    return org_id


async def get_organisation(org_id: str) -> Row | None:
    return await fetch_one(f"SELECT {_ORG_COLUMNS} FROM organisations WHERE id = $1", org_id)


async def list_organisations(ids: Sequence[str] | None, kind: str | None) -> list[Row]:
    """Organisations by name; `ids` None means all."""
    where, args = [], []  # type: ignore[var-annotated]
    if ids is not None:
        if not ids:
            return []
        where.append(f"id IN ({placeholders(len(ids))})")
        args.extend(ids)
    if kind is not None:
        args.append(kind)
        where.append(f"kind = ${len(args)}")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return await fetch(
        f"SELECT {_ORG_COLUMNS} FROM organisations{clause} ORDER BY kind, name, id", *args
    )


async def update_organisation(org_id: str, fields: dict[str, Any]) -> None:
    """Set the given columns (names from `UPDATABLE` only)."""
    names = [n for n in fields if n in UPDATABLE]
    if not names:
        return
    sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=2))
    await execute(f"UPDATE organisations SET {sets} WHERE id = $1", org_id,
                  *(fields[n] for n in names))


async def find_company_by_kvk(kvk: str) -> Row | None:
    return await fetch_one(
        f"SELECT {_ORG_COLUMNS} FROM organisations WHERE kind = 'company' AND kvk = $1 "
        "ORDER BY created_at LIMIT 1",
        kvk,
    )


async def platform_id() -> str | None:
    row = await fetch_one(
        "SELECT CAST(id AS TEXT) AS id FROM organisations WHERE kind = 'platform' "
        "ORDER BY created_at LIMIT 1"
    )
    return None if row is None else str(row["id"])


# sites ----------------------------------------------------------------------------------------


async def insert_site(
    *, school_id: str, name: str, address: str, postcode: str, city: str, timezone: str
) -> str:
    site_id = _id()
    await execute(
        "INSERT INTO sites (id, school, name, address, postcode, city, latitude, longitude, "
        "timezone) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7)",
        site_id, school_id, name, address, postcode, city, timezone,
    )
    return site_id


async def update_site(site_id: str, fields: dict[str, Any]) -> None:
    """Set the given site columns (name, address, postcode, city, timezone only)."""
    names = [n for n in fields if n in ("name", "address", "postcode", "city", "timezone")]
    if not names:
        return
    sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=2))
    await execute(f"UPDATE sites SET {sets} WHERE id = $1", site_id,
                  *(fields[n] for n in names))


# partnerships ---------------------------------------------------------------------------------


async def insert_partnership(
    *, school_id: str, company_id: str, valid_from: date | None, valid_to: date | None,
    now: datetime,
) -> str:
    pid = _id()
    await execute(
        "INSERT INTO partnerships (id, school, company, valid_from, valid_to, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        pid, school_id, company_id, valid_from, valid_to, utc(now),
    )
    return pid


async def get_partnership(partnership_id: str) -> Row | None:
    return await fetch_one(_PARTNERSHIP_SELECT + "WHERE p.id = $1", partnership_id)


async def find_partnership(school_id: str, company_id: str) -> Row | None:
    return await fetch_one(
        _PARTNERSHIP_SELECT + "WHERE p.school = $1 AND p.company = $2", school_id, company_id
    )


async def list_partnerships(
    *, school_ids: Sequence[str] | None, company_ids: Sequence[str] = ()
) -> list[Row]:
    """Partnerships of these schools or companies; `school_ids` None means all."""
    if school_ids is None:
        return await fetch(_PARTNERSHIP_SELECT + "ORDER BY s.name, c.name, p.id")
    ids = [*school_ids, *company_ids]
    if not ids:
        return []
    n = len(school_ids)
    parts = []
    if school_ids:
        parts.append(f"p.school IN ({placeholders(n)})")
    if company_ids:
        parts.append(f"p.company IN ({placeholders(len(company_ids), n + 1)})")
    return await fetch(
        _PARTNERSHIP_SELECT + f"WHERE {' OR '.join(parts)} ORDER BY s.name, c.name, p.id", *ids
    )


async def update_partnership(
    partnership_id: str, valid_from: date | None, valid_to: date | None
) -> None:
    await execute(
        "UPDATE partnerships SET valid_from = $2, valid_to = $3 WHERE id = $1",
        partnership_id, valid_from, valid_to,
    )


async def delete_partnership(partnership_id: str) -> None:
    await execute("DELETE FROM partnerships WHERE id = $1", partnership_id)
