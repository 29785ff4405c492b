"""Bookings, their resources, occurrences and claims: rows ⇄ plain records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from booking.db.driver_errors import is_overlap_error
from booking.db.sql import (
    Row,
    Stmt,
    execute,
    execute_many,
    fetch,
    fetch_batch,
    placeholders,
)
from booking.domain.errors import ConflictingClaim
from booking.domain.instants import epoch, from_epoch, utc
from booking.domain.intervals import Interval

_CENT = Decimal("0.01")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StoredOccurrence:
    """One occurrence as stored: its position in the series and `active` | `cancelled`."""

    id: str
    position: int
    interval: Interval
    status: str


@dataclass(frozen=True, slots=True)
class BookingRecord:
    id: str
    organisation_id: str
    organisation_name: str
    created_by: str | None
    title: str
    status: str
    students: int
    employees: int
    price_amount: Decimal
    currency: str
    rrule: str | None
    starts_at: datetime
    ends_at: datetime
    version: int
    sequence: int
    decision_message: str
    created_at: datetime
    updated_at: datetime
    resource_ids: tuple[str, ...]
    school_ids: frozenset[str]
    occurrences: tuple[Interval, ...]
    timezone: str
    series: tuple[StoredOccurrence, ...] = ()
    """Every occurrence with its position and status (`occurrences` holds the active ones)."""

    @property
    def active(self) -> tuple[StoredOccurrence, ...]:
        return tuple(o for o in self.series if o.status == "active")


@dataclass(frozen=True, slots=True)
class NewBooking:
    organisation_id: str
    created_by: str | None
    title: str
    status: str
    students: int
    employees: int
    price_amount: Decimal
    currency: str
    rrule: str | None
    resource_ids: Sequence[str]
    starts_at: datetime
    ends_at: datetime
    now: datetime


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """What a caller may list: all, or the union of own companies' and schools' bookings."""

    everything: bool = False
    organisation_ids: frozenset[str] = frozenset()
    school_ids: frozenset[str] = frozenset()
    status: str | None = None
    resource_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None


_INSERT_BOOKING = (
    "INSERT INTO bookings (id, organisation, created_by, title, status, students, employees, "
    "price_amount, currency, rrule, starts_at, ends_at, version, sequence, "
    "decision_message, decided_at, cancelled_at, created_at, updated_at) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, 0, '', NULL, NULL, $13, $13)"
)


async def insert_booking(new: NewBooking) -> str:
    """Insert the booking row and its requested resources; returns the new id."""
    bid = str(uuid.uuid4())
    now = utc(new.now)
    await execute(
        _INSERT_BOOKING,
        bid, new.organisation_id, new.created_by, new.title, new.status, new.students,
        new.employees, new.price_amount, new.currency, new.rrule, utc(new.starts_at),
        utc(new.ends_at), now,
    )
    rows = [(str(uuid.uuid4()), bid, rid) for rid in new.resource_ids]
    sql = "INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)"
    if len(rows) == 1:
        await execute(sql, *rows[0])
    else:
        await execute_many(sql, rows)
    return bid


async def insert_occurrence(
    booking_id: str, position: int, occurrence: Interval, claims: Sequence[tuple[str, Interval]]
) -> None:
    """One occurrence and its claims; the database refuses an overlapping active claim."""
    oid = str(uuid.uuid4())
    await execute(
        "INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        oid, booking_id, position, utc(occurrence.start), utc(occurrence.end),
    )
    rows = [
        (str(uuid.uuid4()), booking_id, oid, rid, epoch(iv.start), epoch(iv.end), True)
        for rid, iv in claims
    ]
    if len(rows) == 1:
        await execute(
            "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            *rows[0],
        )
    else:
        await execute_many(
            "INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            rows,
        )


async def insert_booking_with_occurrences(
    new: NewBooking, occurrences: Sequence[tuple[int, Interval, Sequence[tuple[str, Interval]]]]
) -> str:
    """Booking, resources, occurrences `(position, interval, claims)` and claims in one batch
    (one thread hop on SQLite); the database refuses an overlapping active claim."""
    bid = str(uuid.uuid4())
    now = utc(new.now)
    occ_rows, claim_rows = [], []
    for position, occ, claims in occurrences:
        oid = str(uuid.uuid4())
        occ_rows.append((oid, bid, position, utc(occ.start), utc(occ.end)))
        claim_rows += [
            (str(uuid.uuid4()), bid, oid, rid, epoch(iv.start), epoch(iv.end), True)
            for rid, iv in claims
        ]
    await fetch_batch([
        Stmt(_INSERT_BOOKING, [
            bid, new.organisation_id, new.created_by, new.title, new.status, new.students,
            new.employees, new.price_amount, new.currency, new.rrule, utc(new.starts_at),
            utc(new.ends_at), now,
        ]),
        Stmt("INSERT INTO booking_resources (id, booking, resource) VALUES ($1, $2, $3)",
             [(str(uuid.uuid4()), bid, rid) for rid in new.resource_ids], many=True),
        Stmt("INSERT INTO occurrences (id, booking, position, starts_at, ends_at) "
             "VALUES ($1, $2, $3, $4, $5)", occ_rows, many=True),
        Stmt("INSERT INTO claims (id, booking, occurrence, resource, start_s, end_s, active) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7)", claim_rows, many=True),
    ])
    return bid


async def set_span(booking_id: str, starts_at: datetime, ends_at: datetime) -> None:
    """Fix the booking's overall span once the created occurrences are known."""
    await execute(
        "UPDATE bookings SET starts_at = $1, ends_at = $2 WHERE id = $3",
        utc(starts_at), utc(ends_at), booking_id,
    )


