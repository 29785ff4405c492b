"""Schedule board layout (pure): resources, held claims and closures of a window turned into
positioned blocks in the school's local time.

Positions follow the wall clock of each day: a booking at 09:00 sits under the 09:00 line on
the Saturday before and the Sunday of a DST change alike, and the repeated October hour is drawn
once. All positions are percentages of a row's track, which spans every day of the window side
by side.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple, Protocol, TypeVar

from booking.db.board_store import ClosureRow, HeldRow, ResourceRow
from booking.domain.instants import from_epoch
from booking.domain.localtime import local_instant, zone

DEFAULT_FIRST_MINUTE = 7 * 60
DEFAULT_LAST_MINUTE = 20 * 60
MINUTES_PER_DAY = 24 * 60
_HHMM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(MINUTES_PER_DAY)]
_UNKNOWN = "?"
_LEFT = itemgetter(1)  # BoardBlock.left


class BoardBlock(NamedTuple):
    """A booking or closure piece within one day of the board (a tuple: a week of a thousand
    resources makes thousands, and a frozen dataclass costs twice as much to build).

    `left`/`width` are percentages of the row track; `starts_before`/`ends_after` say the item
    continues beyond this piece (another day, or outside the shown hours). `start_s`/`end_s` are
    the whole item's epoch seconds (`start`/`end` as UTC datetimes).
    """

    kind: str  # booking | closure
    left: float
    width: float
    start_s: int  # epoch seconds
    end_s: int
    local_start: str  # "HH:MM" in the board's zone, of the whole item
    local_end: str
    label: str  # company name, or the closure's reason
    status: str  # pending | confirmed, or the closure kind (closure, holiday, timetable, …)
    booking_id: str | None = None
    title: str = ""
    participants: int = 0
    whole_lab: bool = False  # a lab's booking that also holds the lab's equipment
    starts_before: bool = False
    ends_after: bool = False
    in_closure: bool = False  # a booking that (partly) lies in a closure of its resource or site

    @property
    def start(self) -> datetime:
        return from_epoch(self.start_s)

    @property
    def end(self) -> datetime:
        return from_epoch(self.end_s)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One resource's line. Equipment inside a lab is not given the lab's bookings again: the
    lab row's blocks with `whole_lab` hold it, drawn once across the lab's equipment rows."""

    resource_id: str
    name: str
    kind: str  # lab | equipment
    depth: int  # 0 lab or loose equipment, 1 equipment inside a lab
    capacity: int
    blocks: list[BoardBlock] = field(default_factory=list)
    children: int = 0  # rows of equipment that follow a lab (depth 1)


@dataclass(frozen=True, slots=True)
class BoardGroup:
    """The resources of one site; `closures` are the site-wide ones, drawn once across the rows."""

    site_id: str
    site_name: str
    rows: list[BoardRow]
    closures: list[BoardBlock] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BoardTick:
    label: str  # "09:00" in day view, the date's ISO form in week view
    left: float
    day: date


@dataclass(frozen=True, slots=True)
class BoardView:
    school_id: str
    school_name: str
    timezone: str
    first_day: date
    days: int  # 1 or 7
    first_minute: int  # the shown hours of each day, local minutes since midnight
    last_minute: int
    groups: list[BoardGroup]
    ticks: list[BoardTick]
    now_left: float | None  # where "now" falls on the track, if inside the window
    pending: int  # distinct pending bookings in the window
    confirmed: int
    closures: int
    resources: int

    @property
    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    @property
    def previous_day(self) -> date:
        return self.first_day - timedelta(days=self.days)

    @property
    def next_day(self) -> date:
        return self.first_day + timedelta(days=self.days)


class _Days:
    """Per-day local midnights of the window and a fast instant → local-minute conversion.

    On a day without a clock change local minutes are elapsed minutes since local midnight; on
    the day of a change the zone is asked (wall clock: the repeated hour reads twice).
    """

    def __init__(self, tz: str, first: date, days: int) -> None:
        self.tz = tz
        self.midnights = [
            local_instant(tz, first + timedelta(days=i), 0).timestamp() for i in range(days + 1)
        ]
        info = zone(tz)
        offsets = [datetime.fromtimestamp(m, info).utcoffset() for m in self.midnights]
        self.steady = [offsets[i] == offsets[i + 1] for i in range(days)]
        self._hhmm: dict[float, str] = {}

    def minute(self, index: int, at: float) -> float:
        """Local minutes since midnight of day `index` at epoch `at` (up to 1440 at its end)."""
        start = self.midnights[index]
        if self.steady[index] or at >= self.midnights[index + 1]:
            return min((at - start) / 60, MINUTES_PER_DAY)
        local = datetime.fromtimestamp(at, zone(self.tz))
        return local.hour * 60 + local.minute + local.second / 60

    def span(self, start: float, end: float) -> Iterator[tuple[int, float, float]]:
        """`(day, local start minute, local end minute)` for each day `[start, end)` touches."""
        mids = self.midnights
        i = max(bisect_right(mids, start) - 1, 0)
        while i < len(mids) - 1 and mids[i] < end:
            if start < mids[i + 1]:
                lo = self.minute(i, max(start, mids[i]))
                hi = self.minute(i, min(end, mids[i + 1]))
                yield i, lo, max(hi, lo)
            i += 1

    def hhmm(self, at: float) -> str:
        """"HH:MM" on the local clock at epoch `at` (remembered: bookings share their hours)."""
        text = self._hhmm.get(at)
        if text is None:
            local = datetime.fromtimestamp(at, zone(self.tz))
            text = self._hhmm[at] = f"{local.hour:02d}:{local.minute:02d}"
        return text


