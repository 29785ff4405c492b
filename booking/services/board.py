"""The schedule board: every resource of a school × a day or a week, with bookings and closures
laid out as positioned blocks in the school's local time.

Three set-based reads (resources, held claims, closures in the window) and one linear pass that
turns instants into positions. Positions follow the wall clock of each day: a booking at 09:00
sits under the 09:00 line on the Saturday before and the Sunday of a DST change alike, and the
repeated October hour is drawn once. All positions are percentages of a row's track, which
spans every day of the window side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.db import board_store
from booking.db.board_store import ClosureRow, HeldRow, ResourceRow
from booking.domain.errors import NotFound
from booking.domain.localtime import local_date, local_instant, zone
from booking.domain.roles import Actor

DEFAULT_FIRST_MINUTE = 7 * 60
DEFAULT_LAST_MINUTE = 20 * 60
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class BoardBlock:
    """A booking or closure piece within one day of the board.

    `left`/`width` are percentages of the row track; `starts_before`/`ends_after` say the item
    continues beyond this piece (another day, or outside the shown hours). `start`/`end` are the
    whole item's UTC instants.
    """

    kind: str  # booking | closure
    left: float
    width: float
    start: datetime
    end: datetime
    local_start: str  # "HH:MM" in the board's zone, of the whole item
    local_end: str
    label: str  # company name, or the closure's reason
    status: str  # pending | confirmed, or the closure kind (closure, holiday, timetable, …)
    booking_id: str | None = None
    title: str = ""
    participants: int = 0
    implied: bool = False  # held because the whole lab around this equipment was booked
    starts_before: bool = False
    ends_after: bool = False


@dataclass(frozen=True, slots=True)
class BoardRow:
    resource_id: str
    name: str
    kind: str  # lab | equipment
    depth: int  # 0 lab or loose equipment, 1 equipment inside a lab
    capacity: int
    blocks: list[BoardBlock] = field(default_factory=list)


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


def first_day_of(day: date, days: int) -> date:
    """The first day a board of `days` days shows for `day`: the Monday of its week for 7."""
    return day - timedelta(days=day.weekday()) if days == 7 else day


def may_view_board(actor: Actor, school_id: str) -> bool:
    """Facility managers and staff of the school, and platform admins, see its board."""
    return actor.is_admin or school_id in actor.staff_school_ids


async def board(
    actor: Actor, school_id: str, day: date, days: int, now: datetime
) -> BoardView:
    """The board of `school_id` for `days` (1 or 7) local days from `day` (a week starts on
    Monday), in the time zone of the school's first site.

    Raises NotFound when the school does not exist or the actor may not see it, ValueError for
    another number of days.
    """
    if days not in (1, 7):
        raise ValueError("a board shows 1 or 7 days")
    if not may_view_board(actor, school_id):
        raise NotFound("school")
    school = await board_store.load_school(school_id)
    if school is None:
        raise NotFound("school")
    tz = school.timezone
    first = first_day_of(day, days)
    window_start = local_instant(tz, first, 0)
    window_end = local_instant(tz, first + timedelta(days=days), 0)
    resources = await board_store.load_resources(school_id)
    held = await board_store.load_held(school_id, window_start, window_end)
    closures = await board_store.load_closures(school_id, window_start, window_end)
    return layout(
        school_id, school.name, tz, first, days, resources, held, closures, now
    )


class _Days:
    """Per-day local midnights of the window and a fast instant → local-minute conversion."""

    def __init__(self, tz: str, first: date, days: int) -> None:
        self.tz = tz
        self.first = first
        self.midnights = [
            local_instant(tz, first + timedelta(days=i), 0).timestamp() for i in range(days + 1)
        ]
        info = zone(tz)
        offsets = [
            datetime.fromtimestamp(m, info).utcoffset() for m in self.midnights
        ]
        self.steady = [offsets[i] == offsets[i + 1] for i in range(days)]

    def minute(self, index: int, at: float) -> float:
        """Local minutes since midnight of day `index` at epoch `at` (up to 1440 at its end)."""
        start = self.midnights[index]
        if self.steady[index] or at >= self.midnights[index + 1]:
            return min((at - start) / 60, MINUTES_PER_DAY)
        local = datetime.fromtimestamp(at, zone(self.tz))
        return local.hour * 60 + local.minute + local.second / 60

    def span(self, start: float, end: float) -> Iterable[tuple[int, float, float]]:
        """`(day, local start minute, local end minute)` for each day `[start, end)` touches."""
        mids = self.midnights
        for i in range(len(mids) - 1):
            if start < mids[i + 1] and end > mids[i]:
                lo = self.minute(i, max(start, mids[i]))
                hi = self.minute(i, min(end, mids[i + 1]))
                yield i, lo, max(hi, lo)


def _hhmm(at: datetime, tz: str) -> str:
    local = at.astimezone(zone(tz))
    return f"{local.hour:02d}:{local.minute:02d}"


def shown_minutes(pieces: Iterable[tuple[float, float]]) -> tuple[int, int]:
    """The shown hours of each day: 07:00–20:00 widened to whole hours around every booking."""
    first, last = DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE
    for lo, hi in pieces:
        first = min(first, int(lo // 60) * 60)
        last = max(last, min(MINUTES_PER_DAY, int(-(-hi // 60)) * 60))
    return first, last


def order_rows(resources: list[ResourceRow]) -> list[tuple[ResourceRow, int]]:
    """Resources of one site in board order: each lab followed by its equipment (depth 1), then
    equipment without a lab of this site; labs and equipment by name."""
    ids = {r.id for r in resources}
    children: dict[str, list[ResourceRow]] = {}
    for r in resources:
        if r.parent_id is not None and r.parent_id in ids:
            children.setdefault(r.parent_id, []).append(r)
    ordered: list[tuple[ResourceRow, int]] = []
    loose: list[ResourceRow] = []
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
    """Position held time and closures on the board (pure; the rows come from the store)."""
    cal = _Days(tz, first, days)
    held_pieces = [
        (h, i, lo, hi)
        for h in held
        for i, lo, hi in cal.span(h.start.timestamp(), h.end.timestamp())
    ]
    first_minute, last_minute = shown_minutes((lo, hi) for _, _, lo, hi in held_pieces)
    shown = last_minute - first_minute

    def place(i: int, lo: float, hi: float) -> tuple[float, float, bool, bool] | None:
        a, b = max(lo, first_minute), min(hi, last_minute)
        if b <= a:
            return None
        left = (i + (a - first_minute) / shown) / days * 100
        width = max((b - a) / shown / days * 100, 0.0)
        return round(left, 4), round(width, 4), lo < first_minute, hi > last_minute

    blocks: dict[str, list[BoardBlock]] = {r.id: [] for r in resources}
    pending: set[str] = set()
    confirmed: set[str] = set()
    for h, i, lo, hi in held_pieces:
        spot = place(i, lo, hi)
        if spot is None or h.resource_id not in blocks:
            continue
        (pending if h.status == "pending" else confirmed).add(h.booking_id)
        left, width, cut_lo, cut_hi = spot
        blocks[h.resource_id].append(BoardBlock(
            "booking", left, width, h.start, h.end, _hhmm(h.start, tz), _hhmm(h.end, tz),
            h.organisation_name, h.status, h.booking_id, h.title, h.students + h.employees,
            not h.direct, cut_lo or h.start.timestamp() < cal.midnights[i],
            cut_hi or h.end.timestamp() > cal.midnights[i + 1],
        ))

    site_closures: dict[str, list[BoardBlock]] = {}
    for c in closures:
        start_s, end_s = c.start.timestamp(), c.end.timestamp()
        for i, lo, hi in cal.span(start_s, end_s):
            spot = place(i, lo, hi)
            if spot is None:
                continue
            left, width, cut_lo, cut_hi = spot
            block = BoardBlock(
                "closure", left, width, c.start, c.end, _hhmm(c.start, tz), _hhmm(c.end, tz),
                c.reason, c.kind,
                starts_before=cut_lo or start_s < cal.midnights[i],
                ends_after=cut_hi or end_s > cal.midnights[i + 1],
            )
            if c.resource_id is not None:
                if c.resource_id in blocks:
                    blocks[c.resource_id].append(block)
            elif c.site_id is not None:
                site_closures.setdefault(c.site_id, []).append(block)

    by_site: dict[str, list[ResourceRow]] = {}
    for r in resources:
        by_site.setdefault(r.site_id, []).append(r)
    groups = [
        BoardGroup(
            site_id, rows[0].site_name,
            [
                BoardRow(r.id, r.name, r.kind, depth, r.capacity,
                         sorted(blocks[r.id], key=lambda b: (b.kind != "closure", b.left)))
                for r, depth in order_rows(rows)
            ],
            site_closures.get(site_id, []),
        )
        for site_id, rows in by_site.items()
    ]

    if days == 1:
        ticks = [
            BoardTick(f"{m // 60:02d}:00", round((m - first_minute) / shown * 100, 4), first)
            for m in range(first_minute, last_minute, 60)
        ]
    else:
        ticks = [
            BoardTick(d.isoformat(), round(i / days * 100, 4), d)
            for i, d in enumerate(first + timedelta(days=k) for k in range(days))
        ]
    now_left: float | None = None
    now_s = now.timestamp()
    if cal.midnights[0] <= now_s < cal.midnights[-1]:
        index = (local_date(now, tz) - first).days
        if 0 <= index < days:
            m = cal.minute(index, now_s)
            if first_minute <= m < last_minute:
                now_left = round((index + (m - first_minute) / shown) / days * 100, 4)

    closure_ids = {c.id for c in closures}
    return BoardView(
        school_id, school_name, tz, first, days, first_minute, last_minute, groups, ticks,
        now_left, len(pending), len(confirmed - pending), len(closure_ids), len(resources),
    )
