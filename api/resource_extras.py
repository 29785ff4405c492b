"""Photos and contacts beside catalogue answers: one batch query each per page of resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import msgspec

from api.schemas_catalogue import (
    ResourceItem,
    ResourceOut,
    SchoolOut,
    resource_item,
    resource_out,
    school_out,
)
from api.schemas_onboarding import OrganisationOut, organisation_out
from api.schemas_photos import contact_out, photo_out
from booking.services import contacts, photos
from booking.services.organisations import OrganisationView
from booking.services.views import ResourceView, SchoolView

R = TypeVar("R", bound=ResourceOut)


async def _with_extras(outs: list[R], views: Sequence[ResourceView]) -> list[R]:
    """`outs` (one per view) with each resource's photos and contact person."""
    found = await photos.photos_of([v.id for v in views])
    people = await contacts.resource_contacts([(v.id, v.school_id) for v in views])
    return [
        msgspec.structs.replace(out, photos=[photo_out(p) for p in found.get(v.id, [])],
                                contact=contact_out(people.get(v.id)))
        for out, v in zip(outs, views, strict=True)
    ]


async def resources_out(views: Sequence[ResourceView]) -> list[ResourceOut]:
    """`resource_out` of each, with its photos and contact person."""
    return await _with_extras([resource_out(v) for v in views], views)


async def resource_items(views: Sequence[ResourceView]) -> list[ResourceItem]:
    """List items (`resource_item`: with `first_free`), with their photos and contact person."""
    return await _with_extras([resource_item(v) for v in views], views)


async def one_resource_out(view: ResourceView) -> ResourceOut:
    return (await resources_out([view]))[0]


async def schools_out(views: Sequence[SchoolView]) -> list[SchoolOut]:
    people = await contacts.school_contacts([v.id for v in views])
    return [msgspec.structs.replace(school_out(v), contact=contact_out(people.get(v.id)))
            for v in views]


async def organisations_out(views: Sequence[OrganisationView]) -> list[OrganisationOut]:
    people = await contacts.school_contacts([v.id for v in views])
    return [msgspec.structs.replace(organisation_out(v), contact=contact_out(people.get(v.id)))
            for v in views]
