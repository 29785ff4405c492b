"""Report measures over plain values: utilisation, company use, participants, flow, heat maps.

Counting rules (docs/reports.md explains them for readers of the reports):
- Booked time is the time of *confirmed* bookings' occurrences clipped to the window, counted
  on the resources the booking asked for (`booking_resources`): a lab booking counts for the lab,
  not again for the equipment it implicitly claims, so hours are never double-counted.
- Open time is opening hours minus closures; utilisation = booked ÷ open, 0 when nothing is open.
- A booking counts once per row it touches (`bookings`, its participants); `companies` counts
  distinct companies per row. The totals are the sums of the rows, except `companies`: distinct
  over all rows (API.md Reports). So a weekly series counted in each week row it touches is
  counted that many times in the week totals.
- Times are whole seconds; hours are derived (and rounded) only for display.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from booking.domain.intervals import Interval, merge
from booking.domain.localtime import ONE_DAY, local_date, local_instant, zone

HOUR = 3600
IDLE_BELOW = 0.10
PeriodUnit = Literal["week", "month"]


def utilisation(booked_seconds: float, open_seconds: float) -> float:
    """Booked ÷ open; 0 when nothing is open (booked time outside opening hours still counts)."""
    return booked_seconds / open_seconds if open_seconds > 0 else 0.0


def rate(part: int, whole: int) -> float:
    """`part` ÷ `whole`, 0 when `whole` is 0."""
    return part / whole if whole else 0.0


def hours(seconds: float, digits: int = 2) -> float:
    return round(seconds / HOUR, digits)


def seconds_of(intervals: Iterable[Interval]) -> int:
    """Total length in whole seconds (the intervals are taken as they are, not merged)."""
    return sum(int(iv.duration.total_seconds()) for iv in intervals)


# -- periods ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: an ISO week (Monday 00:00 local) or a calendar month, clipped."""

    key: str
    label: str
    interval: Interval


def _next_start(day: date, unit: PeriodUnit) -> date:
    if unit == "week":
        return day - timedelta(days=day.isoweekday() - 1) + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def periods(window: Interval, tz: str, unit: PeriodUnit) -> list[Period]:
    """The weeks or months of `window` in the zone `tz`, the first and last clipped to it.

    Boundaries are local midnights, so a DST week is 167 or 169 hours long.
    """
    found: list[Period] = []
    day = local_date(window.start, tz)
    start = window.start.astimezone(UTC)
    while start < window.end:
        nxt = _next_start(day, unit)
        end = min(local_instant(tz, nxt, 0), window.end.astimezone(UTC))
        if unit == "week":
            year, week, _ = day.isocalendar()
            monday = day - timedelta(days=day.isoweekday() - 1)
            key, label = f"{year}-W{week:02d}", monday.isoformat()
        else:
            key = label = f"{day.year}-{day.month:02d}"
        found.append(Period(key, label, Interval(start, end)))
        day, start = nxt, end
    return found


def split_seconds(intervals: Sequence[Interval], bounds: Sequence[Interval]) -> list[int]:
    """Seconds of the sorted, disjoint `intervals` falling in each of the sorted `bounds`."""
    starts = [iv.start for iv in intervals]
    result: list[int] = []
    for bound in bounds:
        i = max(bisect_right(starts, bound.start) - 1, 0)
        total = 0
        while i < len(intervals) and intervals[i].start < bound.end:
            hit = intervals[i].intersect(bound)
            if hit is not None:
                total += int(hit.duration.total_seconds())
            i += 1
        result.append(total)
    return result


Span = tuple[int, int]
"""An interval as whole epoch seconds [start, end): what the profile computes with."""


def _spans(intervals: Iterable[Interval]) -> list[Span]:
    return [(int(iv.start.timestamp()), int(iv.end.timestamp())) for iv in intervals]


def _split(spans: Sequence[Span], starts: Sequence[int], bounds: Sequence[Span]) -> list[int]:
    """Seconds of the sorted, disjoint `spans` (their `starts`) in each sorted bound."""
    result: list[int] = []
    n = len(spans)
    for lo, hi in bounds:
        i = max(bisect_right(starts, lo) - 1, 0)
        total = 0
        while i < n and spans[i][0] < hi:
            a, b = spans[i]
            if b > lo:
                total += min(b, hi) - max(a, lo)
            i += 1
        result.append(total)
    return result


