"""Catalogue: schools, resources (search, detail, create, patch), opening hours, closures,
availability and booking checks. Thin: parse, call `booking.services.catalogue`, render."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, delete, get, patch, post, put
from litestar.params import Parameter
from msgspec import UnsetType

from api.deps import request_locale, require_aware
from api.messages import invalid
from api.resource_extras import one_resource_out, resource_items, schools_out
from api.schemas import Cursor, Limit, problems
from api.schemas_catalogue import (
    AvailabilityOut,
    CheckOut,
    CheckReason,
    Kind,
    OpeningRuleIO,
    OpeningRules,
    ResourceIn,
    ResourceList,
    ResourceOut,
    ResourcePatch,
    SchoolList,
    SchoolOut,
    availability_out,
    check_policy,
    policy_in,
    rate_in,
    rule_out,
)
from api.schemas_photos import contact_in
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule, parse_hhmm
from booking.domain.roles import Actor
from booking.i18n import reason_message, translations
from booking.services import catalogue, closures, contacts, resource_admin
from booking.services.contacts import checked as checked_contact
from booking.services.views import ResourceInput
from booking.timefmt import to_local

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
From = Annotated[datetime, Parameter(query="from", description="Window start (RFC 3339)")]
To = Annotated[datetime, Parameter(query="to", description="Window end, exclusive")]


def _window(start: datetime, end: datetime, field: str = "from") -> Interval:
    require_aware(start, field)
    require_aware(end, "to" if field == "from" else "end")
    return Interval(start, end)


@get("/api/v1/schools", tags=["catalogue"], responses=problems())
async def list_schools(actor: Actor) -> SchoolList:
    """Every school with its sites."""
    return SchoolList(items=await schools_out(await catalogue.list_schools(actor)))


@get("/api/v1/schools/{school_id:uuid}", tags=["catalogue"], responses=problems(404))
async def get_school(actor: Actor, school_id: UUID) -> SchoolOut:
    return (await schools_out([await catalogue.get_school(actor, str(school_id))]))[0]


@get("/api/v1/resources", tags=["catalogue"], responses=problems())
async def list_resources(
    actor: Actor,
    now: datetime,
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Kind | None = None,
    tag: Annotated[str | None, Parameter(max_length=40)] = None,
    school: UUID | None = None,
    q: Annotated[str | None, Parameter(
        max_length=100, description="Text search: every word must start a word or a Dutch "
        "stem of the name, description, tags, school or city; ranked by relevance")] = None,
    city: Annotated[str | None, Parameter(max_length=100,
                                          description="The site's city (whole, any case)")] = None,
    free_from: Annotated[datetime | None, Parameter(description="With free_to: has a free "
                                                    "bookable window in this range")] = None,
    free_to: datetime | None = None,
    min_free_minutes: Annotated[int | None, Parameter(ge=1, le=10_080)] = None,
) -> ResourceList:
    """The resources the caller may see, by name; optionally only those with a free window."""
    if free_from is not None:
        require_aware(free_from, "free_from")
    if free_to is not None:
        require_aware(free_to, "free_to")
    page = await catalogue.list_resources(
        actor, kind=kind, tag=tag, school_id=str(school) if school else None, q=q, city=city,
        free_from=free_from, free_to=free_to, min_free_minutes=min_free_minutes,
        limit=limit, cursor=cursor, now=now,
    )
    return ResourceList(items=await resource_items(page.items), next_cursor=page.next_cursor,
                        total=page.total or 0, suggestion=page.suggestion)


@get("/api/v1/resources/{resource_id:uuid}", tags=["catalogue"], responses=problems(404))
async def get_resource(actor: Actor, resource_id: UUID) -> ResourceOut:
    return await one_resource_out(await catalogue.get_resource(actor, str(resource_id)))


@post(
    "/api/v1/resources", tags=["catalogue"], security=SECURITY,
    responses=problems(401, 403, 404),
)
async def create_resource(data: ResourceIn, member: Actor, now: datetime) -> ResourceOut:
    """A new lab or equipment; facility managers of the school only."""
    view = await resource_admin.create_resource(
        member,
        ResourceInput(
            school_id=data.school_id, site_id=data.site_id, kind=data.kind, name=data.name,
            description=data.description, tags=list(data.tags), capacity=data.capacity,
            parent_id=data.parent_id, visibility=data.visibility,
            rates=[rate_in(r) for r in data.rates],
            policy=check_policy(policy_in(data.policy)),
        ),
        now=now,
    )
    return await one_resource_out(view)


@patch(
    "/api/v1/resources/{resource_id:uuid}", tags=["catalogue"], security=SECURITY,
    responses=problems(401, 403, 404),
)
async def update_resource(
    resource_id: UUID, data: ResourcePatch, member: Actor, now: datetime
) -> ResourceOut:
    """Change some fields; the school and kind never change. The platform admin may change
    any school's resources."""
    if not isinstance(data.policy, UnsetType):
        current = await catalogue.get_resource(member, str(resource_id))
        check_policy(policy_in(data.policy, base=current.policy))
    contact = None if isinstance(data.contact, UnsetType) else contact_in(data.contact)
    if contact is not None:
        checked_contact(contact)  # refused before anything changes
    changes = data.changes()
    if changes or contact is None:
        await resource_admin.update_resource(member, str(resource_id), changes, now=now)
    if contact is not None:
        await contacts.set_resource_contact(member, str(resource_id), contact)
    return await one_resource_out(await catalogue.get_resource(member, str(resource_id)))


