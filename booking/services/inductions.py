"""Safety inductions: a facility manager records that a company completed the induction for a
resource; booking a resource with `induction_required` needs one on it or on its lab."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.db import inductions_store
from booking.db.engine import transaction
from booking.domain.errors import NotFound, Reason, RuleViolation
from booking.domain.instants import utc
from booking.domain.roles import Actor
from booking.services.calendars import valid_id
from booking.services.catalogue import managed_resource


@dataclass(frozen=True, slots=True)
class InductionView:
    id: str
    organisation_id: str
    organisation_name: str
    resource_id: str
    completed_at: datetime
    recorded_by: str | None
    timezone: str


async def record_induction(
    actor: Actor, resource_id: str, organisation_id: str, now: datetime,
    completed_at: datetime | None = None,
) -> InductionView:
    """Record the company's induction on the resource (facility managers of its school and
    admins; NotFound/NotAllowed otherwise); RuleViolation on `organisation_id` when that is no
    company. A lab's induction covers its equipment."""
    try:
        company = valid_id(organisation_id)
    except NotFound:
        company = ""
    async with transaction():
        rec = await managed_resource(actor, resource_id)
        if not company or not await inductions_store.is_company(company):
            raise RuleViolation([Reason("invalid", "name a company")],
                                field_name="organisation_id")
        new_id = await inductions_store.insert_induction(company, rec.resource.id,
                                              utc(completed_at or now), actor.user_id)
    found = await list_inductions(actor, rec.resource.id)
    return next(i for i in found if i.id == new_id)


async def list_inductions(actor: Actor, resource_id: str) -> list[InductionView]:
    """The inductions recorded on the resource, newest first (its school's managers)."""
    rec = await managed_resource(actor, resource_id)
    return [
        InductionView(i.id, i.organisation_id, i.organisation_name, i.resource_id,
                      i.completed_at, i.recorded_by, rec.resource.timezone)
        for i in await inductions_store.inductions_of(rec.resource.id)
    ]
