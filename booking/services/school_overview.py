"""A school's overview: its resources per site in board order, closures and resource counts."""

from __future__ import annotations

from datetime import datetime

from booking.db import board_store
from booking.db.board_store import ResourceLine
from booking.domain import permissions
from booking.domain.errors import NotFound
from booking.domain.roles import Actor
from booking.services.board_layout import order_rows
from booking.services.views import ClosureView


async def school_closures(
    actor: Actor, school_id: str, start: datetime, end: datetime
) -> list[ClosureView]:
    """Closures of the school's resources and sites overlapping `[start, end)`, by start, shown
    in the school's zone. Raises NotFound as `board.board` does."""
    if not permissions.can_see_school_schedule(actor, school_id):
        raise NotFound("school")
    school = await board_store.load_school(school_id)
    if school is None:
        raise NotFound("school")
    return [
        ClosureView(c.id, c.resource_id, c.site_id, c.start, c.end, c.reason, c.kind,
                    school.timezone)
        for c in await board_store.load_closures(school_id, start, end)
    ]


async def resource_counts(actor: Actor, school_ids: list[str]) -> dict[str, int]:
    """Resources per school, for the schools the actor may see reports of (others left out)."""
    allowed = [s for s in school_ids if permissions.can_see_reports(actor, s)]
    return await board_store.resource_counts(allowed)



async def resource_lines(actor: Actor, school_id: str) -> dict[str, list[ResourceLine]]:
    """The school's resources per site in board order (each lab followed by its equipment,
    then loose equipment), in one read. Raises NotFound as `board.board` does."""
    if not permissions.can_see_school_schedule(actor, school_id):
        raise NotFound("school")
    by_site: dict[str, list[ResourceLine]] = {}
    for line in await board_store.load_resource_lines(school_id):
        by_site.setdefault(line.site_id, []).append(line)
    return {site: [r for r, _ in order_rows(lines)] for site, lines in by_site.items()}
