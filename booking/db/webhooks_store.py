"""Webhook subscriptions of organisations: rows ⇄ plain records."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db.sql import Row, execute, fetch, fetch_one, placeholders
from booking.domain.instants import utc


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    id: str
    organisation_id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime


def _record(row: Row) -> WebhookRecord:
    return WebhookRecord(str(row["id"]), str(row["organisation"]), row["url"],
                         tuple(json.loads(row["events"])), row["created_at"])


async def insert_webhook(
    *, organisation_id: str, url: str, events: Sequence[str], secret: str,
    created_by: str | None, now: datetime,
) -> str:
    webhook_id = str(uuid.uuid4())
    await execute(
        "INSERT INTO webhooks (id, organisation, url, events, secret, created_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        webhook_id, organisation_id, url, json.dumps(list(events)), secret, created_by, utc(now),
    )
    return webhook_id


async def list_webhooks(organisation_ids: Sequence[str] | None) -> list[WebhookRecord]:
    """Subscriptions of these organisations (None: all), oldest first."""
    if organisation_ids is not None and not organisation_ids:
        return []
    sql = "SELECT id, organisation, url, events, created_at FROM webhooks"
    args: list[str] = []
    if organisation_ids is not None:
        args = list(organisation_ids)
        sql += f" WHERE organisation IN ({placeholders(len(args))})"
    return [_record(r) for r in await fetch(sql + " ORDER BY created_at, id", *args)]


async def get_webhook(webhook_id: str) -> WebhookRecord | None:
    row = await fetch_one(
        "SELECT id, organisation, url, events, created_at FROM webhooks WHERE id = $1",
        webhook_id,
    )
    return None if row is None else _record(row)


async def get_secret(webhook_id: str) -> str | None:
    row = await fetch_one("SELECT secret FROM webhooks WHERE id = $1", webhook_id)
    return None if row is None else str(row["secret"])


async def delete_webhook(webhook_id: str) -> bool:
    rows = await fetch("DELETE FROM webhooks WHERE id = $1 RETURNING id", webhook_id)
    return bool(rows)
