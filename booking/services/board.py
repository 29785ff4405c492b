"""The schedule board: every resource of a school × a day or a week, with bookings and closures
laid out as positioned blocks in the school's local time (the layout: `board_layout`).

Three set-based reads (resources, held claims, closures in the window) and one linear pass that
turns instants into positions.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from booking.db import board_store
from booking.domain import permissions
from booking.domain.errors import NotFound
from booking.domain.localtime import local_instant
from booking.domain.roles import Actor
from booking.services.board_layout import BoardView, layout


def first_day_of(day: date, days: int) -> date:
    """The first day a board of `days` days shows for `day`: the Monday of its week for 7."""
    return day - timedelta(days=day.weekday()) if days == 7 else day


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
    if not permissions.can_see_school_schedule(actor, school_id):
        raise NotFound("school")
    school = await board_store.load_school(school_id)
    if school is None:
        raise NotFound("school")
    tz = school.timezone
    first = first_day_of(day, days)
    window_start = local_instant(tz, first, 0)
    window_end = local_instant(tz, first + timedelta(days=days), 0)
    # Three independent reads, side by side on pooled connections (SQLite steps outside the GIL).
    resources, held, closures = await asyncio.gather(
        board_store.load_resources(school_id),
        board_store.load_held(school_id, window_start, window_end),
        board_store.load_closures(school_id, window_start, window_end),
    )
    return layout(
        school_id, school.name, tz, first, days, resources, held, closures, now
    )
