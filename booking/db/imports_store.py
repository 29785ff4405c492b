"""Calendar import sources, their fetch leases and the closures they own.

A fetch is claimed with one conditional UPDATE (`locked_until` in the past or NULL), so that
across processes each source is fetched by one of them at a time; `next_fetch_at` says when
the background job should fetch it next (normal period, or back-off after failures).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db.engine import is_sqlite
from booking.db.sql import Row, epoch_of, execute, execute_many, fetch, fetch_one, placeholders
from booking.domain.instants import utc
from booking.domain.intervals import Interval


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: str
    school_id: str
    site_id: str | None
    resource_id: str | None
    kind: str
    url: str | None
    has_upload: bool
    status: str
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    events: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    failures: int
    next_fetch_at: datetime | None
    locked_until: datetime | None
    created_at: datetime
    timezone: str
    skipped: tuple[tuple[str, str], ...] = ()  # (uid, code) of the events the last read left out


@dataclass(frozen=True, slots=True)
class OverlapRow:
    """An active booking's occurrence on a resource that one of the source's closures covers."""

    booking_id: str
    resource_id: str
    start: datetime
    end: datetime


_SELECT = """
SELECT ci.id, ci.school, ci.site, ci.resource, ci.kind, ci.url, ci.ics IS NOT NULL AS has_upload,
       ci.status, ci.last_fetched_at, ci.last_success_at, ci.last_error, ci.events, ci.etag,
       ci.last_modified, ci.content_hash, ci.failures, ci.next_fetch_at, ci.locked_until,
       ci.created_at, COALESCE(s.timezone, rs.timezone, 'Europe/Amsterdam') AS tz, ci.skipped
