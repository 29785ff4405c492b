"""The outbox for admins: `GET /api/v1/outbox?status=failed` lists what could not be sent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import get
from litestar.params import Parameter

from api.schemas import problems
from booking.domain.roles import Actor
from booking.services import outbox_admin
from booking.services.outbox_admin import OutboxItem

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class OutboxOut(msgspec.Struct):
    id: int
    kind: Annotated[str, msgspec.Meta(examples=["mail"])]
    recipient: str
    summary: Annotated[str, msgspec.Meta(description="Mail template or webhook event type")]
    status: Annotated[str, msgspec.Meta(examples=["failed"])]
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


class OutboxList(msgspec.Struct):
    items: list[OutboxOut]
    next_cursor: str | None = None


def outbox_out(item: OutboxItem) -> OutboxOut:
    return OutboxOut(
        id=item.id, kind=item.kind, recipient=item.recipient, summary=item.summary,
        status=item.status, attempts=item.attempts, last_error=item.last_error,
        created_at=item.created_at, next_attempt_at=item.next_attempt_at, sent_at=item.sent_at,
    )


@get("/api/v1/outbox", tags=["notifications"], security=SECURITY,
     responses=problems(401, 403, 422))
async def list_outbox(
    member: Actor,
    status: Annotated[Literal["pending", "sent", "failed"] | None,
                      Parameter(description="Only messages in this state")] = None,
    kind: Annotated[Literal["mail", "webhook"] | None, Parameter(description="mail or webhook")]
    = None,
    limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Parameter(description="`next_cursor` of the previous page",
                                            max_length=20, pattern=r"^[0-9]{1,18}$")] = None,
) -> OutboxList:
    """Messages newest first, with the last error (admins only)."""
    items = await outbox_admin.list_outbox(
        member, status=status, kind=kind, limit=limit + 1,
        before_id=None if cursor is None else int(cursor),
    )
    more = len(items) > limit
    items = items[:limit]
    return OutboxList([outbox_out(i) for i in items],
                      next_cursor=str(items[-1].id) if more and items else None)


ROUTES: list[Any] = [list_outbox]
