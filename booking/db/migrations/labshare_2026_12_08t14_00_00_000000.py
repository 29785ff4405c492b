"""Accounts and privacy (issue 12): the append-only audit trail, password-reset links, last-seen.

- `audit_entries` (one row per audited change) and `audit_scopes` (which organisations may read
  it): both append-only — a trigger on each backend refuses UPDATE and DELETE, so no code path,
  ours or a stray SQL console, can rewrite history. Actors are plain UUIDs (no foreign key, so no
  ON DELETE action ever tries to update a row); people are anonymised, never deleted.
- `password_resets`: one row per reset request, whether or not the address has an account (so
  the throttle counts strangers' addresses too and the request costs the same); a token's
  SHA-256 only, single use (`used_at`), expiring (`expires_at`).
- `users.last_seen_at` (touched at most daily on authentication; the retention job reads it)
  and `users.anonymised_at`.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit trail, password resets, last seen"

_TABLES = (
    """CREATE TABLE IF NOT EXISTS "audit_entries" ("id" UUID PRIMARY KEY NOT NULL,
        "at" TIMESTAMPTZ NOT NULL, "actor" UUID DEFAULT null,
        "action" VARCHAR(64) NOT NULL DEFAULT '', "object_type" VARCHAR(32) NOT NULL DEFAULT '',
        "object_id" VARCHAR(64) NOT NULL DEFAULT '', "summary" TEXT NOT NULL DEFAULT '')""",
    'CREATE INDEX IF NOT EXISTS audit_entries_at ON "audit_entries" ("at", "id")',
    'CREATE INDEX IF NOT EXISTS audit_entries_actor ON "audit_entries" ("actor")',
    'CREATE INDEX IF NOT EXISTS audit_entries_object ON "audit_entries" ("object_id")',
    """CREATE TABLE IF NOT EXISTS "audit_scopes" ("id" UUID PRIMARY KEY NOT NULL,
        "entry" UUID NOT NULL, "organisation" UUID NOT NULL, "at" TIMESTAMPTZ NOT NULL)""",
    'CREATE INDEX IF NOT EXISTS audit_scopes_org_at ON "audit_scopes" '
    '("organisation", "at", "entry")',
    """CREATE TABLE IF NOT EXISTS "password_resets" ("id" UUID PRIMARY KEY NOT NULL,
        "user" UUID REFERENCES "users" ("id") ON DELETE CASCADE DEFAULT null,
        "email_hash" VARCHAR(64) NOT NULL DEFAULT '', "client" VARCHAR(64) NOT NULL DEFAULT '',
        "token_hash" VARCHAR(64) UNIQUE DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL,
        "expires_at" TIMESTAMPTZ NOT NULL, "used_at" TIMESTAMPTZ DEFAULT null)""",
    'CREATE INDEX IF NOT EXISTS password_resets_email ON "password_resets" '
    '("email_hash", "created_at")',
    'CREATE INDEX IF NOT EXISTS password_resets_client ON "password_resets" '
    '("client", "created_at")',
    'CREATE INDEX IF NOT EXISTS password_resets_user ON "password_resets" ("user")',
    'ALTER TABLE "users" ADD COLUMN "last_seen_at" TIMESTAMPTZ DEFAULT null',
    'ALTER TABLE "users" ADD COLUMN "anonymised_at" TIMESTAMPTZ DEFAULT null',
)

APPEND_ONLY_TABLES = ("audit_entries", "audit_scopes")

SQLITE_APPEND_ONLY = tuple(
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, 'audit_append_only'); END"""
    for table in APPEND_ONLY_TABLES for op in ("UPDATE", "DELETE")
)
"""The SQLite triggers that keep the audit tables append-only."""

SQLITE_LIFT_APPEND_ONLY = tuple(
    f"DROP TRIGGER IF EXISTS {table}_no_{op}"
    for table in APPEND_ONLY_TABLES for op in ("update", "delete")
)
"""Drops them, for what replaces a whole database (the demo, the tests' emptying) — run inside
the same transaction as the wipe and SQLITE_APPEND_ONLY after it. PostgreSQL's TRUNCATE fires
no row triggers, so it needs nothing of the kind."""

POSTGRES_APPEND_ONLY = (
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION 'audit_append_only'; END $$""",
    *(
        f"""CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION audit_append_only()"""
        for table in APPEND_ONLY_TABLES
    ),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_schema() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        sqlite = engine.engine_type == "sqlite"
        for ddl in (*_TABLES, *(SQLITE_APPEND_ONLY if sqlite else POSTGRES_APPEND_ONLY)):
            await engine.run_ddl(ddl)

    manager.add_raw(create_schema)
    return manager
