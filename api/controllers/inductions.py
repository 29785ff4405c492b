"""Safety inductions of a resource: facility managers record and list them. Thin: parse, call
`booking.services.inductions`, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import get, post

from api.schemas import UUIDStr, problems
from booking.domain.roles import Actor
from booking.services import inductions
from booking.services.inductions import InductionView
from booking.timefmt import to_local

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class InductionIn(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: UUIDStr


class InductionOut(msgspec.Struct):
    id: str
    organisation_id: str
    organisation_name: str
    resource_id: str
    completed_at: datetime
    recorded_by: str | None


class InductionList(msgspec.Struct):
    items: list[InductionOut]


def _out(v: InductionView) -> InductionOut:
    return InductionOut(v.id, v.organisation_id, v.organisation_name, v.resource_id,
                        to_local(v.completed_at, v.timezone), v.recorded_by)


@post(
    "/api/v1/resources/{resource_id:uuid}/inductions", tags=["catalogue"], security=SECURITY,
    status_code=201, responses=problems(401, 403, 404),
)
async def record_induction(
    resource_id: UUID, data: InductionIn, member: Actor, now: datetime
) -> InductionOut:
    """Record that the company completed the safety induction for this resource (a lab's
    covers its equipment); facility managers of the school only."""
    view = await inductions.record_induction(
        member, str(resource_id), data.organisation_id.lower(), now
    )
    return _out(view)


@get(
    "/api/v1/resources/{resource_id:uuid}/inductions", tags=["catalogue"], security=SECURITY,
    responses=problems(401, 403, 404),
)
async def list_inductions(resource_id: UUID, member: Actor) -> InductionList:
    """The inductions recorded on this resource, newest first; facility managers only."""
    return InductionList([_out(v) for v in await inductions.list_inductions(member,
                                                                         str(resource_id))])


ROUTES: list[Any] = [record_induction, list_inductions]
