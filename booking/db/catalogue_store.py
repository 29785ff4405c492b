"""Schools, sites and resources: rows ⇄ domain values (`booking.domain.resources`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from booking.db.engine import is_sqlite
from booking.db.search_store import text_match
from booking.db.sql import (
    Stmt,
    epoch_of,
    execute,
    execute_many,
    fetch_batch,
    fetch_one,
    placeholders,
)
from booking.domain.instants import epoch, from_epoch, utc
from booking.domain.resources import (
    BookableBy,
    CustomerClass,
    Policy,
    Rate,
    Resource,
    ResourceKind,
    Visibility,
)
from booking.domain.search import Term


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """A resource with what the catalogue shows beside the domain value."""

    resource: Resource
    description: str
    school_name: str
    site_name: str
    city: str
    children: tuple[str, ...]
    version: str
    """`updated_at` as text: an opaque version that every change of the resource (and of its
    opening rules, see `bump_version`) makes strictly greater."""
    children_visibility: tuple[str, ...] = ()
    """The visibility of each of `children`, in the same order (callers show only those the
    actor may see; claims always cover all of them)."""


@dataclass(frozen=True, slots=True)
class VisibleTo:
    """Which resources a caller may see, as a superset filter in SQL (the domain decides)."""

    everything: bool = False
    member_schools: frozenset[str] = frozenset()
    partner_schools: frozenset[str] = frozenset()


POLICY_COLUMNS = (
    "approval_required",
    "slot_minutes",
    "min_notice_minutes",
    "max_advance_days",
    "min_duration_minutes",
    "max_duration_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "bookable_by",
    "induction_required",
    "quota_hours_per_week",
)

_SELECT = """
SELECT CAST(r.id AS TEXT), CAST(r.school AS TEXT), CAST(r.site AS TEXT),
       CAST(r.parent AS TEXT), r.kind, r.name, r.description, r.capacity + 0, r.tags,
       r.visibility, r.rates, CASE WHEN r.approval_required THEN 1 ELSE 0 END,
       r.slot_minutes + 0, r.min_notice_minutes + 0, r.max_advance_days + 0,
       r.min_duration_minutes + 0, r.max_duration_minutes + 0, r.buffer_before_minutes + 0,
       r.buffer_after_minutes + 0, r.bookable_by,
       CASE WHEN r.induction_required THEN 1 ELSE 0 END, r.quota_hours_per_week + 0,
       CAST(r.updated_at AS TEXT), s.timezone, s.name, s.city, o.name
FROM resources r JOIN sites s ON s.id = r.site JOIN organisations o ON o.id = r.school
"""
"""Positional (tuples): rows of a big catalogue are read often; see `_record`. Integers and
booleans are expressions (`+ 0`, CASE) and `updated_at` is text, so Piccolo's SQLite converters
(INTEGER through Decimal, BOOLEAN, TIMESTAMPTZ) do not run per column and row."""


@lru_cache(maxsize=4096)
def rates_from_json(text: str | None) -> tuple[Rate, ...]:
    items = json.loads(text) if text else []
    return tuple(
        Rate(CustomerClass(i["customer_class"]), Decimal(str(i["hourly"])),
             i.get("currency", "EUR"))
        for i in items
    )


@lru_cache(maxsize=4096)
def _tags(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def rates_to_json(rates: Iterable[Rate]) -> str:
    return json.dumps(
        [
            {"customer_class": str(r.customer_class), "hourly": f"{r.hourly:.2f}",
             "currency": r.currency}
            for r in rates
        ]
    )


@lru_cache(maxsize=4096)
def _policy(values: tuple[Any, ...]) -> Policy:
    """A policy from the 11 policy columns, in `POLICY_COLUMNS` order (SQLite booleans are
    0/1, so every value is normalised)."""
    (approval, slot, notice, advance, min_d, max_d, before, after, by, induction,
     quota) = values
    return Policy(
        approval_required=bool(approval),
        slot_minutes=int(slot),
        min_notice_minutes=int(notice),
        max_advance_days=int(advance),
        min_duration_minutes=int(min_d),
        max_duration_minutes=int(max_d),
        buffer_before_minutes=int(before),
        buffer_after_minutes=int(after),
        bookable_by=BookableBy(by),
        induction_required=bool(induction),
        quota_hours_per_week=None if quota is None else int(quota),
    )


def policy_values(policy: Policy) -> list[Any]:
    """The policy as column values, in `POLICY_COLUMNS` order."""
    return [
        policy.approval_required, policy.slot_minutes, policy.min_notice_minutes,
        policy.max_advance_days, policy.min_duration_minutes, policy.max_duration_minutes,
        policy.buffer_before_minutes, policy.buffer_after_minutes, str(policy.bookable_by),
        policy.induction_required, policy.quota_hours_per_week,
    ]


Children = tuple[tuple[str, str], ...]
"""(id, visibility) of a lab's equipment, by id."""


