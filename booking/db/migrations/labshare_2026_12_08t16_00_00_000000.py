"""Calendar imports remember the events they skipped (by UID and reason) in their last fetch."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar_imports.skipped"

DDL = (
    # JSON list of {"uid": ..., "code": ...}; NULL before the first read (TEXT on both backends)
    "ALTER TABLE calendar_imports ADD COLUMN skipped TEXT",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def add_columns() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        for ddl in DDL:
            await engine.run_ddl(ddl)

    manager.add_raw(add_columns)
    return manager
