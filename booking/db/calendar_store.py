"""What availability is computed from, loaded set-based for many resources at once:
opening rules and exceptions, closures (the resource's own and its site's), active claims."""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from booking.db.sql import (
    Stmt,
    epoch_of,
    execute,
    execute_many,
    fetch,
    fetch_batch,
    in_subquery,
    placeholders,
)
from booking.domain.instants import epoch, from_epoch, utc
from booking.domain.intervals import Interval
from booking.domain.openinghours import (
    OpeningException,
    OpeningRule,
    format_hhmm,
    parse_hhmm,
)


@dataclass(frozen=True, slots=True)
class ClosureRecord:
    id: str
    resource_id: str | None
    site_id: str | None
    interval: Interval
    reason: str
    kind: str


def _date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@lru_cache(maxsize=16384)
def _rule(
    weekday: int, opens: str, closes: str, valid_from: str | None, valid_to: str | None
) -> OpeningRule:
    """Rules repeat across resources: parse each distinct one once."""
    return OpeningRule(int(weekday), parse_hhmm(opens), parse_hhmm(closes), _date(valid_from),
                       _date(valid_to))


def _rules_stmt(resource_ids: Sequence[str]) -> Stmt:
    return Stmt(
        "SELECT CAST(resource AS TEXT), weekday + 0, opens, closes, CAST(valid_from AS TEXT), "
        "CAST(valid_to AS TEXT) "
        f"FROM opening_rules WHERE resource IN ({placeholders(len(resource_ids))}) "
        "ORDER BY weekday, opens",
        list(resource_ids),
        tuples=True,
    )


def _rules(rows: Sequence[Sequence[Any]]) -> dict[str, list[OpeningRule]]:
    found: dict[str, list[OpeningRule]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(_rule(row[1], row[2], row[3], row[4], row[5]))
    return found


async def opening_rules(resource_ids: Sequence[str]) -> dict[str, list[OpeningRule]]:
    """Weekly rules per resource (resources without rules are absent: closed)."""
    if not resource_ids:
        return {}
    st = _rules_stmt(resource_ids)
    return _rules((await fetch_batch([st]))[0])


def _exceptions_stmt(resource_ids: Sequence[str], first: date, last: date) -> Stmt:
    n = len(resource_ids)
    return Stmt(
        "SELECT CAST(resource AS TEXT), CAST(date AS TEXT), opens, closes "
        "FROM opening_exceptions "
        f"WHERE resource IN ({placeholders(n)}) AND date >= ${n + 1} AND date <= ${n + 2}",
        [*resource_ids, first, last],
        tuples=True,
    )


def _exceptions(rows: Sequence[Sequence[Any]]) -> dict[str, list[OpeningException]]:
    found: dict[str, list[OpeningException]] = {}
    for rid, day, opens, closes in rows:
        found.setdefault(rid, []).append(
            OpeningException(
                date=_date(day) or date.min,
                opens=None if opens is None else parse_hhmm(opens),
                closes=None if closes is None else parse_hhmm(closes),
            )
        )
    return found


async def opening_exceptions(
    resource_ids: Sequence[str], first: date, last: date
) -> dict[str, list[OpeningException]]:
    """Date exceptions per resource for local dates `first`..`last` (inclusive)."""
    if not resource_ids:
        return {}
    return _exceptions((await fetch_batch([_exceptions_stmt(resource_ids, first, last)]))[0])


async def replace_opening_rules(resource_id: str, rules: Iterable[OpeningRule]) -> None:
    """Replace the weekly rules of a resource (inside the caller's transaction)."""
    await execute("DELETE FROM opening_rules WHERE resource = $1", resource_id)
    await execute_many(
        "INSERT INTO opening_rules (id, resource, weekday, opens, closes, valid_from, valid_to) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            (str(uuid.uuid4()), resource_id, r.weekday, format_hhmm(r.opens),
             format_hhmm(r.closes, is_close=True), r.valid_from, r.valid_to)
            for r in rules
        ],
    )


def _closure_columns() -> str:
    return (f"CAST(id AS TEXT), CAST(resource AS TEXT), CAST(site AS TEXT), "
            f"{epoch_of('starts_at')}, {epoch_of('ends_at')}, reason, kind")


def _closure(row: Sequence[Any]) -> ClosureRecord:
    cid, resource, site, start_s, end_s, reason, kind = row
    return ClosureRecord(
        id=cid, resource_id=resource, site_id=site,
        interval=Interval(from_epoch(start_s), from_epoch(end_s)), reason=reason, kind=kind,
    )


