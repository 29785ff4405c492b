"""Load the Actor a request acts as, from a user id (the API calls this per request)."""

from __future__ import annotations

from datetime import UTC, datetime

from booking.db import actor_store
from booking.domain.organisations import partnership_day
from booking.domain.roles import ANONYMOUS, Actor


async def load_actor(user_id: str | None, now: datetime | None = None) -> Actor:
    """The user's memberships, partnerships valid at `now` (default: the system clock) and
    regions; ANONYMOUS for None, an unknown or an inactive user. One batch of reads (see
    `actor_store.actor_rows`)."""
    if user_id is None:
        return ANONYMOUS
    rows = await actor_store.actor_rows(user_id, partnership_day(now or datetime.now(UTC)))
    if rows is None:
        return ANONYMOUS
    return Actor(
        user_id=user_id,
        memberships=tuple(rows.memberships),
        partner_of=frozenset(school for _, school in rows.partnerships),
        region_schools=rows.region_schools,
        partnerships=rows.partnerships,
    )
