"""What booking notifications read: who is told (booker, facility managers, webhooks), in
which language, and the resource, site and occurrence details a mail shows. One batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db.sql import Row, Stmt, execute, fetch, fetch_batch, placeholders
from booking.domain.instants import utc
from booking.domain.intervals import Interval


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    email: str
    name: str
    locale: str
    reminders: bool = True
    digest: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    resource_id: str
    resource_name: str
    school_id: str
    site_name: str
    address: str
    """One line: street, postcode city (what LOCATION shows)."""


@dataclass(frozen=True, slots=True)
class Slot:
    position: int
    interval: Interval
    active: bool
    """Still holding its time (an active claim)."""


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    url: str
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Audience:
    booker: Person | None
    managers: tuple[Person, ...]
    school_names: dict[str, str]
    places: tuple[Place, ...]
    slots: tuple[Slot, ...]
    webhooks: tuple[Subscription, ...]


_NOBODY = "00000000-0000-0000-0000-000000000000"


def _person(row: Row) -> Person:
    return Person(str(row["id"]), row["email"], row["name"], row["locale"] or "nl",
                  bool(row["reminders"]), bool(row["digest"]))


async def audience(
    booking_id: str, created_by: str | None, organisation_id: str, resource_ids: Sequence[str],
    school_ids: Sequence[str],
) -> Audience:
    """Everyone and everything a notification about this booking needs, in one batch."""
    schools = sorted(school_ids) or [""]
    resources = list(resource_ids) or [""]
    orgs = [organisation_id, *schools]
    rows = await fetch_batch([
        Stmt("SELECT id, email, name, locale, reminders, digest FROM users "
             "WHERE id = $1 AND is_active", (created_by or _NOBODY,)),
        Stmt("SELECT DISTINCT u.id, u.email, u.name, u.locale, u.reminders, u.digest "
             "FROM memberships m JOIN users u ON u.id = m.\"user\" "
             f"WHERE m.role = 'facility_manager' AND u.is_active AND m.organisation IN "
             f"({placeholders(len(schools))}) ORDER BY u.email", tuple(schools)),
        Stmt(f"SELECT id, name FROM organisations WHERE id IN ({placeholders(len(schools))})",
             tuple(schools)),
        Stmt("SELECT r.id, r.name, r.school, s.name AS site_name, s.address, s.postcode, s.city "
             "FROM resources r JOIN sites s ON s.id = r.site "
             f"WHERE r.id IN ({placeholders(len(resources))})", tuple(resources)),
        Stmt("SELECT o.position, o.starts_at, o.ends_at, EXISTS (SELECT 1 FROM claims c "
             "WHERE c.occurrence = o.id AND c.active) AS active FROM occurrences o "
             "WHERE o.booking = $1 ORDER BY o.position", (booking_id,)),
        Stmt(f"SELECT id, url, events FROM webhooks WHERE organisation IN "
             f"({placeholders(len(orgs))}) ORDER BY created_at, id", tuple(orgs)),
    ])
    booker_rows, manager_rows, school_rows, place_rows, slot_rows, hook_rows = rows
    order = {rid: i for i, rid in enumerate(resource_ids)}
    places = sorted(
        (Place(str(r["id"]), r["name"], str(r["school"]), r["site_name"],
               ", ".join(p for p in (r["address"], f"{r['postcode']} {r['city']}".strip()) if p))
         for r in place_rows),
        key=lambda p: order.get(p.resource_id, 0),
    )
    return Audience(
        booker=_person(booker_rows[0]) if booker_rows else None,
        managers=tuple(_person(r) for r in manager_rows),
        school_names={str(r["id"]): r["name"] for r in school_rows},
        places=tuple(places),
        slots=tuple(Slot(int(r["position"]), Interval(r["starts_at"], r["ends_at"]),
                         bool(r["active"])) for r in slot_rows),
        webhooks=tuple(Subscription(str(r["id"]), r["url"], tuple(json.loads(r["events"])))
                       for r in hook_rows),
    )


async def invited_uids(uids: Sequence[str]) -> set[str]:
    """Those of `uids` that an invitation (REQUEST) was ever sent for."""
    if not uids:
        return set()
    rows = await fetch(
        f"SELECT uid FROM itip_sequences WHERE uid IN ({placeholders(len(uids))})", *uids)
    return {str(r["uid"]) for r in rows}


async def add_digest_line(user_id: str, locale: str, line: dict[str, str], now: datetime) -> None:
    await execute(
        "INSERT INTO digest_items (\"user\", locale, line, created_at) VALUES ($1, $2, $3, $4)",
        user_id, locale, json.dumps(line), utc(now),
    )


@dataclass(frozen=True, slots=True)
class DueReminder:
    booking_id: str
    position: int
    starts_at: datetime


async def due_reminders(now: datetime, ahead: datetime) -> list[DueReminder]:
    """Active occurrences of confirmed bookings starting in (now, ahead] whose booker wants
    reminders, booked at least as long before the start as the reminder comes."""
    rows = await fetch(
        "SELECT o.booking, o.position, o.starts_at FROM occurrences o "
        "JOIN bookings b ON b.id = o.booking JOIN users u ON u.id = b.created_by "
        "WHERE b.status = 'confirmed' AND o.starts_at > $1 AND o.starts_at <= $2 "
        "AND u.reminders AND u.is_active "
        "AND EXISTS (SELECT 1 FROM claims c WHERE c.occurrence = o.id AND c.active) "
        "ORDER BY o.starts_at, o.booking",
        utc(now), utc(ahead),
    )
    return [DueReminder(str(r["booking"]), int(r["position"]), r["starts_at"]) for r in rows]


@dataclass(frozen=True, slots=True)
class DigestBatch:
    person: Person
    lines: tuple[dict[str, str], ...]
    item_ids: tuple[int, ...]


async def digest_batches(before: datetime) -> list[DigestBatch]:
    """Digest lines queued before `before`, per manager (oldest first)."""
    rows = await fetch(
        "SELECT d.id AS item, d.line, u.id, u.email, u.name, u.locale, u.reminders, u.digest "
        'FROM digest_items d JOIN users u ON u.id = d."user" WHERE d.created_at < $1 '
        "AND u.is_active ORDER BY u.id, d.id",
        utc(before),
    )
    batches: dict[str, tuple[Person, list[dict[str, str]], list[int]]] = {}
    for r in rows:
        _, lines, ids = batches.setdefault(str(r["id"]), (_person(r), [], []))
        lines.append(json.loads(r["line"]))
        ids.append(int(r["item"]))
    return [DigestBatch(p, tuple(lines), tuple(ids)) for p, lines, ids in batches.values()]


async def delete_digest_items(ids: Sequence[int]) -> None:
    if ids:
        await execute(f"DELETE FROM digest_items WHERE id IN ({placeholders(len(ids))})", *ids)


@dataclass(frozen=True, slots=True)
class FailingImport:
    id: str
    school_id: str
    school_name: str
    source: str
    failures: int
    error: str
    streak: str
    """Identifies the failing streak (the last success, else the creation): one mail each."""


async def failing_imports(min_failures: int) -> list[FailingImport]:
    rows = await fetch(
        "SELECT ci.id, ci.school, o.name AS school_name, ci.url, ci.kind, ci.failures, "
        "ci.last_error, ci.last_success_at, ci.created_at FROM calendar_imports ci "
        "JOIN organisations o ON o.id = ci.school "
        "WHERE ci.status = 'error' AND ci.failures >= $1 ORDER BY ci.id",
        min_failures,
    )
    return [
        FailingImport(
            str(r["id"]), str(r["school"]), r["school_name"], r["url"] or r["kind"],
            int(r["failures"]), r["last_error"] or "",
            (r["last_success_at"] or r["created_at"]).isoformat(),
        )
        for r in rows
    ]


async def managers_of(school_id: str) -> list[Person]:
    rows = await fetch(
        "SELECT DISTINCT u.id, u.email, u.name, u.locale, u.reminders, u.digest "
        'FROM memberships m JOIN users u ON u.id = m."user" '
        "WHERE m.role = 'facility_manager' AND u.is_active AND m.organisation = $1 "
        "ORDER BY u.email",
        school_id,
    )
    return [_person(r) for r in rows]


async def notice_choices(user_id: str) -> tuple[bool, bool] | None:
    """(reminders, digest) of an active user."""
    rows = await fetch(
        "SELECT reminders, digest FROM users WHERE id = $1 AND is_active", user_id)
    return (bool(rows[0]["reminders"]), bool(rows[0]["digest"])) if rows else None


async def set_notice_choices(user_id: str, reminders: bool | None, digest: bool | None) -> None:
    """Change what is given (None leaves a choice as it is)."""
    await execute(
        "UPDATE users SET reminders = COALESCE($1, reminders), digest = COALESCE($2, digest) "
        "WHERE id = $3",
        reminders, digest, user_id,
    )