def _record(row: Sequence[Any], children: Children) -> ResourceRecord:
    resource = Resource(
        id=row[0],
        school_id=row[1],
        site_id=row[2],
        kind=ResourceKind(row[4]),
        name=row[5],
        timezone=row[23],
        parent_id=row[3],
        capacity=int(row[7]),
        tags=_tags(row[8]),
        visibility=Visibility(row[9]),
        policy=_policy(tuple(row[11:22])),
        rates=rates_from_json(row[10]),
    )
    return ResourceRecord(
        resource=resource,
        description=row[6],
        school_name=row[26],
        site_name=row[24],
        city=row[25],
        children=tuple(c for c, _ in children),
        version=row[22],
        children_visibility=tuple(v for _, v in children),
    )


def children_stmt(ids: Sequence[str]) -> Stmt:
    """(parent, id, visibility) of the equipment inside the labs among `ids`."""
    return Stmt(
        "SELECT CAST(parent AS TEXT), CAST(id AS TEXT), visibility FROM resources "
        f"WHERE parent IN ({placeholders(len(ids))}) ORDER BY id",
        list(ids),
        tuples=True,
    )


def _children(rows: Sequence[Sequence[Any]]) -> dict[str, Children]:
    found: dict[str, list[tuple[str, str]]] = {}
    for parent, child, visibility in rows:
        found.setdefault(parent, []).append((child, visibility))
    return {k: tuple(v) for k, v in found.items()}


async def _records(rows: Sequence[Sequence[Any]]) -> list[ResourceRecord]:
    labs = [r[0] for r in rows if r[4] == ResourceKind.LAB]
    kids = _children((await fetch_batch([children_stmt(labs)]))[0]) if labs else {}
    return [_record(r, kids.get(r[0], ())) for r in rows]


def records_from_rows(
    rows: Sequence[Sequence[Any]], children_rows: Sequence[Sequence[Any]]
) -> dict[str, ResourceRecord]:
    """Records from the rows of `resources_stmt` and `children_stmt` run in one batch."""
    kids = _children(children_rows)
    return {r[0]: _record(r, kids.get(r[0], ())) for r in rows}


def resources_stmt(ids: Sequence[str]) -> Stmt:
    """The query behind `get_resources` (for batches; see `records_from_rows`)."""
    return Stmt(f"{_SELECT} WHERE r.id IN ({placeholders(len(ids))})", list(ids), tuples=True)


async def get_resources(ids: Sequence[str]) -> dict[str, ResourceRecord]:
    """The resources among `ids` that exist, by id (one batch: rows and children)."""
    if not ids:
        return {}
    rows, kids = await fetch_batch([resources_stmt(ids), children_stmt(ids)])
    return records_from_rows(rows, kids)


async def get_resource(resource_id: str) -> ResourceRecord | None:
    return (await get_resources([resource_id])).get(resource_id)


