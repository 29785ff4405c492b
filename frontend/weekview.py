"""A resource's week of free and busy time, laid out in local wall-clock time for the week grid.

Pure: it takes the availability the service computed and only places it on the page. Days are
the resource's local dates; a block's position is its local wall-clock minute, so the week of a
DST change shows 08:00 opening at 08:00 on both sides of the change. Free windows are cut at
local whole hours so that each hour is a link to the booking form starting there.

Opening hours that cannot be booked only because of *when* you look — already over, inside the
minimum notice, beyond the booking horizon — are drawn as `past` / `notice` / `far` blocks
underneath the busy time, so an open day in the past never reads as "closed".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant, zone
from booking.domain.openinghours import OpeningRule
from booking.services.views import AvailabilityView

DAYS = 7
OUT_OF_REACH = ("past", "notice", "far")
DEFAULT_HOURS = (8 * 60, 18 * 60)
PREFERRED_MINUTES = 120


@dataclass(frozen=True, slots=True)
class Block:
    """One thing on a day, placed by local minutes: `kind` free | booking | closure, or, for
    opening hours out of reach, past | notice | far (drawn first, underneath)."""

    kind: str
    start: datetime
    end: datetime
    top: int  # local minute of the day where it is drawn from
    bottom: int  # local minute where it is drawn to (1440 = midnight)
    reason: str | None = None
    href: str | None = None  # free pieces: the prefilled booking form


@dataclass(frozen=True, slots=True)
class Day:
    date: date
    blocks: list[Block]
    is_today: bool = False

    @property
    def free_count(self) -> int:
        return sum(1 for b in self.blocks if b.href)

    @property
    def is_closed(self) -> bool:
        """Nothing to draw: no opening hours (or nothing left of them) on this day."""
        return not self.blocks


@dataclass(frozen=True, slots=True)
class Week:
    monday: date
    days: list[Day]
    first_minute: int
    last_minute: int
    timezone: str

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=DAYS)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=DAYS)

    @property
    def hours(self) -> list[int]:
        """The whole hours drawn on the grid's scale."""
        return list(range(self.first_minute // 60, self.last_minute // 60 + 1))

    @property
    def span(self) -> int:
        return max(self.last_minute - self.first_minute, 60)

    @property
    def has_free(self) -> bool:
        return any(d.free_count for d in self.days)

    @property
    def out_of_reach(self) -> set[str]:
        """Which of past | notice | far appear this week (for the legend)."""
        return {b.kind for d in self.days for b in d.blocks if b.kind in OUT_OF_REACH}


def monday_of(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def week_window(monday: date, tz: str) -> Interval:
    """Local Monday 00:00 to the next Monday 00:00 as UTC instants (167, 168 or 169 hours)."""
    end = local_instant(tz, monday + timedelta(days=DAYS), 0)
    return Interval(local_instant(tz, monday, 0), end)


def _wall_minute(at: datetime, tz: str) -> int:
    local = at.astimezone(zone(tz))
    return local.hour * 60 + local.minute


def _day_bounds(day: date, tz: str) -> Interval:
    return Interval(local_instant(tz, day, 0), local_instant(tz, day + timedelta(days=1), 0))


def _place(iv: Interval, day: date, tz: str) -> tuple[int, int] | None:
    part = iv.intersect(_day_bounds(day, tz))
    if part is None or part.is_empty:
        return None
    top = _wall_minute(part.start, tz)
    bottom = 24 * 60 if local_date(part.end, tz) != day else _wall_minute(part.end, tz)
    return top, max(bottom, top)


def _hour_pieces(window: Interval, tz: str) -> list[Interval]:
    """`window` cut at the local whole hours inside it."""
    pieces: list[Interval] = []
    start = window.start
    while start < window.end:
        local = start.astimezone(zone(tz))
        next_hour = (local.hour + 1) * 60
        cut = local_instant(tz, local.date(), next_hour)
        if cut <= start:  # inside a repeated autumn hour: step in real time
            cut = start + timedelta(hours=1)
        end = min(cut, window.end)
        pieces.append(Interval(start, end))
        start = end
    return pieces


def booking_link(
    resource_id: str, start: datetime, window_end: datetime, tz: str,
    min_minutes: int, max_minutes: int,
) -> str | None:
    """The booking form for a booking starting at `start` inside a free window ending at
    `window_end`: the preferred length, shortened to the window, or None when too short."""
    preferred = min(max(PREFERRED_MINUTES, min_minutes), max_minutes)
    end = min(start + timedelta(minutes=preferred), window_end)
    if end - start < timedelta(minutes=min_minutes):
        return None
    local_start, local_end = start.astimezone(zone(tz)), end.astimezone(zone(tz))
    query = {
        "resource": resource_id,
        "date": local_start.date().isoformat(),
        "start": local_start.strftime("%H:%M"),
        "end": local_end.strftime("%H:%M") if local_end.date() == local_start.date() else "24:00",
    }
    return "/book?" + urlencode(query)


def _range(
    rules: Sequence[OpeningRule], days: list[date], placed: list[tuple[int, int]]
) -> tuple[int, int]:
    minutes = [
        (r.opens.hour * 60 + r.opens.minute,
         24 * 60 if r.closes == time(0) else r.closes.hour * 60 + r.closes.minute)
        for r in rules for d in days if r.applies_on(d)
    ] + placed
    if not minutes:
        return DEFAULT_HOURS
    first = min(m[0] for m in minutes) // 60 * 60
    last = -(-max(m[1] for m in minutes) // 60) * 60
    return first, max(last, first + 60)


def _opening(rules: Sequence[OpeningRule], day: date, tz: str) -> list[Interval]:
    """The day's opening hours as instants (a closing time of 00:00 is the next midnight)."""
    spans: list[Interval] = []
    for rule in rules:
        if not rule.applies_on(day):
            continue
        opens = rule.opens.hour * 60 + rule.opens.minute
        closes = 24 * 60 if rule.closes == time(0) else rule.closes.hour * 60 + rule.closes.minute
        start, end = local_instant(tz, day, opens), local_instant(tz, day, closes)
        if start < end:
            spans.append(Interval(start, end))
    return spans


def _out_of_reach(
    spans: Sequence[Interval], now: datetime, reach: Interval | None
) -> list[tuple[str, Interval]]:
    """The parts of opening hours that are over (`past`), before the start of `reach` (the
    domain's notice: `notice`) or after its end (its horizon: `far`)."""
    earliest = reach.start if reach is not None else now
    latest = reach.end if reach is not None else None
    found: list[tuple[str, Interval]] = []
    for span in spans:
        for kind, lo, hi in (
            ("past", span.start, min(span.end, now)),
            ("notice", max(span.start, now), min(span.end, earliest)),
            ("far", max(span.start, latest) if latest else span.end, span.end),
        ):
            if lo < hi:
                found.append((kind, Interval(lo, hi)))
    return found


def build_week(
    view: AvailabilityView,
    monday: date,
    *,
    rules: Sequence[OpeningRule] = (),
    now: datetime,
    min_minutes: int,
    max_minutes: int,
    reach: Interval | None = None,
) -> Week:
    """The grid for the local week starting `monday`, from the availability of that week;
    opening hours (`rules`) out of reach because of `now` or outside `reach` (notice and
    horizon: `booking.domain.availability.reach`) are marked as such rather than left blank."""
    tz = view.timezone
    days = [monday + timedelta(days=i) for i in range(DAYS)]
    today = local_date(now, tz)
    per_day: dict[date, list[Block]] = {d: [] for d in days}
    placed: list[tuple[int, int]] = []
    for day in days:
        for kind, iv in _out_of_reach(_opening(rules, day, tz), now, reach):
            spot = _place(iv, day, tz)
            if spot is not None:
                per_day[day].append(Block(kind, iv.start, iv.end, *spot))
    for free in view.free:
        for piece in _hour_pieces(Interval(free.start, free.end), tz):
            day = local_date(piece.start, tz)
            spot = _place(piece, day, tz) if day in per_day else None
            if spot is None:
                continue
            link = booking_link(
                view.resource_id, piece.start, free.end, tz, min_minutes, max_minutes
            )
            per_day[day].append(Block("free", piece.start, piece.end, *spot, href=link))
            placed.append(spot)
    for held in view.busy:
        iv = Interval(held.start, held.end)
        for day in days:
            spot = _place(iv, day, tz)
            if spot is None:
                continue
            per_day[day].append(Block(held.kind, held.start, held.end, *spot, reason=held.reason))
            if held.kind == "booking":
                placed.append(spot)
    first, last = _range(rules, days, placed)
    result: list[Day] = []
    for day in days:
        shown = [
            Block(b.kind, b.start, b.end, max(b.top, first), min(b.bottom, last), b.reason, b.href)
            for b in sorted(per_day[day], key=lambda b: (b.kind not in OUT_OF_REACH, b.top, b.kind))
            if b.bottom > first and b.top < last
        ]
        result.append(Day(day, shown, is_today=day == today))
    return Week(monday, result, first, last, tz)


@dataclass(frozen=True, slots=True)
class OpeningLine:
    """Consecutive weekdays (1 = Monday) that share the same opening hours ("HH:MM–HH:MM")."""

    first: int
    last: int
    spans: tuple[str, ...]


def opening_lines(rules: Sequence[OpeningRule], monday: date) -> list[OpeningLine]:
    """The weekly rules that apply in the week of `monday`, grouped for display:
    "ma–do 08:00–17:00, 18:00–22:00", "vr 08:00–17:00"."""
    def hhmm(t: time, closing: bool = False) -> str:
        return "24:00" if closing and t == time(0) else t.strftime("%H:%M")

    per_day: dict[int, tuple[str, ...]] = {}
    for offset in range(DAYS):
        day = monday + timedelta(days=offset)
        hours = sorted(
            (r.opens, r.closes) for r in rules if r.applies_on(day)
        )
        if hours:
            per_day[day.isoweekday()] = tuple(f"{hhmm(o)}–{hhmm(c, True)}" for o, c in hours)
    lines: list[OpeningLine] = []
    for weekday in sorted(per_day):
        spans = per_day[weekday]
        if lines and lines[-1].spans == spans and lines[-1].last == weekday - 1:
            lines[-1] = OpeningLine(lines[-1].first, weekday, spans)
        else:
            lines.append(OpeningLine(weekday, weekday, spans))
    return lines
