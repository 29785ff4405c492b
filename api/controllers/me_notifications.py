"""A person's notification choices: `PATCH /api/v1/me {"reminders", "digest"}`, and
`GET /api/v1/me/notifications` to read them.

The account fields of `PATCH /api/v1/me` (name, locale, password) are another service's; when
both handlers meet, one handler takes the union of the fields and calls
`notice_settings.update_choices` for these two.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get, patch

from api.schemas import problems
from booking.domain.roles import Actor
from booking.services import notice_settings
from booking.services.notice_settings import NoticeChoices

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class NoticeChoicesPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    reminders: Annotated[bool | None, msgspec.Meta(
        description="A mail 24 h before each booking starts")] = None
    digest: Annotated[bool | None, msgspec.Meta(
        description="Facility managers: one mail a day instead of one per request")] = None


class NoticeChoicesOut(msgspec.Struct):
    reminders: bool
    digest: bool


def choices_out(c: NoticeChoices) -> NoticeChoicesOut:
    return NoticeChoicesOut(reminders=c.reminders, digest=c.digest)


@patch("/api/v1/me", tags=["auth"], security=SECURITY, responses=problems(401, 403, 422))
async def update_notice_choices(member: Actor, data: NoticeChoicesPatch) -> NoticeChoicesOut:
    """Turn reminders or the daily digest on or off; answers the choices now held."""
    assert member.user_id is not None
    return choices_out(await notice_settings.update_choices(
        member.user_id, reminders=data.reminders, digest=data.digest))


@get("/api/v1/me/notifications", tags=["auth"], security=SECURITY, responses=problems(401))
async def get_notice_choices(member: Actor) -> NoticeChoicesOut:
    """Whether reminders and the daily digest are on."""
    assert member.user_id is not None
    return choices_out(await notice_settings.get_choices(member.user_id))


ROUTES: list[Any] = [update_notice_choices, get_notice_choices]