def _closures_stmt(resources: Sequence[tuple[str, str]], window: Interval) -> Stmt:
    ids = [r for r, _ in resources]
    sites = sorted({s for _, s in resources})
    n, m = len(ids), len(sites)
    return Stmt(
        f"SELECT {_closure_columns()} FROM closures "
        f"WHERE (resource IN ({placeholders(n)}) OR site IN ({placeholders(m, n + 1)})) "
        f"AND starts_at < ${n + m + 1} AND ends_at > ${n + m + 2} ORDER BY starts_at",
        [*ids, *sites, utc(window.end), utc(window.start)],
        tuples=True,
    )


def _closures(
    rows: Sequence[Sequence[Any]], resources: Sequence[tuple[str, str]]
) -> dict[str, list[ClosureRecord]]:
    by_site: dict[str, list[str]] = {}
    for rid, sid in resources:
        by_site.setdefault(sid, []).append(rid)
    found: dict[str, list[ClosureRecord]] = {}
    for row in rows:
        rec = _closure(row)
        targets = [rec.resource_id] if rec.resource_id else by_site.get(rec.site_id or "", [])
        for rid in targets:
            found.setdefault(rid, []).append(rec)
    return found


async def closures(
    resources: Sequence[tuple[str, str]], window: Interval
) -> dict[str, list[ClosureRecord]]:
    """Closures overlapping `window` per resource, given (resource_id, site_id) pairs;
    a site-wide closure is listed under every resource of that site."""
    if not resources:
        return {}
    return _closures((await fetch_batch([_closures_stmt(resources, window)]))[0], resources)


async def insert_closure(
    *, resource_id: str | None, site_id: str | None, interval: Interval, reason: str,
    kind: str = "closure",
) -> ClosureRecord:
    new_id = str(uuid.uuid4())
    await execute(
        "INSERT INTO closures (id, resource, site, starts_at, ends_at, reason, kind, source) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        new_id, resource_id, site_id, utc(interval.start), utc(interval.end), reason, kind,
    )
    return ClosureRecord(
        new_id, resource_id, site_id, Interval(utc(interval.start), utc(interval.end)),
        reason, kind,
    )


async def get_closure(closure_id: str) -> ClosureRecord | None:
    rows = (await fetch_batch([Stmt(
        f"SELECT {_closure_columns()} FROM closures WHERE id = $1", [closure_id], tuples=True
    )]))[0]
    return _closure(rows[0]) if rows else None


async def delete_closure(closure_id: str) -> None:
    await execute("DELETE FROM closures WHERE id = $1", closure_id)


def _claims_stmt(resource_ids: Sequence[str], window: Interval) -> Stmt:
    n = len(resource_ids)
    return Stmt(
        "SELECT CAST(resource AS TEXT), start_s + 0, end_s + 0 FROM claims "
        f"WHERE active AND resource IN ({placeholders(n)}) "
        f"AND end_s > ${n + 1} AND start_s < ${n + 2}",
        [*resource_ids, epoch(window.start), epoch(window.end)],
        tuples=True,
    )


ClaimRow = tuple[str, int, int]
"""An active claim as held (buffers included): (resource_id, start_s, end_s), epoch seconds."""


def spans_by_resource(rows: Iterable[ClaimRow]) -> dict[str, list[tuple[int, int]]]:
    """Claim rows as `(start_s, end_s)` per resource."""
    found: dict[str, list[tuple[int, int]]] = {}
    for rid, s, e in rows:
        found.setdefault(rid, []).append((s, e))
    return found


