"""A resource's month at a glance: per local day how much bookable time is free, or why none.

Pure, like `frontend.weekview`: it places the availability the service computed on a grid of
whole weeks (Monday first) around one calendar month, in the resource's local dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant, next_month, previous_month
from booking.domain.openinghours import OpeningRule
from booking.services.views import AvailabilityView
from frontend.weekview import monday_of

Day = date  # the type, for annotations inside classes that have a `date` field


@dataclass(frozen=True, slots=True)
class MonthDay:
    """One day of the grid. `state`: free (some bookable time), full (open but nothing left),
    closed (no opening hours, or a closure), past, notice (within the minimum notice) or far
    (beyond the horizon)."""

    date: date
    in_month: bool
    state: str
    free_minutes: int = 0
    closure: str | None = None
    is_today: bool = False

    @property
    def week(self) -> Day:
        """The Monday of this day's week (the week view to open)."""
        return monday_of(self.date)


@dataclass(frozen=True, slots=True)
class Month:
    first: date  # the 1st of the month shown
    weeks: list[list[MonthDay]]
    timezone: str

    @property
    def previous(self) -> date:
        return previous_month(self.first)

    @property
    def next(self) -> date:
        return next_month(self.first)

    @property
    def has_free(self) -> bool:
        return any(d.state == "free" and d.in_month for w in self.weeks for d in w)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_window(first: date, tz: str) -> Interval:
    """The grid's span as instants: the Monday on or before the 1st to the Monday after the
    month's last day (whole local weeks)."""
    start = monday_of(first)
    last = next_month(first) - timedelta(days=1)
    end = monday_of(last) + timedelta(days=7)
    return Interval(local_instant(tz, start, 0), local_instant(tz, end, 0))


def _day(day: date, tz: str) -> Interval:
    return Interval(local_instant(tz, day, 0), local_instant(tz, day + timedelta(days=1), 0))


def build_month(
    view: AvailabilityView, first: date, *, rules: Sequence[OpeningRule], now: datetime,
    reach: Interval,
) -> Month:
    """The grid of the month starting `first` from the availability over `month_window`;
    days before or after `reach` (notice and horizon: `booking.domain.availability.reach`) are
    marked too soon / too far."""
    tz = view.timezone
    today = local_date(now, tz)
    first_bookable = local_date(reach.start, tz)
    last_bookable = local_date(reach.end - timedelta(seconds=1), tz)
    window = month_window(first, tz)
    day, end = local_date(window.start, tz), local_date(window.end, tz)
    weeks: list[list[MonthDay]] = []
    while day < end:
        bounds = _day(day, tz)
        free = sum(
            int(part.duration.total_seconds() // 60)
            for f in view.free
            if (part := Interval(f.start, f.end).intersect(bounds)) is not None
        )
        closure = next((b.reason or "" for b in view.busy if b.kind == "closure"
                        and Interval(b.start, b.end).intersect(bounds) is not None), None)
        if free:
            state = "free"
        elif day < today:
            state = "past"
        elif day > last_bookable:
            state = "far"
        elif day < first_bookable:
            state = "notice"
        elif not any(r.applies_on(day) for r in rules) or closure is not None:
            state = "closed"
        else:
            state = "full"
        cell = MonthDay(day, day.month == first.month, state, free, closure, day == today)
        if day.isoweekday() == 1:
            weeks.append([])
        weeks[-1].append(cell)
        day += timedelta(days=1)
    return Month(first, weeks, tz)
