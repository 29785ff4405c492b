"""Onboarding (issue 12): invitations, company sign-up requests, partnership validity dates.

Raw DDL per backend, like the first migration: SQLite keeps UUIDs and instants in the column
types Piccolo declares (its converters read them), PostgreSQL uses its native types.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitations, signup requests, partnership validity"

_INVITATIONS = """CREATE TABLE IF NOT EXISTS "invitations" (
    "id" UUID PRIMARY KEY NOT NULL,
    "organisation" UUID REFERENCES "organisations" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    "email" VARCHAR(254) NOT NULL DEFAULT '',
    "role" VARCHAR(32) NOT NULL DEFAULT '',
    "token_hash" VARCHAR(64) UNIQUE NOT NULL,
    "invited_by" UUID REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "accepted_at" TIMESTAMPTZ DEFAULT null,
    "accepted_by" UUID REFERENCES "users" ("id") ON DELETE SET NULL ON UPDATE CASCADE)"""

_SIGNUPS = """CREATE TABLE IF NOT EXISTS "signup_requests" (
    "id" UUID PRIMARY KEY NOT NULL,
    "token_hash" VARCHAR(64) UNIQUE NOT NULL,
    "company_name" VARCHAR(200) NOT NULL DEFAULT '',
    "kvk" VARCHAR(8) NOT NULL DEFAULT '',
    "name" VARCHAR(200) NOT NULL DEFAULT '',
    "email" VARCHAR(254) NOT NULL DEFAULT '',
    "password_hash" TEXT NOT NULL DEFAULT '',
    "locale" VARCHAR(5) NOT NULL DEFAULT 'nl',
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "confirmed_at" TIMESTAMPTZ DEFAULT null,
    "organisation" UUID REFERENCES "organisations" ("id") ON DELETE SET NULL ON UPDATE CASCADE)"""

DDL = (
    'ALTER TABLE "partnerships" ADD COLUMN "valid_from" DATE DEFAULT null',
    'ALTER TABLE "partnerships" ADD COLUMN "valid_to" DATE DEFAULT null',
    'ALTER TABLE "partnerships" ADD COLUMN "created_at" TIMESTAMPTZ DEFAULT null',
    _INVITATIONS,
    'CREATE INDEX IF NOT EXISTS invitations_organisation ON "invitations" ("organisation")',
    _SIGNUPS,
    'CREATE INDEX IF NOT EXISTS signup_requests_email ON "signup_requests" ("email")',
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_schema() -> None:
        engine: Engine[Any] = Organisation._meta.db
        for ddl in DDL:
            await engine.run_ddl(ddl)

    manager.add_raw(create_schema)
    return manager
