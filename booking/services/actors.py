"""Load the Actor a request acts as, from a user id (the API calls this per request)."""

from __future__ import annotations

from booking.db import actor_store
from booking.domain.roles import ANONYMOUS, Actor, Role


async def load_actor(user_id: str | None) -> Actor:
    """The user's memberships, partnerships and regions; ANONYMOUS for None, an unknown or an
    inactive user."""
    if user_id is None or not await actor_store.is_active_user(user_id):
        return ANONYMOUS
    memberships = tuple(await actor_store.memberships(user_id))
    companies = sorted({m.organisation_id for m in memberships if m.role is Role.BOOKER})
    regions = sorted({m.organisation_id for m in memberships if m.role is Role.COORDINATOR})
    pairs = await actor_store.partnerships(companies)
    return Actor(
        user_id=user_id,
        memberships=memberships,
        partner_of=frozenset(school for _, school in pairs),
        region_schools=await actor_store.region_schools(regions),
        partnerships=pairs,
    )