def merge_epochs(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of epoch-second spans, sorted and disjoint (touching ones joined)."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1][1] = e
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def intervals_of(
    merged: Sequence[tuple[int, int]], lo: int | None = None, hi: int | None = None
) -> tuple[Interval, ...]:
    """Intervals of the `merged` spans (see `merge_epochs`) that overlap `[lo, hi)` (all when
    no bounds): datetimes are made only for what a computation looks at."""
    first = 0 if lo is None else bisect_right(merged, (lo, _MAX_EPOCH))
    if first and lo is not None and merged[first - 1][1] > lo:
        first -= 1
    found: list[Interval] = []
    for s, e in merged[first:]:
        if hi is not None and s >= hi:
            break
        found.append(Interval(from_epoch(s), from_epoch(e)))
    return tuple(found)


_MAX_EPOCH = 2**62


def merged_spans(spans: Iterable[tuple[int, int]]) -> tuple[Interval, ...]:
    """The union of epoch-second spans as intervals, merged before any datetime is made: free
    and busy time need only the union, and a lab over four weeks reads hundreds of claims of
    its equipment that merge into a few dozen spans."""
    return intervals_of(merge_epochs(spans))


@dataclass(frozen=True, slots=True)
class CalendarInputs:
    rules: dict[str, list[OpeningRule]]
    exceptions: dict[str, list[OpeningException]]
    closures: dict[str, list[ClosureRecord]]
    claim_rows: list[ClaimRow]


async def calendar_inputs(
    resources: Sequence[tuple[str, str]],
    claim_ids: Sequence[str],
    window: Interval,
    claim_window: Interval,
    dates: tuple[date, date],
) -> CalendarInputs:
    """Rules, exceptions (local `dates`), closures for (resource_id, site_id) pairs and active
    claims on `claim_ids` (as rows), in one batch (one thread hop on SQLite)."""
    ids = [r for r, _ in resources]
    rows = await fetch_batch([
        _rules_stmt(ids), _exceptions_stmt(ids, *dates), _closures_stmt(resources, window),
        _claims_stmt(claim_ids, claim_window),
    ])
    return CalendarInputs(
        _rules(rows[0]), _exceptions(rows[1]), _closures(rows[2], resources),
        [tuple(r) for r in rows[3]],
    )


def one_resource_stmts(resource_id: str, window: Interval, dates: tuple[date, date]) -> list[Stmt]:
    """Rules, exceptions, closures (own and the site's) and the active claims on the resource,
    its equipment and its lab, for ONE resource known only by id: the site, the relatives and
    the buffers (claims are read over `window` widened by before + after) come from
    subqueries, so these statements can share a batch with the resource's own row."""
    widen = "(SELECT (buffer_before_minutes + buffer_after_minutes) * 60 FROM resources " \
        "WHERE id = $1)"
    return [
        _rules_stmt([resource_id]),
        _exceptions_stmt([resource_id], *dates),
        Stmt(  # own and the site's as two indexed reads (an OR also scanned every closure by end)
            f"SELECT * FROM (SELECT {_closure_columns()} FROM closures WHERE resource = $1 "
            "AND starts_at < $2 AND ends_at > $3 UNION "
            f"SELECT {_closure_columns()} FROM closures "
            "WHERE site = (SELECT site FROM resources WHERE id = $1) "
            "AND starts_at < $2 AND ends_at > $3) AS own_and_site ORDER BY 4",
            [resource_id, utc(window.end), utc(window.start)],
            tuples=True,
        ),
        Stmt(
            "SELECT CAST(resource AS TEXT), start_s + 0, end_s + 0 FROM claims WHERE active AND "
            + in_subquery("resource", "SELECT id FROM resources WHERE id = $1 "
                          "OR parent = $1 OR id = (SELECT parent FROM resources WHERE id = $1)")
            + f" AND end_s > CAST($2 AS BIGINT) - {widen} "
            f"AND start_s < CAST($3 AS BIGINT) + {widen}",
            [resource_id, epoch(window.start), epoch(window.end)],
            tuples=True,
        ),
    ]


def one_resource_inputs(
    rows: Sequence[Sequence[Any]], resource_id: str, site_id: str
) -> CalendarInputs:
    """The rows of `one_resource_stmts` as inputs."""
    pair = [(resource_id, site_id)]
    return CalendarInputs(
        _rules(rows[0]), _exceptions(rows[1]), _closures(rows[2], pair),
        [tuple(r) for r in rows[3]],
    )


async def quota_used_minutes(
    organisation_id: str, resource_id: str, week: Interval
) -> int:
    """Minutes of active occurrences the organisation holds on the resource within `week`."""
    rows = await fetch(
        "SELECT o.starts_at, o.ends_at FROM occurrences o "
        "JOIN bookings b ON b.id = o.booking "
        "JOIN booking_resources br ON br.booking = b.id "
        "WHERE b.organisation = $1 AND br.resource = $2 AND b.status IN ('pending', 'confirmed') "
        "AND o.status = 'active' AND o.starts_at < $3 AND o.ends_at > $4",
        organisation_id, resource_id, utc(week.end), utc(week.start),
    )
    total = 0
    for row in rows:
        start: datetime = max(row["starts_at"], week.start)
        end: datetime = min(row["ends_at"], week.end)
        total += max(0, int((end - start).total_seconds() // 60))
    return total