@get(
    "/api/v1/resources/{resource_id:uuid}/availability", tags=["catalogue"],
    responses=problems(404),
)
async def availability(
    request: Request[Any, Any, Any], actor: Actor, now: datetime, resource_id: UUID,
    start: From, end: To,
) -> AvailabilityOut:
    """Free bookable windows and busy time (never who booked) within `[from, to)`. A closure's
    `reason` is its public label ("Eigen onderwijs", "Onderhoud", a holiday's name) unless the
    caller is staff of the resource's school."""
    view = await catalogue.availability(actor, str(resource_id), _window(start, end), now)
    return availability_out(view, translations(request_locale(request)).gettext)


@get("/api/v1/resources/{resource_id:uuid}/check", tags=["catalogue"], responses=problems(404))
async def check(
    request: Request[Any, Any, Any], actor: Actor, now: datetime, resource_id: UUID,
    start: Annotated[datetime, Parameter(description="Start of the wanted interval")],
    end: Annotated[datetime, Parameter(description="End of the wanted interval")],
    organisation_id: UUID | None = None,
) -> CheckOut:
    """Whether the caller could book `[start, end)`, and every reason why not."""
    interval = _window(start, end, "start")
    reasons = await catalogue.check(
        actor, str(resource_id), interval, now,
        company_id=str(organisation_id) if organisation_id else None,
    )
    locale = request_locale(request)
    tz = (await catalogue.get_resource(actor, str(resource_id))).timezone if reasons else ""
    return CheckOut(
        bookable=not reasons,
        reasons=[
            CheckReason(
                code=r.code, message=reason_message(r, locale),
                start=to_local(r.start, tz) if r.start else None,
                end=to_local(r.end, tz) if r.end else None,
            )
            for r in reasons
        ],
    )


@get(
    "/api/v1/resources/{resource_id:uuid}/opening-hours", tags=["catalogue"],
    responses=problems(404),
)
async def get_opening_hours(actor: Actor, resource_id: UUID) -> list[OpeningRuleIO]:
    """Weekly rules in the site's local time (1 = Monday … 7 = Sunday)."""
    return [rule_out(r) for r in await catalogue.get_opening_hours(actor, str(resource_id))]


def _rules(data: list[OpeningRuleIO]) -> list[OpeningRule]:
    rules = []
    for i, item in enumerate(data):
        try:
            rules.append(OpeningRule(item.weekday, parse_hhmm(item.opens),
                                     parse_hhmm(item.closes), item.valid_from, item.valid_to))
        except ValueError as exc:
            raise invalid(f"[{i}].closes", str(exc)) from None
        if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
            raise invalid(f"[{i}].valid_to", "valid_to is before valid_from")
    return rules


@put(
    "/api/v1/resources/{resource_id:uuid}/opening-hours", tags=["catalogue"], security=SECURITY,
    responses=problems(401, 403, 404),
)
async def set_opening_hours(
    resource_id: UUID, data: OpeningRules, member: Actor
) -> list[OpeningRuleIO]:
    """Replace the weekly rules; facility managers of the school only."""
    saved = await resource_admin.set_opening_hours(member, str(resource_id), _rules(data))
    return [rule_out(r) for r in saved]


@delete(
    "/api/v1/closures/{closure_id:uuid}", tags=["catalogue"], security=SECURITY,
    responses=problems(401, 403, 404),
)
async def delete_closure(closure_id: UUID, member: Actor) -> None:
    await closures.delete_closure(member, str(closure_id))


ROUTES: list[Any] = [
    list_schools, get_school, list_resources, get_resource, create_resource, update_resource,
    availability, check, get_opening_hours, set_opening_hours, delete_closure,
]
