"""Initial schema: every table, plus the database-enforced no-overlap guarantee on claims.

The tables are created from `booking.db.tables` (this project has no released schema before
this migration); the guarantee is raw SQL per backend:
- PostgreSQL: an exclusion constraint (btree_gist) on active claims,
  `resource WITH =, int8range(start_s, end_s) WITH &&`;
- SQLite: BEFORE INSERT/UPDATE triggers that abort with `booking_overlap`; writers take the
  write lock first (`BEGIN IMMEDIATE`), so check and insert cannot interleave.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from booking.db.tables import ALL_TABLES

ID = "2026-11-27T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema and the no-overlap guarantee"

_OVERLAP = """
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM claims AS c
        WHERE c.resource = NEW.resource AND c.active AND c.id != NEW.id
          AND c.end_s > NEW.start_s AND c.start_s < NEW.end_s
    );
"""
_EMPTY = "SELECT RAISE(ABORT, 'claim_empty') WHERE NEW.start_s >= NEW.end_s;"

SQLITE_DDL = (
    "CREATE INDEX IF NOT EXISTS claims_active_resource_end ON claims (resource, end_s) "
    "WHERE active",
    f"""CREATE TRIGGER IF NOT EXISTS claims_no_overlap_insert
        BEFORE INSERT ON claims WHEN NEW.active
        BEGIN {_EMPTY} {_OVERLAP} END""",
    f"""CREATE TRIGGER IF NOT EXISTS claims_no_overlap_update
        BEFORE UPDATE OF active, start_s, end_s, resource ON claims WHEN NEW.active
        BEGIN {_EMPTY} {_OVERLAP} END""",
)

POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE claims ADD CONSTRAINT claims_nonempty CHECK (start_s < end_s)",
    "ALTER TABLE claims ADD CONSTRAINT claims_no_overlap EXCLUDE USING gist "
    "(resource WITH =, int8range(start_s, end_s) WITH &&) WHERE (active)",
)

COMMON_DDL = (
    "CREATE UNIQUE INDEX IF NOT EXISTS idempotency_org_key "
    "ON idempotency_records (organisation, key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS partnerships_pair ON partnerships (school, company)",
    "CREATE UNIQUE INDEX IF NOT EXISTS memberships_triple "
    "ON memberships (user, organisation, role)",
    "CREATE INDEX IF NOT EXISTS claims_booking ON claims (booking)",
    "CREATE INDEX IF NOT EXISTS occurrences_booking_position ON occurrences (booking, position)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_schema() -> None:
        engine = ALL_TABLES[0]._meta.db
        for table in ALL_TABLES:
            await table.create_table(if_not_exists=True).run()
        specific = SQLITE_DDL if engine.engine_type == "sqlite" else POSTGRES_DDL
        for ddl in (*COMMON_DDL, *specific):
            await engine.run_ddl(ddl.replace("(user,", '("user",'))

    manager.add_raw(create_schema)
    return manager
