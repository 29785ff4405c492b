"""Photos and contacts beside catalogue answers: one batch query each per page of resources."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.schemas_catalogue import ResourceOut, SchoolOut, resource_out, school_out
from api.schemas_onboarding import OrganisationOut, organisation_out
from api.schemas_photos import contact_out, photo_out
from booking.services import contacts, photos
from booking.services.organisations import OrganisationView
from booking.services.views import ResourceView, SchoolView


async def resources_out(views: Sequence[ResourceView]) -> list[ResourceOut]:
    """`resource_out` of each, with its photos and contact person."""
    found = await photos.photos_of([v.id for v in views])
    people = await contacts.resource_contacts([(v.id, v.school_id) for v in views])
    return [
        msgspec.structs.replace(
            resource_out(v), photos=[photo_out(p) for p in found.get(v.id, [])],
            contact=contact_out(people.get(v.id)),
        )
        for v in views
    ]


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
