"""Occurrences get a status (a series' single occurrence can be cancelled) and the reports
follow it.

- `occurrences.status`: `active` | `cancelled` (default `active`, so every existing row stays
  what it was). A cancelled occurrence keeps its row and position; its claims are inactive.
- `report_uses` (see the initial migration) counts only active occurrences: its triggers are
  rebuilt from the initial migration's generators with `o.status = 'active'` added to the join
  and `status` added to the occurrence columns that fire them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.migrations import labshare_2026_11_27t23_30_00_000000 as initial
from booking.db.tables import Organisation

ID = "2026-12-08T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "occurrence status; reports count active occurrences only"

_ADD_STATUS = (
    "ALTER TABLE occurrences ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'active'"
)
_SQLITE_TRIGGERS = (
    "report_uses_booking_insert", "report_uses_booking_update", "report_uses_booking_delete",
    "report_uses_occurrence_insert", "report_uses_occurrence_update",
    "report_uses_occurrence_delete", "report_uses_resource_insert",
    "report_uses_resource_update", "report_uses_resource_delete",
)


def _active_triggers(generate: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """The initial migration's report triggers, joining only active occurrences and fired by
    a change of an occurrence's status too."""
    original = initial._report_rows

    def active_rows(epoch: str, where: str, upsert: str = "") -> str:
        return original(epoch, f"({where}) AND o.status = 'active'", upsert)

    with mock.patch.object(initial, "_report_rows", active_rows):
        ddl = generate()
    return tuple(
        d.replace("starts_at, ends_at ON occurrences", "starts_at, ends_at, status ON occurrences")
        for d in ddl
    )


def sqlite_ddl() -> tuple[str, ...]:
    return (
        _ADD_STATUS,
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS),
        *_active_triggers(initial._sqlite_report_triggers),
    )


def postgres_ddl() -> tuple[str, ...]:
    # the trigger on occurrences must name the new column: drop it, CREATE OR REPLACE the rest
    return (
        _ADD_STATUS,
        "DROP TRIGGER IF EXISTS report_uses_occurrences ON occurrences",
        *_active_triggers(initial._postgres_report_triggers),
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def change_schema() -> None:
        engine: Engine[Any] = Organisation._meta.db
        for ddl in sqlite_ddl() if engine.engine_type == "sqlite" else postgres_ddl():
            await engine.run_ddl(ddl)

    manager.add_raw(change_schema)
    return manager
