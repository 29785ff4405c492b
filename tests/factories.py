"""Test data factories: async, keyword arguments with defaults, each returning the new id.

Rows go straight into the current database (see the `db` fixture); nothing here checks
permissions. `actor_for(user_id)` loads the Actor the API would build for that user.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from booking.db.engine import transaction
from booking.db.sql import execute, execute_many
from booking.domain.roles import Actor

_counter = itertools.count(1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WEEKDAYS = (1, 2, 3, 4, 5)


def _n() -> int:
    return next(_counter)


def new_id() -> str:
    return str(uuid.uuid4())


async def make_region(*, name: str | None = None) -> str:
    rid = new_id()
    await execute(
        "INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
        "VALUES ($1, 'region', $2, FALSE, '', $3)",
        rid, name or f"Regio {_n()}", T0,
    )
    return rid


async def make_school(
    *, name: str | None = None, brin: str | None = None, level: str = "MBO",
    city: str = "Eindhoven", region_id: str | None = None,
) -> str:
    sid, n = new_id(), _n()
    await execute(
        "INSERT INTO organisations (id, kind, name, brin, level, is_sme, city, region, created_at) "
        "VALUES ($1, 'school', $2, $3, $4, FALSE, $5, $6, $7)",
        sid, name or f"School {n}", brin or f"{n % 100:02d}XX", level, city, region_id, T0,
    )
    return sid


async def make_site(
    *, school_id: str | None = None, name: str | None = None,
    timezone: str = "Europe/Amsterdam", city: str = "Eindhoven",
) -> str:
    school_id = school_id or await make_school()
    site_id = new_id()
    await execute(
        "INSERT INTO sites (id, school, name, address, postcode, city, latitude, longitude, "
        "timezone) VALUES ($1, $2, $3, '', '', $4, NULL, NULL, $5)",
        site_id, school_id, name or f"Locatie {_n()}", city, timezone,
    )
    return site_id


async def make_company(
    *, name: str | None = None, kvk: str | None = None, is_sme: bool = False,
    partner_of: Iterable[str] = (),
) -> str:
    cid, n = new_id(), _n()
    await execute(
        "INSERT INTO organisations (id, kind, name, kvk, is_sme, city, created_at) "
        "VALUES ($1, 'company', $2, $3, $4, '', $5)",
        cid, name or f"Bedrijf {n} BV", kvk or f"{n:08d}", is_sme, T0,
    )
    for school_id in partner_of:
        await execute(
            "INSERT INTO partnerships (id, school, company) VALUES ($1, $2, $3)",
            new_id(), school_id, cid,
        )
    return cid


async def make_user(
    *, email: str | None = None, name: str = "Test Gebruiker",
    memberships: Sequence[tuple[str, str]] = (),
) -> str:
    """A user with `(organisation_id, role)` memberships."""
    uid = new_id()
    await execute(
        "INSERT INTO users (id, email, name, password_hash, locale, is_active, created_at) "
        "VALUES ($1, $2, $3, '', 'nl', TRUE, $4)",
        uid, email or f"user{_n()}@example.test", name, T0,
    )
    for org_id, role in memberships:
        await execute(
            'INSERT INTO memberships (id, "user", organisation, role) VALUES ($1, $2, $3, $4)',
            new_id(), uid, org_id, role,
        )
    return uid


async def make_resource(
    *, site_id: str | None = None, school_id: str | None = None, kind: str = "equipment",
    name: str | None = None, parent_id: str | None = None, visibility: str = "public",
    tags: Sequence[str] = (), rates: Sequence[tuple[str, str]] = (("standard", "100.00"),),
    hours: tuple[str, str] | None = ("08:00", "18:00"), weekdays: Iterable[int] = WEEKDAYS,
    valid_from: date | None = None, approval_required: bool = False, slot_minutes: int = 30,
    min_notice_minutes: int = 60, max_advance_days: int = 365, min_duration_minutes: int = 30,
    max_duration_minutes: int = 600, buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0, bookable_by: str = "all", induction_required: bool = False,
    quota_hours_per_week: int | None = None, capacity: int = 20,
) -> str:
    """A resource open `hours` on `weekdays` (None: no opening rules); creates a site if needed.
    `capacity` (persons) is generous by default, so participants rarely matter."""
    if site_id is None:
        site_id = await make_site(school_id=school_id)
    rid = new_id()
    rate_json = json.dumps(
        [{"customer_class": c, "hourly": h, "currency": "EUR"} for c, h in rates]
    )
    await execute(
        "INSERT INTO resources (id, school, site, parent, kind, name, description, capacity, "
        "tags, visibility, rates, approval_required, slot_minutes, min_notice_minutes, "
        "max_advance_days, min_duration_minutes, max_duration_minutes, buffer_before_minutes, "
        "buffer_after_minutes, bookable_by, induction_required, quota_hours_per_week, "
        "updated_at) SELECT $1, school, $2, $3, $4, $5, '', $21, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14, $15, $16, $17, $18, $19, $20 FROM sites WHERE id = $2",
        rid, site_id, parent_id, kind, name or f"Resource {_n()}", json.dumps(list(tags)),
        visibility, rate_json, approval_required, slot_minutes, min_notice_minutes,
        max_advance_days, min_duration_minutes, max_duration_minutes, buffer_before_minutes,
        buffer_after_minutes, bookable_by, induction_required, quota_hours_per_week, T0,
        capacity,
    )
    async with transaction():
        await execute_many(
            "INSERT INTO resource_tags (id, resource, tag) VALUES ($1, $2, $3)",
            [(new_id(), rid, t) for t in tags],
        )
        if hours is not None:
            await execute_many(
                "INSERT INTO opening_rules (id, resource, weekday, opens, closes, valid_from, "
                "valid_to) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                [(new_id(), rid, d, hours[0], hours[1], valid_from) for d in weekdays],
            )
    return rid


async def actor_for(user_id: str) -> Actor:
    from booking.services.actors import load_actor

    return await load_actor(user_id)


async def booker(*, company_id: str | None = None, **company: object) -> tuple[Actor, str]:
    """A company booker's Actor and the company id (a new company unless given)."""
    company_id = company_id or await make_company(**company)  # type: ignore[arg-type]
    uid = await make_user(memberships=[(company_id, "booker")])
    return await actor_for(uid), company_id


async def manager(school_id: str) -> Actor:
    """A facility manager of `school_id`."""
    return await actor_for(await make_user(memberships=[(school_id, "facility_manager")]))
