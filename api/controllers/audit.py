"""The audit trail: `GET /api/v1/audit` (a school its own, a company its bookings', admin all)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get
from litestar.params import Parameter

from api.deps import require_aware
from api.schemas import Cursor, Limit, problems
from booking.domain.roles import Actor
from booking.services import audit

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class AuditActorOut(msgspec.Struct):
    id: str
    name: Annotated[str, msgspec.Meta(description="'' for an anonymised person")]


class AuditEntryOut(msgspec.Struct):
    at: datetime
    actor: Annotated[AuditActorOut | None, msgspec.Meta(description="null: the system")]
    action: Annotated[str, msgspec.Meta(examples=["booking.approved"])]
    object_type: Annotated[str, msgspec.Meta(examples=["booking"])]
    object_id: str
    summary: str


class AuditList(msgspec.Struct):
    items: list[AuditEntryOut]
    next_cursor: str | None = None


def entry_out(e: audit.AuditEntryView) -> AuditEntryOut:
    actor = AuditActorOut(e.actor_id, e.actor_name) if e.actor_id else None
    return AuditEntryOut(e.at, actor, e.action, e.object_type, e.object_id, e.summary)


@get("/api/v1/audit", tags=["audit"], security=SECURITY, responses=problems(401, 403, 404))
async def list_audit(
    member: Actor,
    limit: Limit = 50,
    cursor: Cursor = None,
    organisation: UUID | None = None,
    start: Annotated[datetime | None, Parameter(query="from")] = None,
    end: Annotated[datetime | None, Parameter(query="to")] = None,
) -> AuditList:
    """Newest first. `organisation`: one of the caller's organisations (another answers 404;
    a school's staff get 403); without it, every organisation the caller may read."""
    if start is not None:
        require_aware(start, "from")
    if end is not None:
        require_aware(end, "to")
    page = await audit.list_entries(
        member, organisation_id=str(organisation) if organisation else None,
        start=start, end=end, limit=limit, cursor=cursor,
    )
    return AuditList(items=[entry_out(e) for e in page.items], next_cursor=page.next_cursor)


ROUTES: list[Any] = [list_audit]
