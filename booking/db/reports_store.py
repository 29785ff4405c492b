"""Report reads: the scope's resources and opening inputs, and booked use aggregated in SQL.

Booked use is one pass over `occurrences × booking_resources` of confirmed bookings in the
window, grouped by (row key, booking) and then by (row key, company), so a booking counts once
per row and companies can be counted distinctly per row and overall by the caller. Instants are
compared as epoch seconds (`strftime('%s')` on SQLite, `EXTRACT(EPOCH)` on PostgreSQL); the
window filter also uses the indexed `bookings.starts_at/ends_at` (first start, last end).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from booking.db.engine import is_sqlite
from booking.db.sql import epoch, fetch, fetch_one, utc
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningException, OpeningRule, parse_hhmm
from booking.domain.reports import FlowCounts, Use

GroupBy = Literal["resource", "school", "company", "all"]


@dataclass(frozen=True, slots=True)
class Filter:
    """Which booked use to count: resources of `school_ids` (None: every school), only
    `resource_ids` when given, and only bookings of `company_ids` when given."""

    school_ids: frozenset[str] | None = None
    resource_ids: frozenset[str] | None = None
    company_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class OrgInfo:
    id: str
    kind: str
    name: str
    region_id: str | None
    is_sme: bool


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    id: str
    name: str
    kind: str
    visibility: str
    school_id: str
    school_name: str
    site_id: str
    timezone: str


@dataclass(frozen=True, slots=True)
class OpeningInputs:
    rules: list[OpeningRule]
    exceptions: list[OpeningException]
    closures: list[Interval]


@dataclass(frozen=True, slots=True)
class BookingLine:
    """One occurrence of a booking on one booked resource (the bookings export)."""

    booking_id: str
    status: str
    resource_id: str
    resource_name: str
    school_id: str
    school_name: str
    timezone: str
    start: datetime
    end: datetime
    company_id: str
    company_name: str
    is_sme: bool
    title: str
    students: int
    employees: int
    created_at: datetime


def _epoch_sql(column: str) -> str:
    if is_sqlite():
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"


def _pair(fn: str) -> str:
    """Two-argument LEAST/GREATEST (SQLite spells them MIN/MAX)."""
    return {"LEAST": "MIN", "GREATEST": "MAX"}[fn] if is_sqlite() else fn


def _in(column: str, values: Collection[str], args: list[Any]) -> str:
    """`column IN ($n, …)` appending `values` to `args`; FALSE for an empty collection."""
    if not values:
        return "1 = 0"
    first = len(args) + 1
    args.extend(sorted(values))
    return f"{column} IN ({', '.join(f'${i}' for i in range(first, first + len(values)))})"


def _scope_sql(flt: Filter, args: list[Any], r: str = "r", b: str = "b") -> str:
    parts = ["1 = 1"]
    if flt.school_ids is not None:
        parts.append(_in(f"{r}.school", flt.school_ids, args))
    if flt.resource_ids is not None:
        parts.append(_in(f"{r}.id", flt.resource_ids, args))
    if flt.company_ids is not None:
        parts.append(_in(f"{b}.organisation", flt.company_ids, args))
    return " AND ".join(parts)


def _values(bounds: Sequence[Interval]) -> str:
    """A literal `(k, start_s, end_s)` VALUES list; integers only, so nothing to escape."""
    return ", ".join(f"({i}, {epoch(iv.start)}, {epoch(iv.end)})" for i, iv in enumerate(bounds))


def _bounds_table(bounds: Sequence[Interval]) -> str:
    """A derived table `w (k, ws, we)` of the bounds (SQLite names VALUES columns column1…)."""
    values = _values(bounds)
    if is_sqlite():
        return f"(SELECT column1 AS k, column2 AS ws, column3 AS we FROM (VALUES {values})) w"
    return f"(VALUES {values}) AS w (k, ws, we)"


async def organisation(org_id: str) -> OrgInfo | None:
    row = await fetch_one(
        "SELECT id, kind, name, region, is_sme FROM organisations WHERE id = $1", org_id
    )
    if row is None:
        return None
    region = row["region"]
    return OrgInfo(str(row["id"]), row["kind"], row["name"],
                   None if region is None else str(region), bool(row["is_sme"]))


async def schools(region_ids: Collection[str] | None = None) -> list[OrgInfo]:
    """Every school, or those of the regions `region_ids`, by name."""
    args: list[Any] = []
    where = "" if region_ids is None else " AND " + _in("region", region_ids, args)
    rows = await fetch(
        "SELECT id, kind, name, region, is_sme FROM organisations "
        f"WHERE kind = 'school'{where} ORDER BY name, id", *args
    )
    return [OrgInfo(str(r["id"]), r["kind"], r["name"],
                    None if r["region"] is None else str(r["region"]), False) for r in rows]


async def companies(ids: Collection[str]) -> dict[str, OrgInfo]:
    if not ids:
        return {}
    args: list[Any] = []
    rows = await fetch(
        "SELECT id, kind, name, region, is_sme FROM organisations WHERE " + _in("id", ids, args),
        *args,
    )
    return {str(r["id"]): OrgInfo(str(r["id"]), r["kind"], r["name"], None, bool(r["is_sme"]))
            for r in rows}


async def resources(flt: Filter) -> list[ResourceInfo]:
    """The resources in scope (the company filter is ignored here), by school and name."""
    args: list[Any] = []
    where = _scope_sql(Filter(flt.school_ids, flt.resource_ids), args)
    rows = await fetch(
        "SELECT r.id, r.name, r.kind, r.visibility, r.school, o.name AS school_name, r.site, "
        "s.timezone FROM resources r JOIN sites s ON s.id = r.site "
        f"JOIN organisations o ON o.id = r.school WHERE {where} ORDER BY o.name, r.name, r.id",
        *args,
    )
    return [ResourceInfo(str(r["id"]), r["name"], r["kind"], r["visibility"], str(r["school"]),
                         r["school_name"], str(r["site"]), r["timezone"]) for r in rows]


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def opening_inputs(flt: Filter, window: Interval) -> dict[str, OpeningInputs]:
    """Per resource in scope: weekly rules, exceptions near the window, closures overlapping it
    (the resource's own and its site's)."""
    args: list[Any] = []
    where = _scope_sql(Filter(flt.school_ids, flt.resource_ids), args)
    ids = f"SELECT r.id FROM resources r WHERE {where}"
    found: dict[str, OpeningInputs] = {}

    def slot(rid: Any) -> OpeningInputs:
        return found.setdefault(str(rid), OpeningInputs([], [], []))

    for row in await fetch(
        "SELECT resource, weekday, opens, closes, valid_from, valid_to FROM opening_rules "
        f"WHERE resource IN ({ids})", *args
    ):
        slot(row["resource"]).rules.append(OpeningRule(
            int(row["weekday"]), parse_hhmm(row["opens"]), parse_hhmm(row["closes"]),
            _as_date(row["valid_from"]), _as_date(row["valid_to"])))
    n = len(args)
    for row in await fetch(
        "SELECT resource, date, opens, closes FROM opening_exceptions "
        f"WHERE resource IN ({ids}) AND date >= ${n + 1} AND date <= ${n + 2}",
        *args, _day_shift(window.start, -1), _day_shift(window.end, 1),
    ):
        opens, closes = row["opens"], row["closes"]
        slot(row["resource"]).exceptions.append(OpeningException(
            _as_date(row["date"]) or date.min,
            None if opens is None else parse_hhmm(opens),
            None if closes is None else parse_hhmm(closes)))
    for row in await fetch(
        "SELECT r.id AS resource, c.starts_at, c.ends_at FROM closures c "
        "JOIN resources r ON (c.resource = r.id OR (c.resource IS NULL AND c.site = r.site)) "
        f"WHERE {where} AND c.starts_at < ${n + 1} AND c.ends_at > ${n + 2}",
        *args, utc(window.end), utc(window.start),
    ):
        slot(row["resource"]).closures.append(Interval(row["starts_at"], row["ends_at"]))
    return found


def _day_shift(at: datetime, days: int) -> date:
    """The UTC date of `at` moved by `days` (local dates lie within a day of it)."""
    return date.fromordinal(at.astimezone(UTC).date().toordinal() + days)


async def booked_uses(flt: Filter, window: Interval, group: GroupBy,
                      periods: Sequence[Interval] = ()) -> list[Use]:
    """Confirmed booked use per (row key, company): `group` picks the key (resource id, school
    id, company id, or "" for all); with `periods` the key is the period's index instead and
    the time is clipped to each period. Keys are strings."""
    bounds = list(periods) or [window]
    args: list[Any] = [utc(window.start), utc(window.end)]
    scope = _scope_sql(Filter(flt.school_ids, flt.resource_ids), args)
    only = "" if flt.company_ids is None else " AND " + _in("b.organisation", flt.company_ids,
                                                            args)
    key = "w.k" if periods else {
        "resource": "r.id", "school": "r.school", "company": "o.org", "all": "0",
    }[group]
    least, greatest = _pair("LEAST"), _pair("GREATEST")
    # `o` computes each occurrence's epochs once: MATERIALIZED keeps both planners from
    # inlining it into the join with the periods, which recomputed them per period (PostgreSQL
    # took 5 s instead of <1 s for a year of weeks).
    sql = f"""
    WITH o AS MATERIALIZED (
        SELECT b.id AS booking, b.organisation AS org, b.students AS st, b.employees AS em,
               {_epoch_sql('o.starts_at')} AS s, {_epoch_sql('o.ends_at')} AS e
        FROM bookings b JOIN occurrences o ON o.booking = b.id
        WHERE b.status = 'confirmed' AND b.starts_at < $2 AND b.ends_at > $1
          AND o.starts_at < $2 AND o.ends_at > $1{only}
    )
    SELECT k, org, SUM(secs) AS secs, COUNT(*) AS bookings, SUM(st) AS students,
           SUM(em) AS employees
    FROM (
        SELECT {key} AS k, o.booking, o.org, MAX(o.st) AS st, MAX(o.em) AS em,
               SUM({least}(o.e, w.we) - {greatest}(o.s, w.ws)) AS secs
        FROM o
        JOIN {_bounds_table(bounds)} ON o.s < w.we AND o.e > w.ws
        JOIN booking_resources br ON br.booking = o.booking
        JOIN resources r ON r.id = br.resource
        WHERE {scope}
        GROUP BY {key}, o.booking, o.org
    ) x
    GROUP BY k, org
    """
    rows = await fetch(sql, *args)
    return [Use(str(r["k"]), str(r["org"]), int(r["secs"]), int(r["bookings"]),
                int(r["students"]), int(r["employees"])) for r in rows]


async def used_resource_ids(flt: Filter, window: Interval) -> frozenset[str]:
    """Resources in scope on which the filtered companies hold confirmed time in the window."""
    uses = await booked_uses(flt, window, "resource")
    return frozenset(u.key for u in uses)


async def first_starts(flt: Filter, window: Interval,
                       periods: Sequence[Interval]) -> list[Use]:
    """Confirmed bookings touching the scope, per (period of their first start, company);
    `seconds` is 0 — this counts bookings and participants, once per booking."""
    args: list[Any] = [utc(window.start), utc(window.end)]
    scope = _scope_sql(flt, args)
    table = _bounds_table(periods)
    rows = await fetch(
        f"""SELECT w.k AS k, b.organisation AS org, COUNT(*) AS bookings,
                   SUM(b.students) AS students, SUM(b.employees) AS employees
            FROM bookings b JOIN {table}
              ON {_epoch_sql('b.starts_at')} >= w.ws AND {_epoch_sql('b.starts_at')} < w.we
            WHERE b.status = 'confirmed' AND b.starts_at >= $1 AND b.starts_at < $2
              AND EXISTS (SELECT 1 FROM booking_resources br JOIN resources r
                          ON r.id = br.resource WHERE br.booking = b.id AND {scope})
            GROUP BY w.k, b.organisation""",
        *args,
    )
    return [Use(str(r["k"]), str(r["org"]), 0, int(r["bookings"]), int(r["students"]),
                int(r["employees"])) for r in rows]


async def flow_counts(flt: Filter, window: Interval) -> FlowCounts:
    """Bookings requested (created) in the window and touching the scope, by status."""
    args: list[Any] = [utc(window.start), utc(window.end)]
    scope = _scope_sql(flt, args)
    created, start, decided = (_epoch_sql(c) for c in ("b.created_at", "b.starts_at",
                                                        "b.decided_at"))
    rows = await fetch(
        f"""SELECT b.status, COUNT(*) AS n, SUM({start} - {created}) AS lead,
                   SUM(CASE WHEN b.decided_at IS NOT NULL AND b.status <> 'expired'
                       THEN 1 ELSE 0 END) AS decided,
                   SUM(CASE WHEN b.decided_at IS NOT NULL AND b.status <> 'expired'
                       THEN {decided} - {created} ELSE 0 END) AS decision
            FROM bookings b
            WHERE b.created_at >= $1 AND b.created_at < $2
              AND EXISTS (SELECT 1 FROM booking_resources br JOIN resources r
                          ON r.id = br.resource WHERE br.booking = b.id AND {scope})
            GROUP BY b.status""",
        *args,
    )
    return FlowCounts(
        by_status={r["status"]: int(r["n"]) for r in rows},
        lead_seconds=sum(int(r["lead"] or 0) for r in rows),
        decided=sum(int(r["decided"] or 0) for r in rows),
        decision_seconds=sum(int(r["decision"] or 0) for r in rows),
    )


async def occurrences_on(resource_id: str, window: Interval,
                         company_ids: frozenset[str] | None) -> list[Interval]:
    """Confirmed occurrences booked on the resource overlapping the window (optionally only
    the given companies' bookings)."""
    args: list[Any] = [resource_id, utc(window.start), utc(window.end)]
    only = "" if company_ids is None else " AND " + _in("b.organisation", company_ids, args)
    rows = await fetch(
        "SELECT o.starts_at, o.ends_at FROM occurrences o JOIN bookings b ON b.id = o.booking "
        "JOIN booking_resources br ON br.booking = b.id "
        "WHERE br.resource = $1 AND b.status = 'confirmed' AND o.starts_at < $3 "
        f"AND o.ends_at > $2{only} ORDER BY o.starts_at",
        *args,
    )
    return [Interval(r["starts_at"], r["ends_at"]) for r in rows]


async def booking_lines(flt: Filter, window: Interval) -> list[BookingLine]:
    """Occurrences of bookings (any status) on resources in scope overlapping the window."""
    args: list[Any] = [utc(window.start), utc(window.end)]
    scope = _scope_sql(flt, args)
    rows = await fetch(
        "SELECT b.id, b.status, r.id AS rid, r.name AS rname, r.school, so.name AS sname, "
        "s.timezone, o.starts_at, o.ends_at, b.organisation, co.name AS cname, co.is_sme, "
        "b.title, b.students, b.employees, b.created_at "
        "FROM occurrences o JOIN bookings b ON b.id = o.booking "
        "JOIN booking_resources br ON br.booking = b.id JOIN resources r ON r.id = br.resource "
        "JOIN sites s ON s.id = r.site JOIN organisations so ON so.id = r.school "
        "JOIN organisations co ON co.id = b.organisation "
        f"WHERE o.starts_at < $2 AND o.ends_at > $1 AND {scope} "
        "ORDER BY o.starts_at, b.id, r.name",
        *args,
    )
    return [BookingLine(str(r["id"]), r["status"], str(r["rid"]), r["rname"], str(r["school"]),
                        r["sname"], r["timezone"], r["starts_at"], r["ends_at"],
                        str(r["organisation"]), r["cname"], bool(r["is_sme"]), r["title"],
                        int(r["students"]), int(r["employees"]), r["created_at"])
            for r in rows]