class OpeningProfile:
    """Merged opening hours split over `bounds` once, so that many resources sharing them pay
    only for their own closures: O(closures · log n + bounds) each, in epoch seconds."""

    def __init__(self, opening: Sequence[Interval], bounds: Sequence[Interval]) -> None:
        self.opening = _spans(merge(opening))
        self.bounds = _spans(bounds)
        self._starts = [a for a, _ in self.opening]
        self.base = _split(self.opening, self._starts, self.bounds)

    def minus(self, closures: Iterable[Interval]) -> list[int]:
        """Open seconds per bound once `closures` are taken out."""
        if not self.bounds:
            return []
        first, last = self.bounds[0][0], self.bounds[-1][1]
        cuts = sorted((max(a, first), min(b, last)) for a, b in _spans(closures)
                      if a < last and b > first)
        if not cuts:
            return list(self.base)
        merged: list[list[int]] = []
        for a, b in cuts:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        lost: list[Span] = []
        opening, starts, n = self.opening, self._starts, len(self.opening)
        for a, b in merged:
            i = max(bisect_right(starts, a) - 1, 0)
            while i < n and opening[i][0] < b:
                lo, hi = max(opening[i][0], a), min(opening[i][1], b)
                if lo < hi:
                    lost.append((lo, hi))
                i += 1
        if not lost:
            return list(self.base)
        gone = _split(lost, [a for a, _ in lost], self.bounds)
        return [x - y for x, y in zip(self.base, gone, strict=True)]


def open_seconds(opening: Sequence[Interval], closures: Iterable[Interval],
                 bounds: Sequence[Interval]) -> list[int]:
    """Per bound, the seconds of merged `opening` hours not covered by `closures`."""
    return OpeningProfile(opening, bounds).minus(closures)


# -- booked use ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Use:
    """Booked use of one row key by one company: what the store aggregates per (key, company)."""

    key: str
    company_id: str
    seconds: int
    bookings: int
    students: int
    employees: int


@dataclass(frozen=True, slots=True)
class OccurrenceUse:
    """One confirmed occurrence on one booked resource, as plain values (reference input)."""

    booking_id: str
    company_id: str
    resource_id: str
    interval: Interval
    students: int = 0
    employees: int = 0


def uses_of(occurrences: Iterable[OccurrenceUse], bounds: Mapping[str, Interval],
            key_of: Mapping[str, str] | None = None) -> list[Use]:
    """The reference aggregation the store performs in SQL.

    `bounds` maps a row key to its interval (one key for the whole window, or one per period);
    `key_of` maps a resource id to a row key (school, resource …) instead — then every key
    shares the single bound. A booking counts once per row; seconds are clipped per bound.
    """
    per_booking: dict[tuple[str, str], tuple[str, int, int, int]] = {}
    for occ in occurrences:
        targets = (
            [(key_of[occ.resource_id], next(iter(bounds.values())))]
            if key_of is not None
            else list(bounds.items())
        )
        for key, bound in targets:
            hit = occ.interval.intersect(bound)
            if hit is None:
                continue
            ident = (key, occ.booking_id)
            _, secs, _, _ = per_booking.get(ident, (occ.company_id, 0, 0, 0))
            per_booking[ident] = (occ.company_id, secs + int(hit.duration.total_seconds()),
                                  occ.students, occ.employees)
    grouped: dict[tuple[str, str], list[int]] = {}
    for (key, _), (company, secs, students, employees) in per_booking.items():
        acc = grouped.setdefault((key, company), [0, 0, 0, 0])
        acc[0] += secs
        acc[1] += 1
        acc[2] += students
        acc[3] += employees
    return [Use(k, c, *acc) for (k, c), acc in sorted(grouped.items())]


@dataclass(frozen=True, slots=True)
class Measures:
    """A report row's measures; hours and utilisation are exact (round only to show)."""

    open_seconds: int = 0
    booked_seconds: int = 0
    bookings: int = 0
    companies: int = 0
    students: int = 0
    employees: int = 0

    @property
    def open_hours(self) -> float:
        return self.open_seconds / HOUR

    @property
    def booked_hours(self) -> float:
        return self.booked_seconds / HOUR

    @property
    def utilisation(self) -> float:
        return utilisation(self.booked_seconds, self.open_seconds)


USAGE_COLUMNS = ("key", "label", "open_hours", "booked_hours", "utilisation", "bookings",
                 "companies", "students", "employees")
"""The columns of a usage report, as the API (JSON and CSV) and the pages show them."""


def shown(m: Measures) -> dict[str, Any]:
    """The measures as shown everywhere: hours to 0.01, utilisation to 0.0001."""
    return {
        "open_hours": hours(m.open_seconds),
        "booked_hours": hours(m.booked_seconds),
        "utilisation": round(m.utilisation, 4),
        "bookings": m.bookings,
        "companies": m.companies,
        "students": m.students,
        "employees": m.employees,
    }


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    measures: Measures


