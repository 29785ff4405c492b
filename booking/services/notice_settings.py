"""A person's notification choices: reminders before bookings, the managers' daily digest.

`update_choices` is the notifications part of `PATCH /api/v1/me` (the account part — name,
language, password — lives in its own service); each handles only its own fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from booking.db import notify_store
from booking.domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class NoticeChoices:
    reminders: bool
    """A mail 24 h before each booking starts (default on)."""
    digest: bool
    """Facility managers: new requests and cancellations in one mail a day (default off)."""


async def get_choices(user_id: str) -> NoticeChoices:
    found = await notify_store.notice_choices(user_id)
    if found is None:
        raise NotFound("no such user")
    return NoticeChoices(*found)


async def update_choices(
    user_id: str, *, reminders: bool | None = None, digest: bool | None = None
) -> NoticeChoices:
    """Set what is given (None keeps the current choice); returns the choices now held."""
    if reminders is not None or digest is not None:
        await notify_store.set_notice_choices(user_id, reminders, digest)
    return await get_choices(user_id)