FROM calendar_imports ci
LEFT JOIN sites s ON s.id = ci.site
LEFT JOIN resources r ON r.id = ci.resource
LEFT JOIN sites rs ON rs.id = r.site
"""


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _record(row: Row) -> ImportRecord:
    return ImportRecord(
        id=str(row["id"]), school_id=str(row["school"]), site_id=_opt(row["site"]),
        resource_id=_opt(row["resource"]), kind=row["kind"], url=row["url"],
        has_upload=bool(row["has_upload"]), status=row["status"],
        last_fetched_at=row["last_fetched_at"], last_success_at=row["last_success_at"],
        last_error=row["last_error"], events=int(row["events"]), etag=row["etag"],
        last_modified=row["last_modified"], content_hash=row["content_hash"],
        failures=int(row["failures"]), next_fetch_at=row["next_fetch_at"],
        locked_until=row["locked_until"], created_at=row["created_at"], timezone=row["tz"],
        skipped=_skipped(row["skipped"]),
    )


def _skipped(text: str | None) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((str(e["uid"]), str(e["code"])) for e in json.loads(text or "[]"))
    except (ValueError, TypeError, KeyError):
        return ()


def skipped_json(skipped: Sequence[tuple[str, str]]) -> str:
    """What the `skipped` column holds for `skipped` (uid, code) pairs."""
    return json.dumps([{"uid": u, "code": c} for u, c in skipped], ensure_ascii=False)


async def insert_import(
    *, school_id: str, site_id: str | None, resource_id: str | None, kind: str,
    url: str | None, ics: str | None, now: datetime, locked_until: datetime,
) -> str:
    """A new source, already claimed for its first fetch until `locked_until`."""
    new_id = str(uuid.uuid4())
    await execute(
        "INSERT INTO calendar_imports (id, school, site, resource, kind, url, ics, status, "
        "events, failures, next_fetch_at, locked_until, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, 0, $8, $9, $8)",
        new_id, school_id, site_id, resource_id, kind, url, ics, utc(now), utc(locked_until),
    )
    return new_id


async def get_import(import_id: str) -> ImportRecord | None:
    row = await fetch_one(_SELECT + " WHERE ci.id = $1", import_id)
    return None if row is None else _record(row)


async def uploaded_body(import_id: str) -> str | None:
    row = await fetch_one("SELECT ics FROM calendar_imports WHERE id = $1", import_id)
    return None if row is None else row["ics"]


async def list_imports(school_ids: Sequence[str] | None) -> list[ImportRecord]:
    """Sources of `school_ids` (None: all), oldest first."""
    if school_ids is None:
        rows = await fetch(_SELECT + " ORDER BY ci.created_at, ci.id")
    elif not school_ids:
        return []
    else:
        rows = await fetch(
            _SELECT + f" WHERE ci.school IN ({placeholders(len(school_ids))}) "
            "ORDER BY ci.created_at, ci.id",
            *school_ids,
        )
    return [_record(r) for r in rows]


async def delete_import(import_id: str) -> None:
    """Delete the source and its closures (inside the caller's transaction)."""
    await execute("DELETE FROM closures WHERE source = $1", import_id)
    await execute("DELETE FROM calendar_imports WHERE id = $1", import_id)


async def claim(import_id: str, now: datetime, until: datetime) -> bool:
    """Take the fetch lease of one source; False when another fetch holds it."""
    rows = await fetch(
        "UPDATE calendar_imports SET locked_until = $1 WHERE id = $2 "
        "AND (locked_until IS NULL OR locked_until <= $3) RETURNING id",
        utc(until), import_id, utc(now),
    )
    return bool(rows)


async def claim_due(now: datetime, until: datetime) -> str | None:
    """Take the lease of the most overdue source whose `next_fetch_at` has come; None if none."""
    lock = "" if is_sqlite() else " FOR UPDATE SKIP LOCKED"
    rows = await fetch(
        "UPDATE calendar_imports SET locked_until = $1 WHERE id = ("
        "SELECT id FROM calendar_imports WHERE next_fetch_at <= $2 "
        "AND (locked_until IS NULL OR locked_until <= $2) "
        f"ORDER BY next_fetch_at, id LIMIT 1{lock}) "
        "AND (locked_until IS NULL OR locked_until <= $2) RETURNING id",
        utc(until), utc(now),
    )
    return str(rows[0]["id"]) if rows else None


async def closures_in(import_id: str, window: Interval) -> int:
    """How many of the source's closures (its last good fetch) overlap `window`."""
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM closures WHERE source = $1 AND starts_at < $2 AND ends_at > $3",
        import_id, utc(window.end), utc(window.start),
    )
    return 0 if row is None else int(row["n"])


async def replace_closures(
    rec: ImportRecord, kind: str, events: Sequence[tuple[Interval, str]]
) -> None:
    """Make `events` the source's closures (inside the caller's transaction)."""
    await execute("DELETE FROM closures WHERE source = $1", rec.id)
    await execute_many(
        "INSERT INTO closures (id, resource, site, starts_at, ends_at, reason, kind, source) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            (str(uuid.uuid4()), rec.resource_id, rec.site_id, utc(iv.start), utc(iv.end),
             reason[:300], kind, rec.id)
            for iv, reason in events
        ],
    )


async def mark_success(
    import_id: str, *, now: datetime, events: int, content_hash: str | None,
    etag: str | None, last_modified: str | None, next_fetch_at: datetime,
    skipped: Sequence[tuple[str, str]] | None = None,
) -> None:
    """Record a good fetch; `skipped` None keeps the skipped events of the last read (a 304)."""
    await execute(
        "UPDATE calendar_imports SET status = 'ok', last_fetched_at = $1, last_success_at = $1, "
        "last_error = NULL, events = $2, content_hash = $3, etag = $4, last_modified = $5, "
        "failures = 0, next_fetch_at = $6, locked_until = NULL, "
        "skipped = COALESCE($8, skipped) WHERE id = $7",
        utc(now), events, content_hash, etag, last_modified, utc(next_fetch_at), import_id,
        None if skipped is None else skipped_json(skipped),
    )