def like_escape(text: str) -> str:
    """`text` as a literal inside a LIKE pattern with `ESCAPE '\\'` (both backends)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class ResourceFilter:
    """What `list_resources` and `count_resources` select: visible to the caller, of a kind,
    with a tag, of a school, in a city, matching every text term."""

    visible: VisibleTo
    kind: str | None = None
    tag: str | None = None
    school_id: str | None = None
    terms: Sequence[Term] = ()
    city: str | None = None


def _filtered(f: ResourceFilter, args: list[Any]) -> tuple[str, list[str], str | None]:
    """(JOIN, WHERE conditions, score expression or None) of `f` over `resources r`."""
    where: list[str] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if not f.visible.everything:
        alts = ["r.visibility = 'public'"]
        if f.visible.member_schools:
            alts.append(f"r.school IN ({', '.join(arg(s) for s in f.visible.member_schools)})")
        if f.visible.partner_schools:
            ids = ", ".join(arg(s) for s in f.visible.partner_schools)
            alts.append(f"(r.visibility = 'partners' AND r.school IN ({ids}))")
        where.append("(" + " OR ".join(alts) + ")")
    if f.kind:
        where.append(f"r.kind = {arg(f.kind)}")
    if f.school_id:
        where.append(f"r.school = {arg(f.school_id)}")
    if f.tag:
        where.append(
            "EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource = r.id "
            f"AND t.tag = {arg(f.tag)})"
        )
    if f.city:
        where.append(f"LOWER(s.city) = {arg(f.city.strip().lower())}")
    join, score = text_match(f.terms, arg) if f.terms else ("", None)
    return join, where, score


async def list_resources(
    f: ResourceFilter,
    *,
    after: tuple[str, str] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[ResourceRecord]:
    """Resources selected by `f`: with text terms by relevance, best first (then name, id),
    paged by `offset`; without, ordered by (name, id) after the `after` key. At most `limit`.
    `city` is the site's city, compared case-insensitively and whole."""
    args: list[Any] = []
    join, where, score = _filtered(f, args)
    if after is not None:
        args.extend(after)
        n = len(args)
        where.append(f"(r.name > ${n - 1} OR (r.name = ${n - 1} AND r.id > ${n}))")
    sql = (_SELECT + " " + join + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY " + (f"{score} DESC, " if score else "") + "r.name, r.id")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if offset:
        sql += ("" if limit is not None else " LIMIT -1" if is_sqlite() else " LIMIT ALL")
        sql += f" OFFSET {int(offset)}"
    return await _records((await fetch_batch([Stmt(sql, args, tuples=True)]))[0])


async def count_resources(f: ResourceFilter) -> int:
    """How many resources `f` selects (every page of `list_resources` together)."""
    args: list[Any] = []
    join, where, _ = _filtered(f, args)
    sql = ("SELECT COUNT(*) FROM resources r JOIN sites s ON s.id = r.site " + join
           + (" WHERE " + " AND ".join(where) if where else ""))
    rows = (await fetch_batch([Stmt(sql, args, tuples=True)]))[0]
    return int(rows[0][0])


async def insert_resource(
    resource: Resource, description: str, now: datetime
) -> str:
    """Insert `resource` (its id is ignored; a new one is returned) with its tags."""
    new_id = str(uuid.uuid4())
    columns = (
        "id, school, site, parent, kind, name, description, capacity, tags, visibility, rates, "
        + ", ".join(POLICY_COLUMNS)
        + ", updated_at"
    )
    values = [
        new_id, resource.school_id, resource.site_id, resource.parent_id, str(resource.kind),
        resource.name, description, resource.capacity, json.dumps(list(resource.tags)),
        str(resource.visibility), rates_to_json(resource.rates), *policy_values(resource.policy),
        utc(now),
    ]
    await execute(
        f"INSERT INTO resources ({columns}) VALUES ({placeholders(len(values))})", *values
    )
    await replace_tags(new_id, resource.tags)
    return new_id


async def update_resource(
    resource: Resource, description: str, now: datetime
) -> None:
    """Write every mutable field of `resource` (kind, school and id stay)."""
    await bump_version(resource.id, now)
    values = [
        resource.site_id, resource.parent_id, resource.name, description, resource.capacity,
        json.dumps(list(resource.tags)), str(resource.visibility), rates_to_json(resource.rates),
        *policy_values(resource.policy),
    ]
    names = (
        "site", "parent", "name", "description", "capacity", "tags", "visibility", "rates",
        *POLICY_COLUMNS,
    )
    sets = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, start=1))
    await execute(
        f"UPDATE resources SET {sets} WHERE id = ${len(values) + 1}", *values, resource.id
    )
    await replace_tags(resource.id, resource.tags)


async def bump_version(resource_id: str, now: datetime) -> None:
    """Set `updated_at` to `now`, or one second past its current value when that is not
    earlier, so every change makes the version strictly greater (two changes within one second
    too). The first UPDATE locks the row (PostgreSQL), so concurrent changes take turns; call
    inside the writing transaction."""
    row = await fetch_one(
        f"UPDATE resources SET updated_at = updated_at WHERE id = $1 "
        f"RETURNING {epoch_of('updated_at')} AS s",
        resource_id,
    )
    if row is None:
        return
    stamp = max(epoch(now), int(row["s"]) + 1)
    await execute("UPDATE resources SET updated_at = $1 WHERE id = $2", from_epoch(stamp),
                  resource_id)


async def replace_tags(resource_id: str, tags: Iterable[str]) -> None:
    await execute("DELETE FROM resource_tags WHERE resource = $1", resource_id)
    await execute_many(
        "INSERT INTO resource_tags (id, resource, tag) VALUES ($1, $2, $3)",
        [(str(uuid.uuid4()), resource_id, t) for t in sorted(set(tags))],
    )
