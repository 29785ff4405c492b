"""Inductions: which organisation completed the induction of which resource (or its lab)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db.rows import str_or_none as _str
from booking.db.sql import Stmt, execute, fetch, fetch_batch, fetch_one, placeholders
from booking.domain.instants import utc


@dataclass(frozen=True, slots=True)
class InductionRow:
    id: str
    organisation_id: str
    organisation_name: str
    resource_id: str
    completed_at: datetime
    recorded_by: str | None


def inducted_stmt(organisation_id: str, resource_ids: Sequence[str]) -> Stmt:
    """Which of `resource_ids` and their labs the organisation holds an induction for."""
    marks = placeholders(len(resource_ids), 2)
    return Stmt(
        "SELECT DISTINCT CAST(resource AS TEXT) FROM inductions WHERE organisation = $1 AND "
        f"(resource IN ({marks}) OR resource IN (SELECT parent FROM resources "
        f"WHERE id IN ({marks})))",
        [organisation_id, *resource_ids],
        tuples=True,
    )


async def is_inducted(organisation_id: str, resource_id: str) -> bool:
    """Whether the organisation holds an induction for the resource or its lab."""
    return bool((await fetch_batch([inducted_stmt(organisation_id, [resource_id])]))[0])


async def insert_induction(
    organisation_id: str, resource_id: str, completed_at: datetime, recorded_by: str | None
) -> str:
    new_id = str(uuid.uuid4())
    await execute(
        "INSERT INTO inductions (id, organisation, resource, completed_at, recorded_by) "
        "VALUES ($1, $2, $3, $4, $5)",
        new_id, organisation_id, resource_id, utc(completed_at), recorded_by,
    )
    return new_id


async def inductions_of(resource_id: str) -> list[InductionRow]:
    """The inductions recorded on a resource, newest first."""
    rows = await fetch(
        "SELECT i.id, i.organisation, o.name, i.resource, i.completed_at, i.recorded_by "
        "FROM inductions i JOIN organisations o ON o.id = i.organisation "
        "WHERE i.resource = $1 ORDER BY i.completed_at DESC, i.id",
        resource_id,
    )
    return [
        InductionRow(str(r["id"]), str(r["organisation"]), r["name"], str(r["resource"]),
                     r["completed_at"], _str(r["recorded_by"]))
        for r in rows
    ]


async def is_company(organisation_id: str) -> bool:
    row = await fetch_one(
        "SELECT 1 AS x FROM organisations WHERE id = $1 AND kind = 'company'", organisation_id
    )
    return row is not None
