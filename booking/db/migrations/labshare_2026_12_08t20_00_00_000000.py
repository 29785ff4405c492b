"""Photos of resources and contact persons of resources and schools (issue 14).

- `resource_photos`: one row per photo (alt text, the content hashes of the stored image and
  its thumbnail, the stored size, an order); the files live under the data directory.
- `contact_name`, `contact_email`, `contact_phone` on `resources` and `organisations` ("" when
  unset; a resource without its own contact shows its school's).
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "resource photos, contacts"

DDL = (
    """CREATE TABLE IF NOT EXISTS "resource_photos" ("id" UUID PRIMARY KEY NOT NULL,
        "resource" UUID NOT NULL REFERENCES "resources" ("id") ON DELETE CASCADE,
        "alt" VARCHAR(300) NOT NULL DEFAULT '', "digest" VARCHAR(64) NOT NULL DEFAULT '',
        "thumb_digest" VARCHAR(64) NOT NULL DEFAULT '', "width" INTEGER NOT NULL DEFAULT 0,
        "height" INTEGER NOT NULL DEFAULT 0, "position" INTEGER NOT NULL DEFAULT 0,
        "created_at" TIMESTAMPTZ NOT NULL)""",
    'CREATE INDEX IF NOT EXISTS resource_photos_resource ON "resource_photos" '
    '("resource", "position")',
    *(
        f"ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" VARCHAR({length}) NOT NULL DEFAULT ''"
        for table in ("resources", "organisations")
        for column, length in (("contact_name", 200), ("contact_email", 254),
                               ("contact_phone", 40))
    ),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def run() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        for ddl in DDL:
            await engine.run_ddl(ddl)

    manager.add_raw(run)
    return manager
