"""Who may read which organisation's audit trail, and the one-line summaries' shared wording."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from booking.domain.roles import Actor

AUDIT_ROLES = frozenset({"facility_manager", "booker", "company_admin", "coordinator"})
"""Roles whose holders read their organisation's audit trail: a school's facility managers (its
own entries), a company's bookers and admins (its bookings' entries), a region's coordinators.
A school's staff do not: the trail names people and their decisions."""


class AuditAccess(StrEnum):
    READ = "read"
    FORBIDDEN = "forbidden"  # a member of the organisation without an audit role (403)
    HIDDEN = "hidden"  # not the caller's organisation: it may not know it exists (404)


def audit_organisations(actor: Actor) -> frozenset[str] | None:
    """The organisations whose entries the actor reads; None means every entry (admin)."""
    if actor.is_admin:
        return None
    return frozenset(
        m.organisation_id for m in actor.memberships if m.role.value in AUDIT_ROLES
    )


def audit_access(actor: Actor, organisation_id: str) -> AuditAccess:
    """Whether the actor may read `organisation_id`'s audit trail."""
    readable = audit_organisations(actor)
    if readable is None or organisation_id in readable:
        return AuditAccess.READ
    if any(m.organisation_id == organisation_id for m in actor.memberships):
        return AuditAccess.FORBIDDEN
    return AuditAccess.HIDDEN


def local_span(start: datetime, end: datetime, timezone: str) -> str:
    """`2026-03-09 10:00–12:00` in `timezone` (the end's date when it differs)."""
    zone = ZoneInfo(timezone)
    a, b = start.astimezone(zone), end.astimezone(zone)
    tail = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%Y-%m-%d %H:%M")
    return f"{a:%Y-%m-%d %H:%M}–{tail}"