async def set_price(booking_id: str, amount: Decimal | None) -> None:
    """Store the booking's price once the created occurrences are known."""
    await execute("UPDATE bookings SET price_amount = $1 WHERE id = $2", amount, booking_id)


async def insert_occurrence_unless_overlap(
    booking_id: str, position: int, occurrence: Interval, claims: Sequence[tuple[str, Interval]]
) -> bool:
    """`insert_occurrence` in a savepoint: False (and nothing inserted, the transaction still
    usable) when the database's overlap guard refuses it; any other error raises."""
    await execute("SAVEPOINT occurrence")
    try:
        await insert_occurrence(booking_id, position, occurrence, claims)
    except Exception as exc:
        if not is_overlap_error(exc):
            raise
        await execute("ROLLBACK TO SAVEPOINT occurrence")
        inserted = False
    else:
        inserted = True
    await execute("RELEASE SAVEPOINT occurrence")
    return inserted


async def conflicting_claims(
    wanted: Sequence[tuple[str, Interval]], *, besides: str | None = None
) -> list[ConflictingClaim]:
    """The active claims (as held) that any of the wanted `(resource_id, interval)` overlaps;
    with `besides`, none of that booking's own."""
    if not wanted:
        return []
    alts: list[str] = []
    args: list[Any] = []
    for rid, iv in wanted:
        n = len(args)
        alts.append(f"(resource = ${n + 1} AND end_s > ${n + 2} AND start_s < ${n + 3})")
        args += [rid, epoch(iv.start), epoch(iv.end)]
    own = ""
    if besides is not None:
        args.append(besides)
        own = f" AND booking != ${len(args)}"
    rows = await fetch(
        "SELECT DISTINCT resource, start_s, end_s FROM claims WHERE active" + own + " AND ("
        + " OR ".join(alts) + ") ORDER BY resource, start_s",
        *args,
    )
    return [
        ConflictingClaim(str(r["resource"]), from_epoch(r["start_s"]), from_epoch(r["end_s"]))
        for r in rows
    ]


_SELECT = """
SELECT b.id, b.organisation, b.created_by, b.title, b.status, b.students, b.employees,
       b.price_amount, b.currency, b.rrule, b.starts_at, b.ends_at, b.version, b.sequence,
       b.decision_message, b.created_at, b.updated_at, o.name AS organisation_name
FROM bookings b JOIN organisations o ON o.id = b.organisation
"""


_RESOURCES_OF = (
    "SELECT br.booking, br.resource, r.school, s.timezone FROM booking_resources br "
    "JOIN resources r ON r.id = br.resource JOIN sites s ON s.id = r.site "
    "WHERE br.booking IN ({marks}) ORDER BY br.booking, br.id"
)
_OCCURRENCES_OF = (
    "SELECT booking, starts_at, ends_at, CAST(id AS TEXT) AS oid, position, status "
    "FROM occurrences WHERE booking IN ({marks}) ORDER BY booking, position"
)


async def _records(rows: list[Row]) -> list[BookingRecord]:
    if not rows:
        return []
    ids = [str(r["id"]) for r in rows]
    marks = placeholders(len(ids))
    res_rows, occ_rows = await fetch_batch([
        Stmt(_RESOURCES_OF.format(marks=marks), ids),
        Stmt(_OCCURRENCES_OF.format(marks=marks), ids),
    ])
    return _assemble(rows, res_rows, occ_rows)