async def mark_failure(
    import_id: str, *, now: datetime, error: str, next_fetch_at: datetime,
    skipped: Sequence[tuple[str, str]] | None = None,
) -> None:
    """Record a failed fetch; the closures, counts and validators of the last good one stay
    (`skipped`, when given, says which events this read could not use)."""
    await execute(
        "UPDATE calendar_imports SET status = 'error', last_fetched_at = $1, last_error = $2, "
        "failures = failures + 1, next_fetch_at = $3, locked_until = NULL, "
        "skipped = COALESCE($5, skipped) WHERE id = $4",
        utc(now), error[:1000], utc(next_fetch_at), import_id,
        None if skipped is None else skipped_json(skipped),
    )


async def mark_pending(import_id: str, *, next_fetch_at: datetime) -> None:
    """Leave the source to the background job (a large upload read off the request path)."""
    await execute(
        "UPDATE calendar_imports SET status = 'pending', next_fetch_at = $1, locked_until = NULL "
        "WHERE id = $2",
        utc(next_fetch_at), import_id,
    )


def _covered(ids: str) -> str:
    """SQL of `(src, booking, resource, starts_at, ends_at, reason, closure_start)`: the active
    bookings' occurrences that closures of the sources `ids` (placeholders) cover — on the
    closure's resource, or any resource of a closed site. Claims are narrowed by their
    (resource, end) index before the occurrence itself is compared."""
    return f"""
WITH covering AS (
    SELECT cl.source, cl.reason, cl.starts_at, cl.ends_at, cl.resource AS rid
    FROM closures cl WHERE cl.source IN ({ids}) AND cl.resource IS NOT NULL
    UNION ALL
    SELECT cl.source, cl.reason, cl.starts_at, cl.ends_at, r.id AS rid
    FROM closures cl JOIN resources r ON r.site = cl.site WHERE cl.source IN ({ids})
)
SELECT CAST(cv.source AS TEXT) AS src, CAST(b.id AS TEXT) AS booking,
       CAST(c.resource AS TEXT) AS resource, o.starts_at, o.ends_at, cv.reason,
       cv.starts_at AS closure_start
FROM covering cv
JOIN claims c ON c.resource = cv.rid AND c.active
     AND c.end_s > {epoch_of("cv.starts_at")} AND c.start_s < {epoch_of("cv.ends_at")}
JOIN occurrences o ON o.id = c.occurrence
JOIN bookings b ON b.id = c.booking
WHERE b.status IN ('pending', 'confirmed')
  AND o.starts_at < cv.ends_at AND o.ends_at > cv.starts_at
"""


async def overlaps(import_ids: Sequence[str]) -> dict[str, list[OverlapRow]]:
    """Per source, the active bookings' occurrences its closures cover (by start, booking,
    resource; each once); sources without overlaps are absent."""
    if not import_ids:
        return {}
    rows = await fetch(
        "SELECT DISTINCT src, booking, resource, starts_at, ends_at FROM ("
        + _covered(placeholders(len(import_ids))) + ") AS hit "
        "ORDER BY starts_at, booking, resource",
        *import_ids,
    )
    found: dict[str, list[OverlapRow]] = {}
    for r in rows:
        found.setdefault(r["src"], []).append(
            OverlapRow(r["booking"], r["resource"], r["starts_at"], r["ends_at"])
        )
    return found


async def overlapped_bookings(import_id: str) -> dict[str, str]:
    """The active bookings the source's closures now cover: id -> the reason (title) of the
    earliest closure over it."""
    rows = await fetch(
        "SELECT booking, reason FROM (" + _covered("$1") + ") AS hit "
        "ORDER BY closure_start, booking",
        import_id,
    )
    found: dict[str, str] = {}
    for r in rows:
        found.setdefault(str(r["booking"]), str(r["reason"] or ""))
    return found


async def release(import_id: str) -> None:
    await execute("UPDATE calendar_imports SET locked_until = NULL WHERE id = $1", import_id)
