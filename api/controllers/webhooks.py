"""Webhooks for integrators: `POST/GET /api/v1/webhooks`, `GET/DELETE /api/v1/webhooks/{id}`,
`GET /api/v1/webhooks/{id}/deliveries` (a school's facility managers, a company's bookers)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import delete, get, post
from litestar.openapi.datastructures import ResponseSpec

from api.schemas import UUIDStr, problems
from booking.domain.roles import Actor
from booking.services import webhooks
from booking.services.booking_webhooks import EVENTS
from booking.services.webhooks import WebhookView

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


EventName = Literal["booking.created", "booking.confirmed", "booking.declined",
                    "booking.expired", "booking.cancelled", "booking.updated"]


class WebhookIn(msgspec.Struct, forbid_unknown_fields=True):
    """`url` must be http(s) and resolve to a public address (else 422, like imports)."""

    url: Annotated[str, msgspec.Meta(
        min_length=8, max_length=500, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$",
        examples=["https://crm.example.nl/labshare"])]
    events: Annotated[list[EventName], msgspec.Meta(min_length=1, max_length=len(EVENTS),
                                                    examples=[["booking.created"]])]
    organisation_id: UUIDStr | None = None


class WebhookOut(msgspec.Struct):
    id: str
    organisation_id: str
    url: str
    events: list[str]
    created_at: datetime


class NewWebhookOut(msgspec.Struct):
    id: str
    organisation_id: str
    url: str
    events: list[str]
    created_at: datetime
    secret: Annotated[str, msgspec.Meta(description=(
        "Shown once: verify `Labshare-Signature: t=…,v1=…` as HMAC-SHA256(secret, "
        "\"<t>.<body>\")"))]


class WebhookList(msgspec.Struct):
    items: list[WebhookOut]
    next_cursor: str | None = None


class DeliveryOut(msgspec.Struct):
    id: int
    event: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class DeliveryList(msgspec.Struct):
    items: list[DeliveryOut]
    next_cursor: str | None = None


def webhook_out(v: WebhookView) -> WebhookOut:
    return WebhookOut(v.id, v.organisation_id, v.url, list(v.events), v.created_at)


@post("/api/v1/webhooks", tags=["webhooks"], security=SECURITY, status_code=201,
      responses={201: ResponseSpec(NewWebhookOut, description="Created; the secret shown once"),
                 **problems(401, 403, 422)})
async def create_webhook(member: Actor, now: datetime, data: WebhookIn) -> NewWebhookOut:
    """Subscribe a URL to your organisation's booking events (`events`: booking.created,
    .confirmed, .declined, .expired, .cancelled, .updated); the secret is shown only here."""
    view, secret = await webhooks.create_webhook(
        member, url=data.url, events=data.events, now=now,
        organisation_id=data.organisation_id,
    )
    return NewWebhookOut(view.id, view.organisation_id, view.url, list(view.events),
                         view.created_at, secret)


@get("/api/v1/webhooks", tags=["webhooks"], security=SECURITY, responses=problems(401))
async def list_webhooks(member: Actor) -> WebhookList:
    """Your organisations' subscriptions (never their secrets)."""
    return WebhookList([webhook_out(v) for v in await webhooks.list_webhooks(member)])


@get("/api/v1/webhooks/{webhook_id:uuid}", tags=["webhooks"], security=SECURITY,
     responses=problems(401, 404))
async def get_webhook(member: Actor, webhook_id: UUID) -> WebhookOut:
    return webhook_out(await webhooks.get_webhook(member, str(webhook_id)))


@get("/api/v1/webhooks/{webhook_id:uuid}/deliveries", tags=["webhooks"], security=SECURITY,
     responses=problems(401, 404))
async def list_deliveries(member: Actor, webhook_id: UUID) -> DeliveryList:
    """The latest 20 deliveries, newest first, with their status and last error."""
    items = await webhooks.recent_deliveries(member, str(webhook_id))
    return DeliveryList([DeliveryOut(d.id, d.event, d.status, d.attempts, d.last_error,
                                     d.created_at, d.sent_at) for d in items])


@delete("/api/v1/webhooks/{webhook_id:uuid}", tags=["webhooks"], security=SECURITY,
        status_code=204, responses=problems(401, 404))
async def delete_webhook(member: Actor, webhook_id: UUID) -> None:
    """Stop the subscription; deliveries not yet sent are dropped."""
    await webhooks.delete_webhook(member, str(webhook_id))


ROUTES: list[Any] = [create_webhook, list_webhooks, get_webhook, list_deliveries,
                     delete_webhook]