@dataclass(frozen=True, slots=True)
class Table:
    rows: list[Row]
    totals: Measures


def usage_table(keys: Sequence[tuple[str, str]], open_by_key: Mapping[str, int],
                uses: Iterable[Use]) -> Table:
    """Rows in the order of `keys` (key, label) and their totals.

    Totals are the sums of the rows, except `companies`: distinct companies over all rows
    (API.md Reports).
    Uses whose key is not listed are ignored (they lie outside the caller's scope).
    """
    listed = {k for k, _ in keys}
    acc: dict[str, list[int]] = {k: [0, 0, 0, 0] for k in listed}
    companies: dict[str, set[str]] = {k: set() for k in listed}
    for use in uses:
        if use.key not in listed:
            continue
        a = acc[use.key]
        a[0] += use.seconds
        a[1] += use.bookings
        a[2] += use.students
        a[3] += use.employees
        companies[use.key].add(use.company_id)
    rows = [
        Row(k, label, Measures(open_by_key.get(k, 0), acc[k][0], acc[k][1], len(companies[k]),
                               acc[k][2], acc[k][3]))
        for k, label in keys
    ]
    total = Measures(
        sum(r.measures.open_seconds for r in rows),
        sum(r.measures.booked_seconds for r in rows),
        sum(r.measures.bookings for r in rows),
        len(set().union(*companies.values())) if companies else 0,
        sum(r.measures.students for r in rows),
        sum(r.measures.employees for r in rows),
    )
    return Table(rows, total)


def top_and_idle(rows: Sequence[Row], n: int = 10,
                 idle_below: float = IDLE_BELOW) -> tuple[list[Row], list[Row]]:
    """The `n` rows with most booked time, and every open row below `idle_below` utilisation
    (least used first). Rows that were never open are neither."""
    top = sorted((r for r in rows if r.measures.booked_seconds > 0),
                 key=lambda r: (-r.measures.booked_seconds, r.label))[:n]
    idle = sorted((r for r in rows
                   if r.measures.open_seconds > 0 and r.measures.utilisation < idle_below),
                  key=lambda r: (r.measures.utilisation, r.label))
    return top, idle


# -- request flow -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowCounts:
    """Bookings *requested* in a window, by status, with summed lead and decision times."""

    by_status: Mapping[str, int] = field(default_factory=dict)
    lead_seconds: int = 0  # Σ (first start − created), over every request
    decided: int = 0  # approved or declined by a person
    decision_seconds: int = 0  # Σ (decided − created) over those


@dataclass(frozen=True, slots=True)
class Flow:
    requested: int
    cancellation_rate: float  # cancelled ÷ requested
    expiry_rate: float  # expired ÷ (decided + expired): requests nobody decided in time
    decline_rate: float  # declined ÷ decided
    mean_lead_hours: float  # request → start
    mean_decision_hours: float  # request → approval/decline


def flow(counts: FlowCounts) -> Flow:
    n = sum(counts.by_status.values())
    expired = counts.by_status.get("expired", 0)
    return Flow(
        requested=n,
        cancellation_rate=rate(counts.by_status.get("cancelled", 0), n),
        expiry_rate=rate(expired, counts.decided + expired),
        decline_rate=rate(counts.by_status.get("declined", 0), counts.decided),
        mean_lead_hours=counts.lead_seconds / HOUR / n if n else 0.0,
        mean_decision_hours=(
            counts.decision_seconds / HOUR / counts.decided if counts.decided else 0.0
        ),
    )


# -- hour of week -------------------------------------------------------------------------


def hour_of_week(intervals: Iterable[Interval], tz: str) -> list[list[int]]:
    """Seconds per local (weekday 0 = Monday … 6, hour 0–23) cell.

    Walks real time, so the skipped spring hour gets nothing and the repeated autumn hour
    counts twice in its cell — each real second lands exactly once.
    """
    cells = [[0] * 24 for _ in range(7)]
    tzinfo = zone(tz)
    for iv in intervals:
        at = iv.start.astimezone(UTC)
        end = iv.end.astimezone(UTC)
        while at < end:
            local = at.astimezone(tzinfo)
            step = HOUR - local.minute * 60 - local.second
            nxt = min(at + timedelta(seconds=step), end)
            cells[local.weekday()][local.hour] += int((nxt - at).total_seconds())
            at = nxt
    return cells


def last_days(now: datetime, days: int = 30) -> Interval:
    """The default report window: the `days` before `now` (whole seconds, UTC)."""
    end = now.astimezone(UTC).replace(microsecond=0)
    return Interval(end - days * ONE_DAY, end)
