"""Notifications (issue 11): the outbox, iTIP sequences, webhooks, digest items, user choices.

Raw DDL per backend, like the first migration; `outbox_messages.id` is an integer so the worker
leases in insertion order and the Message-ID (`<outbox-{id}@host>`) stays short.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine

from booking.db.tables import Organisation

ID = "2026-12-08T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: outbox, iTIP sequences, webhooks, digest, reminder choices"

_SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgres": "BIGSERIAL PRIMARY KEY"}
_UUID = {"sqlite": "UUID", "postgres": "UUID"}
_TS = {"sqlite": "TIMESTAMPTZ", "postgres": "TIMESTAMPTZ"}  # SQLite: the converter's name


def _ddl(kind: str) -> tuple[str, ...]:
    ts, uid = _TS[kind], _UUID[kind]
    return (
        f"""CREATE TABLE IF NOT EXISTS outbox_messages (
            id {_SERIAL[kind]},
            kind VARCHAR(16) NOT NULL,
            recipient VARCHAR(500) NOT NULL,
            payload TEXT NOT NULL,
            status VARCHAR(16) NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at {ts} NOT NULL,
            locked_until {ts} NULL,
            last_error TEXT NOT NULL DEFAULT '',
            created_at {ts} NOT NULL,
            sent_at {ts} NULL,
            dedupe_key VARCHAR(200) NULL UNIQUE,
            webhook {uid} NULL)""",
        # what the worker scans: unsent rows by due time
        "CREATE INDEX IF NOT EXISTS outbox_due ON outbox_messages (status, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS outbox_webhook ON outbox_messages (webhook, id)",
        """CREATE TABLE IF NOT EXISTS itip_sequences (
            uid VARCHAR(200) PRIMARY KEY,
            sequence INTEGER NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE IF NOT EXISTS webhooks (
            id {uid} PRIMARY KEY,
            organisation {uid} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            secret TEXT NOT NULL,
            created_by {uid} NULL,
            created_at {ts} NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS webhooks_organisation ON webhooks (organisation)",
        f"""CREATE TABLE IF NOT EXISTS digest_items (
            id {_SERIAL[kind]},
            "user" {uid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            locale VARCHAR(5) NOT NULL DEFAULT 'nl',
            line TEXT NOT NULL,
            created_at {ts} NOT NULL)""",
        'CREATE INDEX IF NOT EXISTS digest_items_user ON digest_items ("user")',
        "ALTER TABLE users ADD COLUMN reminders BOOLEAN NOT NULL DEFAULT TRUE",
        "ALTER TABLE users ADD COLUMN digest BOOLEAN NOT NULL DEFAULT FALSE",
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="labshare", description=DESCRIPTION)

    async def create_schema() -> None:
        engine: Engine[Any] = Organisation._meta.db  # the configured engine
        for ddl in _ddl(engine.engine_type):
            await engine.run_ddl(ddl)

    manager.add_raw(create_schema)
    return manager
