"""Webhook subscriptions: create (secret shown once), list with recent deliveries, delete.

The secret is stored as it is, not hashed: the server must compute HMAC-SHA256 with it on
every delivery, and a hash cannot sign. It is shown once at creation and never answered again;
whoever reads the database could forge signatures, as with any shared-secret scheme (Stripe's
and GitHub's work the same way). Deleting the subscription is the way to rotate it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db import outbox_store, webhooks_store
from booking.db.webhooks_store import WebhookRecord
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.permissions import can_manage_webhooks, webhook_organisations
from booking.domain.roles import Actor
from booking.services.booking_webhooks import EVENTS
from booking.services.ics_fetch import normalise_url
from booking.services.safe_http import allow_private_from_env, check_public_url

MAX_PER_ORGANISATION = 10


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event: str
    status: str  # pending | sent | failed
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


WebhookView = WebhookRecord
"""A webhook as its organisation sees it (the store's record: nothing to hide or add)."""


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation([Reason("invalid", message)], field_name=field)


def _organisation(actor: Actor, organisation_id: str | None) -> str:
    mine = webhook_organisations(actor)
    if organisation_id is None:
        if len(mine) != 1:
            raise _invalid("organisation_id", "say for which of your organisations")
        return next(iter(mine))
    if not can_manage_webhooks(actor, organisation_id):
        raise NotAllowed("you may not add webhooks for this organisation")
    return organisation_id


async def create_webhook(
    actor: Actor, *, url: str, events: Sequence[str], now: datetime,
    organisation_id: str | None = None,
) -> tuple[WebhookView, str]:
    """A new subscription and its secret (shown this once). 422 for a URL that is not http(s)
    or points at a private address (unless imports may), unknown or no events; 403 when the
    actor manages no such organisation."""
    if not webhook_organisations(actor) and not actor.is_admin:
        raise NotAllowed("only a school's facility managers or a company's bookers add webhooks")
    owner = _organisation(actor, organisation_id)
    try:
        target = normalise_url(url)
    except ValueError as exc:
        raise _invalid("url", str(exc)) from None
    await check_public_url(target, allow_private=allow_private_from_env())  # 422 on `url`
    chosen = tuple(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in EVENTS]
    if not chosen or unknown:
        raise _invalid("events", "choose one or more of " + ", ".join(EVENTS))
    if len(await webhooks_store.list_webhooks([owner])) >= MAX_PER_ORGANISATION:
        raise _invalid("url", f"at most {MAX_PER_ORGANISATION} webhooks per organisation")
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook_id = await webhooks_store.insert_webhook(
        organisation_id=owner, url=target, events=chosen, secret=secret,
        created_by=actor.user_id, now=now,
    )
    rec = await webhooks_store.get_webhook(webhook_id)
    assert rec is not None
    return rec, secret


async def list_webhooks(actor: Actor) -> list[WebhookView]:
    """The subscriptions of the actor's organisations (an admin: all)."""
    orgs = None if actor.is_admin else sorted(webhook_organisations(actor))
    return await webhooks_store.list_webhooks(orgs)


async def _visible(actor: Actor, webhook_id: str) -> WebhookRecord:
    rec = await webhooks_store.get_webhook(webhook_id)
    if rec is None or not can_manage_webhooks(actor, rec.organisation_id):
        raise NotFound("no such webhook")
    return rec


async def get_webhook(actor: Actor, webhook_id: str) -> WebhookView:
    return await _visible(actor, webhook_id)


async def delete_webhook(actor: Actor, webhook_id: str) -> None:
    """Remove the subscription; its queued deliveries are dropped when their turn comes."""
    await _visible(actor, webhook_id)
    await webhooks_store.delete_webhook(webhook_id)


async def recent_deliveries(actor: Actor, webhook_id: str, limit: int = 20) -> list[Delivery]:
    """The latest deliveries of one subscription, newest first."""
    await _visible(actor, webhook_id)
    rows = await outbox_store.list_messages(kind="webhook", webhook_id=webhook_id, limit=limit)
    return [
        Delivery(int(r["id"]), str(json.loads(r["payload"]).get("type", "")), r["status"],
                 int(r["attempts"]), r["last_error"], r["created_at"], r["sent_at"])
        for r in rows
    ]