def shown_minutes(pieces: Iterable[tuple[float, float]]) -> tuple[int, int]:
    """The shown hours of each day: 07:00–20:00 widened to whole hours around every booking."""
    first, last = DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE
    for lo, hi in pieces:
        first = min(first, int(lo // 60) * 60)
        last = max(last, min(MINUTES_PER_DAY, int(-(-hi // 60)) * 60))
    return first, last


class _Placed(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


P = TypeVar("P", bound=_Placed)


def order_rows(resources: list[P]) -> list[tuple[P, int]]:
    """Resources of one site in board order: each lab followed by its equipment (depth 1), then
    equipment without a lab of this site; labs and equipment by name."""
    ids = {r.id for r in resources}
    children: dict[str, list[P]] = {}
    for r in resources:
        if r.parent_id is not None and r.parent_id in ids:
            children.setdefault(r.parent_id, []).append(r)
    ordered: list[tuple[P, int]] = []
    loose: list[P] = []
    for r in resources:
        if r.parent_id is not None and r.parent_id in ids:
            continue
        if r.kind == "lab":
            ordered.append((r, 0))
            ordered.extend((child, 1) for child in children.get(r.id, ()))
        else:
            loose.append(r)
    ordered.extend((r, 0) for r in loose)
    return ordered


def layout(
    school_id: str,
    school_name: str,
    tz: str,
    first: date,
    days: int,
    resources: list[ResourceRow],
    held: list[HeldRow],
    closures: list[ClosureRow],
    now: datetime,
) -> BoardView:
    """Position held time and closures on the board (pure; the rows come from the store).

    An equipment's claim whose booking also claims its lab is not drawn on the equipment: the
    lab's block is marked `whole_lab` and drawn once across the lab's equipment rows.
    """
    cal = _Days(tz, first, days)
    mids, steady = cal.midnights, cal.steady
    parent_of = {r.id: r.parent_id for r in resources}
    claimed = {(h[1], h[0]) for h in held}  # (booking, resource)
    via_lab: set[tuple[str, str]] = set()  # (booking, lab) whose equipment the booking holds
    pieces: list[tuple[HeldRow, int, float, float]] = []
    lowest, highest = float(DEFAULT_FIRST_MINUTE), float(DEFAULT_LAST_MINUTE)
    for h in held:
        rid, bid, start_s, end_s = h[:4]
        parent = parent_of.get(rid, _UNKNOWN)
        if parent is _UNKNOWN:  # a resource added after the resources were read
            continue
        if parent is not None and (bid, parent) in claimed:
            via_lab.add((bid, parent))
            continue
        i = bisect_right(mids, start_s) - 1
        if 0 <= i < days and end_s <= mids[i + 1] and steady[i]:  # inside one plain day
            lo, hi = (start_s - mids[i]) / 60, (end_s - mids[i]) / 60
            pieces.append((h, i, lo, hi))
            if lo < lowest:
                lowest = lo
            if hi > highest:
                highest = hi
            continue
        for i, lo, hi in cal.span(start_s, end_s):
            pieces.append((h, i, lo, hi))
            lowest, highest = min(lowest, lo), max(highest, hi)
    first_minute, last_minute = shown_minutes([(lowest, highest)])
    scale = 100 / (last_minute - first_minute) / days  # percent of the track per local minute
    day_width = 100 / days

    def place(i: int, lo: float, hi: float) -> tuple[float, float, bool, bool] | None:
        a, b = max(lo, first_minute), min(hi, last_minute)
        if b <= a:
            return None
        left = i * day_width + (a - first_minute) * scale
        return round(left, 2), round((b - a) * scale, 2), lo < first_minute, hi > last_minute

    blocks: dict[str, list[BoardBlock]] = {r.id: [] for r in resources}
    pending: set[str] = set()
    confirmed: set[str] = set()
    hhmm = cal.hhmm
    make = BoardBlock._make  # every field given: skips the keyword defaults of `__new__`
    for (rid, bid, start_s, end_s, status, title, company, people), i, lo, hi in pieces:
        if first_minute <= lo < hi <= last_minute and lo % 1 == 0 and hi % 1 == 0 and (
                mids[i] <= start_s and end_s <= mids[i + 1]):
            # the common case, `place` and `hhmm` inlined: the whole item is this piece, in
            # the shown hours, on whole minutes (a week holds thousands of these)
            block = make((
                "booking", round(i * day_width + (lo - first_minute) * scale, 2),
                round((hi - lo) * scale, 2), start_s, end_s, _HHMM[int(lo)],
                _HHMM[int(hi) % MINUTES_PER_DAY], company, status, bid, title, people,
                (bid, rid) in via_lab, False, False, False,
            ))
        else:
            spot = place(i, lo, hi)
            if spot is None:
                continue
            left, width, cut_lo, cut_hi = spot
            block = BoardBlock(
                "booking", left, width, start_s, end_s, hhmm(start_s), hhmm(end_s), company,
                status, bid, title, people, (bid, rid) in via_lab,
                cut_lo or start_s < mids[i], cut_hi or end_s > mids[i + 1],
            )
        (pending if status == "pending" else confirmed).add(bid)
        blocks[rid].append(block)

    site_closures: dict[str, list[BoardBlock]] = {}
    for c in closures:
        start_s, end_s = c.start_s, c.end_s
        for i, lo, hi in cal.span(start_s, end_s):
            spot = place(i, lo, hi)
            if spot is None:
                continue
            left, width, cut_lo, cut_hi = spot
            block = BoardBlock(
                "closure", left, width, start_s, end_s, hhmm(start_s), hhmm(end_s),
                c.reason, c.kind, starts_before=cut_lo or start_s < mids[i],
                ends_after=cut_hi or end_s > mids[i + 1],
            )
            if c.resource_id is not None:
                if c.resource_id in blocks:
                    blocks[c.resource_id].append(block)
            elif c.site_id is not None:
                site_closures.setdefault(c.site_id, []).append(block)

    by_site: dict[str, list[ResourceRow]] = {}
    for r in resources:
        by_site.setdefault(r.site_id, []).append(r)
    if closures:
        _mark_closed(blocks, resources, closures)
    for row_blocks in blocks.values():
        if len(row_blocks) > 1:  # in time order, also for screen readers (closures sit below)
            row_blocks.sort(key=_LEFT)
    groups = []
    for site_id, site_rows in by_site.items():
        ordered = order_rows(site_rows)
        kids = {r.id: 0 for r, _ in ordered}
        for r, depth in ordered:
            if depth and r.parent_id is not None:
                kids[r.parent_id] += 1
        groups.append(BoardGroup(
            site_id, site_rows[0].site_name,
            [
                BoardRow(r.id, r.name, r.kind, depth, r.capacity, blocks[r.id], kids[r.id])
                for r, depth in ordered
            ],
            site_closures.get(site_id, []),
        ))
    return BoardView(
        school_id, school_name, tz, first, days, first_minute, last_minute, groups,
        _ticks(first, days, first_minute, last_minute), _now_left(cal, now, scale, first_minute),
        len(pending), len(confirmed - pending), len({c.id for c in closures}), len(resources),
    )


def _mark_closed(
    blocks: dict[str, list[BoardBlock]], resources: list[ResourceRow],
    closures: list[ClosureRow],
) -> None:
    """Mark each booking block whose booking overlaps a closure of its resource (or of the
    resource's site): it was kept when the closure came, and the board says so."""
    spans: dict[str, list[tuple[int, int]]] = {}
    site_of = {r.id: r.site_id for r in resources}
    for c in closures:
        if c.resource_id is not None:
            spans.setdefault(c.resource_id, []).append((c.start_s, c.end_s))
    for r in resources:
        for c in closures:
            if c.resource_id is None and c.site_id == site_of[r.id]:
                spans.setdefault(r.id, []).append((c.start_s, c.end_s))
    for rid, closed in spans.items():
        row = blocks.get(rid)
        if not row:
            continue
        blocks[rid] = [
            b._replace(in_closure=True) if b.kind == "booking" and any(
                s < b.end_s and b.start_s < e for s, e in closed) else b
            for b in row
        ]


def _ticks(first: date, days: int, first_minute: int, last_minute: int) -> list[BoardTick]:
    """Hour lines of a day board, or one tick per day of a week board."""
    if days == 1:
        shown = last_minute - first_minute
        return [
            BoardTick(f"{m // 60:02d}:00", round((m - first_minute) / shown * 100, 3), first)
            for m in range(first_minute, last_minute, 60)
        ]
    return [
        BoardTick(d.isoformat(), round(i / days * 100, 3), d)
        for i, d in enumerate(first + timedelta(days=k) for k in range(days))
    ]


def _now_left(cal: _Days, now: datetime, scale: float, first_minute: int) -> float | None:
    """Where `now` falls on the track, or None outside the window or the shown hours."""
    at = now.timestamp()
    i = bisect_right(cal.midnights, at) - 1
    if not 0 <= i < len(cal.steady):
        return None
    m = cal.minute(i, at)
    left = i * 100 / len(cal.steady) + (m - first_minute) * scale
    day_end = (i + 1) * 100 / len(cal.steady)
    return round(left, 3) if m >= first_minute and left < day_end else None
