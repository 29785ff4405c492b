"""Report reads: the scope's resources and opening inputs, and booked use aggregated in SQL.

Booked use reads `report_uses`: one row per confirmed occurrence × booked resource with epoch
seconds, school, company and participants, kept equal to that join by triggers (initial
migration). Rows of a booking that has just one ("solo") are summed in index order; the others
are grouped by (row key, booking) first, so a booking counts once per row (the report totals are
the rows' sums, API.md). Elsewhere instants are compared as epoch seconds (`strftime('%s')` on
SQLite, `EXTRACT(EPOCH)` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from booking.db.engine import is_sqlite
from booking.db.sql import Stmt, epoch, fetch, fetch_batch, fetch_one, utc
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


def _bucket(column: str, starts: Sequence[int], lo: int = 0, hi: int | None = None) -> str:
    """SQL for the index k of the period holding the instant `column` (epoch seconds):
    `starts[k] <= column < starts[k + 1]`, as a binary tree of CASEs (integers only)."""
    hi = len(starts) if hi is None else hi
    if hi - lo == 1:
        return str(lo)
    mid = (lo + hi) // 2
    return (f"CASE WHEN {column} < {starts[mid]} THEN {_bucket(column, starts, lo, mid)} "
            f"ELSE {_bucket(column, starts, mid, hi)} END")


def _uses_scope(flt: Filter, args: list[Any]) -> str:
    parts = []
    if flt.school_ids is not None:
        parts.append(_in("u.school", flt.school_ids, args))
    if flt.resource_ids is not None:
        parts.append(_in("u.resource", flt.resource_ids, args))
    if flt.company_ids is not None:
        parts.append(_in("u.organisation", flt.company_ids, args))
    return "".join(f" AND {p}" for p in parts)


def _text(column: str) -> str:
    """A UUID column as text (SQLite then skips Piccolo's per-row UUID converter)."""
    return f"CAST({column} AS TEXT)"


_KEYS = {"resource": "u.resource", "school": "u.school", "company": "u.organisation", "all": "0"}


async def booked_uses(flt: Filter, window: Interval, group: GroupBy,
                      periods: Sequence[Interval] = ()) -> list[Use]:
    """Confirmed booked use per (row key, company): `group` picks the key (resource id, school
    id, company id, or "0" for all); with `periods` (contiguous, covering the window) the key is
    the period's index instead and the time is clipped to each period. Keys are strings.

    Reads `report_uses` (kept by triggers, see the initial migration) in two statements:
    - solo rows (a booking with one occurrence on one resource — one row is one booking) are
      summed straight per (school, resource, company) — per (first period, last period,
      company) with periods — in index order, and rolled up to the key here;
    - the other rows are grouped per (key, booking) first, so a series counts once per row.
    """
    ws, we = epoch(window.start), epoch(window.end)
    cs, ce = f"{_pair('GREATEST')}(u.start_s, $1)", f"{_pair('LEAST')}(u.end_s, $2)"
    args: list[Any] = [ws, we]
    where = f"u.start_s < $2 AND u.end_s > $1{_uses_scope(flt, args)}"
    org = _text("u.organisation")
    if periods:
        starts = [epoch(p.start) for p in periods]
        ends = [epoch(p.end) for p in periods]
        solo = f"""SELECT kb, ke, org, COUNT(*) AS n, SUM(cs) AS cs, SUM(ce) AS ce,
                   SUM(st) AS st, SUM(em) AS em
            FROM (SELECT {_bucket(cs, starts)} AS kb, {_bucket(f"{ce} - 1", starts)} AS ke,
                         {org} AS org, {cs} AS cs, {ce} AS ce, u.students AS st,
                         u.employees AS em
                  FROM report_uses u WHERE u.solo = 1 AND {where}) x
            GROUP BY kb, ke, org"""
        key = "w.k"
        joined = (f"report_uses u JOIN {_bounds_table(periods)} "
                  "ON u.start_s < w.we AND u.end_s > w.ws")
        clipped = f"{_pair('LEAST')}(u.end_s, w.we) - {_pair('GREATEST')}(u.start_s, w.ws)"
    else:
        solo = f"""SELECT {_text("u.school")} AS school, {_text("u.resource")} AS resource,
                   {org} AS org, COUNT(*) AS n, SUM({ce} - {cs}) AS secs,
                   SUM(u.students) AS st, SUM(u.employees) AS em
            FROM report_uses u WHERE u.solo = 1 AND {where}
            GROUP BY u.school, u.resource, u.organisation"""
        key = _KEYS[group]
        joined = "report_uses u"
        clipped = f"{ce} - {cs}"
    shared = f"""SELECT k, org, SUM(secs) AS secs, COUNT(*) AS n, SUM(st) AS st, SUM(em) AS em
        FROM (SELECT {_text(key) if key != "0" else key} AS k, {org} AS org,
                     MAX(u.students) AS st, MAX(u.employees) AS em, SUM({clipped}) AS secs
              FROM {joined} WHERE u.solo = 0 AND {where}
              GROUP BY {"" if key == "0" else f"{key}, "}u.booking, u.organisation) x
        GROUP BY k, org"""
    solo_rows, shared_rows = await fetch_batch([Stmt(solo, args), Stmt(shared, args)])
    acc: dict[tuple[str, str], list[int]] = {}

    def add(k: str, company: str, secs: int, n: int, st: int, em: int) -> None:
        a = acc.setdefault((k, company), [0, 0, 0, 0])
        a[0] += secs
        a[1] += n
        a[2] += st
        a[3] += em

    for r in shared_rows:
        add(str(r["k"]), r["org"], int(r["secs"]), int(r["n"]), int(r["st"]), int(r["em"]))
    for r in solo_rows:
        n, st, em = int(r["n"]), int(r["st"]), int(r["em"])
        if periods:
            kb, ke, s_sum, e_sum = int(r["kb"]), int(r["ke"]), int(r["cs"]), int(r["ce"])
            for k in range(kb, ke + 1):
                # every row starts in period kb and ends in ke: clip the sums per period
                lo = s_sum if k == kb else n * starts[k]
                hi = e_sum if k == ke else n * ends[k]
                add(str(k), r["org"], hi - lo, n, st, em)
        else:
            k = {"resource": r["resource"], "school": r["school"], "company": r["org"],
                 "all": "0"}[group]
            add(k, r["org"], int(r["secs"]), n, st, em)
    return [Use(k, c, *a) for (k, c), a in sorted(acc.items())]


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
    # the periods are contiguous and cover the window, so each start's period is found by a
    # CASE tree over their starts (log k comparisons) instead of a join with every period
    bucket = _bucket("x.start_s", [epoch(p.start) for p in periods])
    rows = await fetch(
        f"""SELECT {bucket} AS k, x.org, COUNT(*) AS bookings, SUM(x.students) AS students,
                   SUM(x.employees) AS employees
            FROM (SELECT {_epoch_sql('b.starts_at')} AS start_s, b.organisation AS org,
                         b.students, b.employees
                  FROM bookings b
                  WHERE b.status = 'confirmed' AND b.starts_at >= $1 AND b.starts_at < $2
                    AND EXISTS (SELECT 1 FROM booking_resources br JOIN resources r
                                ON r.id = br.resource WHERE br.booking = b.id AND {scope})) x
            GROUP BY 1, x.org""",
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
        "WHERE br.resource = $1 AND b.status = 'confirmed' AND o.status = 'active' "
        "AND o.starts_at < $3 "
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
        f"WHERE o.starts_at < $2 AND o.ends_at > $1 AND o.status = 'active' AND {scope} "
        "ORDER BY o.starts_at, b.id, r.name",
        *args,
    )
    return [BookingLine(str(r["id"]), r["status"], str(r["rid"]), r["rname"], str(r["school"]),
                        r["sname"], r["timezone"], r["starts_at"], r["ends_at"],
                        str(r["organisation"]), r["cname"], bool(r["is_sme"]), r["title"],
                        int(r["students"]), int(r["employees"]), r["created_at"])
            for r in rows]
