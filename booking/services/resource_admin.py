"""Managing the catalogue: creating and changing resources (validated against their school,
site, lab and policy rules) and replacing their weekly opening hours."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from booking.db import calendar_store, schools_store
from booking.db import catalogue_store as store
from booking.db.engine import transaction
from booking.domain import permissions
from booking.domain.errors import NotAllowed, Reason, RuleViolation
from booking.domain.openinghours import OpeningRule
from booking.domain.resources import (
    BookableBy,
    CustomerClass,
    Policy,
    Rate,
    Resource,
    ResourceKind,
    Visibility,
)
from booking.domain.roles import Actor
from booking.services import audit
from booking.services.calendars import valid_id
from booking.services.catalogue import get_opening_hours, get_resource, managed_resource
from booking.services.views import ResourceInput, ResourceView


def _rates(value: Any) -> tuple[Rate, ...]:
    rates = []
    for item in value:
        if isinstance(item, Rate):
            rates.append(item)
        else:
            rates.append(Rate(CustomerClass(item["customer_class"]),
                              Decimal(str(item["hourly"])), item.get("currency", "EUR")))
    return tuple(rates)


def _policy(base: Policy, value: Any) -> Policy:
    if isinstance(value, Policy):
        return value
    changes = dict(value)
    if "bookable_by" in changes:
        changes["bookable_by"] = BookableBy(changes["bookable_by"])
    return dataclasses.replace(base, **changes)


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation([Reason("invalid", message)], field_name=field)


async def _validate(resource: Resource) -> None:
    """Site of the same school; parent a lab of the same site; sane policy."""
    site = await schools_store.get_site(resource.site_id)
    if site is None or site.school_id != resource.school_id:
        raise _invalid("site_id", "the site must belong to the resource's school")
    if resource.parent_id is not None:
        parent = await store.get_resource(resource.parent_id)
        if (parent is None or parent.resource.kind is not ResourceKind.LAB
                or parent.resource.site_id != resource.site_id
                or resource.kind is not ResourceKind.EQUIPMENT
                or parent.resource.id == resource.id):
            raise _invalid("parent_id", "equipment may only sit in a lab of the same site")
    if not resource.name.strip():
        raise _invalid("name", "a name is required")
    check_policy(resource.policy)



SLOT_SIZES = frozenset({5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480})
"""Slot sizes that divide a day into whole slots (free windows and bookings start and end on
slot boundaries counted from local midnight)."""


def check_policy(p: Policy) -> Policy:
    """`p` when sane, else RuleViolation naming the field (`policy.slot_minutes`, …): a slot
    size from SLOT_SIZES, minimum and maximum duration whole slots with minimum <= maximum,
    nothing negative. The API and the manage pages get the same rules from here."""
    if p.slot_minutes not in SLOT_SIZES:
        sizes = ", ".join(str(x) for x in sorted(SLOT_SIZES))
        raise _invalid("policy.slot_minutes", f"the slot size must be one of {sizes} minutes")
    for name in ("min_duration_minutes", "max_duration_minutes"):
        if getattr(p, name) % p.slot_minutes:
            raise _invalid(f"policy.{name}",
                           f"must be a whole number of slots ({p.slot_minutes} minutes each)")
    if p.min_duration_minutes > p.max_duration_minutes:
        raise _invalid("policy.min_duration_minutes",
                       "the minimum duration may not exceed the maximum")
    if min(p.min_notice_minutes, p.max_advance_days, p.buffer_before_minutes,
           p.buffer_after_minutes, p.min_duration_minutes) < 0 or (
               p.quota_hours_per_week is not None and p.quota_hours_per_week < 0):
        raise _invalid("policy", "inconsistent booking policy")
    return p


async def create_resource(actor: Actor, data: ResourceInput, *, now: datetime | None = None
                          ) -> ResourceView:
    """A new lab or equipment; only facility managers of `data.school_id`."""
    school_id, site_id = valid_id(data.school_id), valid_id(data.site_id)
    if not permissions.can_manage_school(actor, school_id):
        raise NotAllowed("only the school's facility managers may add resources")
    try:
        resource = Resource(
            id="", school_id=school_id, site_id=site_id, kind=ResourceKind(data.kind),
            name=data.name.strip(), parent_id=data.parent_id and valid_id(data.parent_id),
            capacity=data.capacity, tags=tuple(sorted({t.lower() for t in data.tags})),
            visibility=Visibility(data.visibility), policy=data.policy,
            rates=_rates(data.rates),
        )
    except (ValueError, KeyError) as exc:
        raise _invalid("kind", str(exc)) from None
    async with transaction():
        await _validate(resource)
        new_id = await store.insert_resource(resource, data.description, now or _now())
    return await get_resource(actor, new_id)


_PATCHABLE = {"name", "description", "tags", "capacity", "parent_id", "site_id", "visibility",
              "rates", "policy", "school_id", "kind"}


async def update_resource(actor: Actor, resource_id: str, patch: Mapping[str, Any], *,
                          now: datetime | None = None) -> ResourceView:
    """Change fields of a resource; the school and kind cannot change (RuleViolation)."""
    unknown = set(patch) - _PATCHABLE
    if unknown:
        raise _invalid(sorted(unknown)[0], "unknown field")
    async with transaction():
        rec = await managed_resource(actor, resource_id)
        r = rec.resource
        if "school_id" in patch and patch["school_id"] != r.school_id:
            raise _invalid("school_id", "a resource cannot move to another school")
        if "kind" in patch and patch["kind"] != str(r.kind):
            raise _invalid("kind", "the kind of a resource cannot change")
        try:
            updated = dataclasses.replace(
                r,
                name=str(patch.get("name", r.name)).strip(),
                site_id=valid_id(patch["site_id"]) if "site_id" in patch else r.site_id,
                parent_id=(valid_id(patch["parent_id"]) if patch.get("parent_id") else None)
                if "parent_id" in patch else r.parent_id,
                capacity=int(patch.get("capacity", r.capacity)),
                tags=tuple(sorted({t.lower() for t in patch.get("tags", r.tags)})),
                visibility=Visibility(patch.get("visibility", r.visibility)),
                rates=_rates(patch["rates"]) if "rates" in patch else r.rates,
                policy=_policy(r.policy, patch["policy"]) if "policy" in patch else r.policy,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise _invalid("policy", str(exc)) from None
        await _validate(updated)
        await store.update_resource(
            updated, str(patch.get("description", rec.description)), now or _now()
        )
        await audit.record(
            action="resource.updated", object_type="resource", object_id=r.id,
            summary=f"{updated.name}: changed {', '.join(sorted(patch))}", at=now or _now(),
            actor_id=actor.user_id, organisation_ids=(r.school_id,),
        )
    return await get_resource(actor, r.id)


async def set_opening_hours(
    actor: Actor, resource_id: str, rules: list[OpeningRule]
) -> list[OpeningRule]:
    """Replace the weekly opening rules (local time of the site); bumps the resource's
    version (`updated_at`), which keys anything derived from the rules."""
    async with transaction():
        rec = await managed_resource(actor, resource_id)
        await store.bump_version(rec.resource.id, _now())
        await calendar_store.replace_opening_rules(rec.resource.id, rules)
        await audit.record(
            action="opening_hours.changed", object_type="resource", object_id=rec.resource.id,
            summary=f"{rec.resource.name}: {len(rules)} weekly opening rule(s)", at=_now(),
            actor_id=actor.user_id, organisation_ids=(rec.resource.school_id,),
        )
    return await get_opening_hours(actor, resource_id)


def _now() -> datetime:
    return datetime.now(UTC)
