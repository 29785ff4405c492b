"""Contact persons of resources and schools: set by the school's managers, shown to bookers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from booking.db import photos_store as store
from booking.db.engine import transaction
from booking.db.photos_store import ContactRecord
from booking.domain import organisations as rules
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.roles import Actor, OrgKind
from booking.services import organisations
from booking.services.catalogue import managed_resource

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,38}$")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation([Reason("invalid", message)], field_name=field)


def checked(contact: Contact, prefix: str = "contact") -> ContactRecord:
    """The contact trimmed; RuleViolation naming the field that is not a name/address/number."""
    name, email, phone = (" ".join(v.split()) for v in (contact.name, contact.email,
                                                         contact.phone))
    if len(name) > 200:
        raise _invalid(f"{prefix}.name", "at most 200 characters")
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise _invalid(f"{prefix}.email", "not an e-mail address")
    if phone and not PHONE.match(phone):
        raise _invalid(f"{prefix}.phone", "not a telephone number")
    return ContactRecord(name, email, phone)


def as_contact(record: ContactRecord | None) -> Contact | None:
    """A stored contact as shown; None when nothing is set."""
    return Contact(record.name, record.email, record.phone) if record else None


async def set_resource_contact(actor: Actor, resource_id: str, contact: Contact) -> None:
    """Set the contact person of a resource the actor manages (all "" clears it)."""
    rec = await managed_resource(actor, resource_id)
    value = checked(contact)
    async with transaction():
        await store.set_contact("resources", rec.resource.id, value)


async def set_organisation_contact(actor: Actor, org_id: str, contact: Contact) -> None:
    """Set the contact person of an organisation (its managers or the admin)."""
    org = await organisations.get_organisation(actor, org_id)
    if not rules.can_manage_members(actor, org.id, OrgKind(org.kind)):
        raise NotAllowed("only the organisation's managers change its contact")
    value = checked(contact)
    async with transaction():
        await store.set_contact("organisations", org.id, value)


async def resource_contacts(resources: Sequence[tuple[str, str]]) -> dict[str, Contact]:
    """For each (resource id, school id): the resource's contact, else its school's."""
    own = await store.contacts_of("resources", [r for r, _ in resources])
    schools = await store.contacts_of("organisations", sorted({s for _, s in resources}))
    result: dict[str, Contact] = {}
    for rid, sid in resources:
        found = as_contact(own.get(rid)) or as_contact(schools.get(sid))
        if found:
            result[rid] = found
    return result


async def school_contacts(school_ids: Sequence[str]) -> dict[str, Contact]:
    """The contact of each school that has one."""
    found = await store.contacts_of("organisations", list(school_ids))
    return {sid: c for sid, rec in found.items() if (c := as_contact(rec))}


async def organisation_contact(org_id: str) -> Contact | None:
    """One organisation's contact (callers have checked the actor may see it)."""
    found = await store.contacts_of("organisations", [org_id])
    if org_id not in found:
        raise NotFound("no such organisation")
    return as_contact(found[org_id])


async def own_contact(table: str, object_id: str) -> Contact:
    """The contact stored on one resource or organisation itself (`table` "resources" or
    "organisations"), empty when unset, for its edit form (callers have checked access)."""
    found = (await store.contacts_of(table, [object_id])).get(object_id)
    return as_contact(found) or Contact()
