"""The schedule board by month: per resource and local day, how many bookings hold it and
whether it is closed, read with the week board's three set-based queries."""

from __future__ import annotations

import asyncio
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from booking.db import board_store
from booking.domain import permissions
from booking.domain.errors import NotFound
from booking.domain.localtime import local_instant, next_month, previous_month
from booking.domain.roles import Actor
from booking.services.board_layout import order_rows


@dataclass(frozen=True, slots=True)
class MonthCell:
    """One resource's local day: confirmed and pending bookings starting or running that day,
    and the reason of a closure touching it (None: not closed)."""

    confirmed: int = 0
    pending: int = 0
    closure: str | None = None


@dataclass(frozen=True, slots=True)
class MonthRow:
    resource_id: str
    name: str
    depth: int  # 1: equipment inside the lab above
    cells: list[MonthCell]


@dataclass(frozen=True, slots=True)
class MonthGroup:
    site_id: str
    site_name: str
    rows: list[MonthRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MonthBoard:
    school_id: str
    school_name: str
    timezone: str
    first_day: date  # the 1st of the month
    days: list[date]
    groups: list[MonthGroup]
    confirmed: int
    pending: int

    @property
    def previous(self) -> date:
        return previous_month(self.first_day)

    @property
    def next(self) -> date:
        return next_month(self.first_day)


async def month_board(actor: Actor, school_id: str, day: date) -> MonthBoard:
    """The board of the local calendar month holding `day`, in the zone of the school's first
    site. NotFound when the school does not exist or the actor may not see its board."""
    if not permissions.can_see_school_schedule(actor, school_id):
        raise NotFound("school")
    school = await board_store.load_school(school_id)
    if school is None:
        raise NotFound("school")
    tz = school.timezone
    first = day.replace(day=1)
    after = next_month(first)
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    start, end = local_instant(tz, first, 0), local_instant(tz, after, 0)
    resources, held, closures = await asyncio.gather(
        board_store.load_resources(school_id),
        board_store.load_held(school_id, start, end),
        board_store.load_closures(school_id, start, end),
    )
    midnights = [int(local_instant(tz, d, 0).timestamp()) for d in [*days, after]]

    def spanned(start_s: int, end_s: int) -> range:
        """Indexes of the month's days that `[start_s, end_s)` touches."""
        lo = max(bisect_right(midnights, start_s) - 1, 0)
        hi = min(bisect_left(midnights, end_s) - 1, len(days) - 1)
        return range(lo, hi + 1)

    counts: dict[str, list[list[int]]] = {}
    seen: set[tuple[str, str, int]] = set()
    confirmed: set[str] = set()
    pending: set[str] = set()
    for h in held:
        row = counts.setdefault(h.resource_id, [[0, 0] for _ in days])
        for i in spanned(h.start_s, h.end_s):
            if (h.resource_id, h.booking_id, i) in seen:
                continue
            seen.add((h.resource_id, h.booking_id, i))
            row[i][1 if h.status == "pending" else 0] += 1
        (pending if h.status == "pending" else confirmed).add(h.booking_id)
    closed: dict[str, dict[int, str]] = {}
    for c in closures:
        key = c.resource_id or f"site:{c.site_id}"
        for i in spanned(c.start_s, c.end_s):
            closed.setdefault(key, {}).setdefault(i, c.reason)
    groups: dict[str, MonthGroup] = {}
    for r in resources:
        groups.setdefault(r.site_id, MonthGroup(r.site_id, r.site_name))
    for site_id, group in groups.items():
        for r, depth in order_rows([x for x in resources if x.site_id == site_id]):
            mine, site = closed.get(r.id, {}), closed.get(f"site:{site_id}", {})
            cells = [
                MonthCell(n[0], n[1], mine.get(i, site.get(i)))
                for i, n in enumerate(counts.get(r.id, [[0, 0] for _ in days]))
            ]
            group.rows.append(MonthRow(r.id, r.name, depth, cells))
    return MonthBoard(school_id, school.name, tz, first, days, list(groups.values()),
                      len(confirmed), len(pending))