def _assemble(rows: Sequence[Row], res_rows: Sequence[Row], occ_rows: Sequence[Row]
              ) -> list[BookingRecord]:
    resources: dict[str, list[str]] = {}
    schools: dict[str, set[str]] = {}
    zones: dict[str, str] = {}
    for r in res_rows:
        bid = str(r["booking"])
        resources.setdefault(bid, []).append(str(r["resource"]))
        schools.setdefault(bid, set()).add(str(r["school"]))
        zones.setdefault(bid, r["timezone"])
    series: dict[str, list[StoredOccurrence]] = {}
    for r in occ_rows:
        series.setdefault(str(r["booking"]), []).append(StoredOccurrence(
            str(r["oid"]), int(r["position"]), Interval(r["starts_at"], r["ends_at"]),
            r["status"]))
    return [
        BookingRecord(
            id=(bid := str(r["id"])),
            organisation_id=str(r["organisation"]),
            organisation_name=r["organisation_name"],
            created_by=None if r["created_by"] is None else str(r["created_by"]),
            title=r["title"],
            status=r["status"],
            students=int(r["students"]),
            employees=int(r["employees"]),
            price_amount=Decimal(str(r["price_amount"])).quantize(_CENT),
            currency=r["currency"],
            rrule=r["rrule"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            version=int(r["version"]),
            sequence=int(r["sequence"]),
            decision_message=r["decision_message"],
            created_at=r["created_at"],
            updated_at=r["updated_at"],
            resource_ids=tuple(resources.get(bid, ())),
            school_ids=frozenset(schools.get(bid, ())),
            occurrences=tuple(o.interval for o in series.get(bid, ()) if o.status == "active"),
            timezone=zones.get(bid, "Europe/Amsterdam"),
            series=tuple(series.get(bid, ())),
        )
        for r in rows
    ]


async def get_booking(booking_id: str) -> BookingRecord | None:
    """The booking with its resources and occurrences, read in one batch (one hop)."""
    rows, res_rows, occ_rows = await fetch_batch([
        Stmt(f"{_SELECT} WHERE b.id = $1", [booking_id]),
        Stmt(_RESOURCES_OF.format(marks="$1"), [booking_id]),
        Stmt(_OCCURRENCES_OF.format(marks="$1"), [booking_id]),
    ])
    found = _assemble(rows, res_rows, occ_rows)
    return found[0] if found else None


async def list_bookings(
    f: BookingFilter, *, after: tuple[datetime, str] | None, limit: int
) -> list[BookingRecord]:
    """Bookings matching `f`, ordered by (starts_at, id), after the `after` key."""
    where: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if not f.everything:
        alts = []
        if f.organisation_ids:
            alts.append(f"b.organisation IN ({', '.join(arg(o) for o in f.organisation_ids)})")
        if f.school_ids:
            schools = ", ".join(arg(s) for s in f.school_ids)
            alts.append(
                "EXISTS (SELECT 1 FROM booking_resources br JOIN resources r "
                f"ON r.id = br.resource WHERE br.booking = b.id AND r.school IN ({schools}))"
            )
        if not alts:
            return []
        where.append("(" + " OR ".join(alts) + ")")
    if f.status:
        where.append(f"b.status = {arg(f.status)}")
    if f.resource_id:
        where.append(
            "EXISTS (SELECT 1 FROM booking_resources br2 WHERE br2.booking = b.id "
            f"AND br2.resource = {arg(f.resource_id)})"
        )
    if f.start is not None:
        where.append(f"b.ends_at > {arg(utc(f.start))}")
    if f.end is not None:
        where.append(f"b.starts_at < {arg(utc(f.end))}")
    if after is not None:
        at, last = arg(utc(after[0])), arg(after[1])
        where.append(f"(b.starts_at > {at} OR (b.starts_at = {at} AND b.id > {last}))")
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY b.starts_at, b.id LIMIT {int(limit)}"
    return await _records(await fetch(sql, *args))


async def change_status(
    booking_id: str,
    *,
    new_status: str,
    expected: tuple[str, int],
    now: datetime,
    message: str,
    release_claims: bool,
) -> bool:
    """Move the booking from status/version `expected` to `new_status`, bumping version,
    sequence and updated_at; False when it changed meanwhile (nothing written)."""
    stamp = utc(now)
    decided = new_status in ("confirmed", "declined")
    rows = await fetch(
        "UPDATE bookings SET status = $1, version = version + 1, sequence = sequence + 1, "
        "updated_at = $2, decision_message = $3, "
        "decided_at = CASE WHEN $4 THEN $2 ELSE decided_at END, "
        "cancelled_at = CASE WHEN $5 THEN $2 ELSE cancelled_at END "
        "WHERE id = $6 AND status = $7 AND version = $8 RETURNING id",
        new_status, stamp, message, decided, new_status == "cancelled", booking_id,
        expected[0], expected[1],
    )
    if rows and release_claims:
        await execute("UPDATE claims SET active = $1 WHERE booking = $2 AND active", False,
                      booking_id)
    return bool(rows)


async def expire_pending(now: datetime, created_before: datetime | None) -> list[str]:
    """Expire pending bookings whose start has passed (or created before `created_before`),
    releasing their claims; one UPDATE, so concurrent runners expire each booking once."""
    stamp = utc(now)
    cutoff = utc(created_before) if created_before is not None else _EPOCH
    rows = await fetch(
        "UPDATE bookings SET status = 'expired', version = version + 1, "
        "sequence = sequence + 1, updated_at = $1 "
        "WHERE status = 'pending' AND (starts_at <= $1 OR created_at < $2) RETURNING id",
        stamp, cutoff,
    )
    ids = [str(r["id"]) for r in rows]
    if ids:
        await execute(
            f"UPDATE claims SET active = $1 WHERE active AND booking IN "
            f"({placeholders(len(ids), 2)})",
            False, *ids,
        )
    return ids
