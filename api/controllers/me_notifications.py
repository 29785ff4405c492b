"""A person's notification choices: `GET /api/v1/me/notifications` reads them.

They are set with `PATCH /api/v1/me {"reminders", "digest"}`, whose one handler (api/controllers/
me.py) takes them beside the account fields and calls `notice_settings.update_choices`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get

from api.schemas import problems
from booking.domain.roles import Actor
from booking.services import notice_settings
from booking.services.notice_settings import NoticeChoices

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class NoticeChoicesOut(msgspec.Struct):
    reminders: bool
    digest: bool


def choices_out(c: NoticeChoices) -> NoticeChoicesOut:
    return NoticeChoicesOut(reminders=c.reminders, digest=c.digest)


@get("/api/v1/me/notifications", tags=["auth"], security=SECURITY, responses=problems(401))
async def get_notice_choices(member: Actor) -> NoticeChoicesOut:
    """Whether reminders and the daily digest are on."""
    assert member.user_id is not None
    return choices_out(await notice_settings.get_choices(member.user_id))


ROUTES: list[Any] = [get_notice_choices]
