"""Calendar imports: ICS timetables and holidays of a site or resource (facility managers).

`POST` and `POST …/refresh` fetch at once (with a timeout) and answer the new status; a failed
fetch keeps the closures of the last good one and says why in `last_error`. An address that is
not public, or a calendar without a usable event, is refused with 422 and nothing is stored.
Answers carry `skipped` (events left out, with a reason in the caller's language) and
`conflicts` (active bookings the import's closures cover; imports never cancel them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.deps import request_locale
from api.schemas import UUIDStr, problems
from booking.domain.roles import Actor
from booking.i18n import DEFAULT_LOCALE, translations
from booking.ical import SKIP_MESSAGES
from booking.services import imports
from booking.services.imports import ImportView
from booking.timefmt import to_local

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
MAX_UPLOAD = 12 * 1024 * 1024  # a 5 MB calendar, JSON-escaped


class ImportIn(msgspec.Struct, forbid_unknown_fields=True):
    """Exactly one of `resource_id`/`site_id` and one of `url` (http(s) or webcal) / `ics`."""

    kind: Literal["timetable", "holidays"]
    resource_id: UUIDStr | None = None
    site_id: UUIDStr | None = None
    url: str | None = None
    ics: str | None = None


class SkippedOut(msgspec.Struct):
    """An event of the source that was left out: its UID, a stable code, a sentence."""

    uid: str
    code: str  # unreadable | no_start | no_end | ends_before_start | empty | unknown_timezone |
    # rule_too_fine | absurd_date | unexpandable
    reason: str


class ImportConflictOut(msgspec.Struct):
    """An active booking (occurrence) on a resource that the import's closures cover."""

    booking_id: str
    resource_id: str
    start: datetime
    end: datetime


class ImportOut(msgspec.Struct):
    id: str
    status: str  # ok | error | pending
    last_fetched_at: datetime | None
    last_error: str | None
    events: int
    kind: str
    school_id: str
    resource_id: str | None
    site_id: str | None
    url: str | None
    uploaded: bool
    last_success_at: datetime | None
    next_fetch_at: datetime | None
    created_at: datetime
    skipped: list[SkippedOut] = msgspec.field(default_factory=list)
    conflicts: list[ImportConflictOut] = msgspec.field(default_factory=list)


class ImportList(msgspec.Struct):
    items: list[ImportOut]
    next_cursor: str | None = None


def _t(at: datetime | None, tz: str) -> datetime | None:
    return None if at is None else to_local(at, tz)


def skip_reason(code: str, locale: str) -> str:
    """Why an event was skipped, in `locale`."""
    return translations(locale).gettext(SKIP_MESSAGES.get(code, code))


def import_out(v: ImportView, locale: str = DEFAULT_LOCALE) -> ImportOut:
    tz = v.timezone
    return ImportOut(
        id=v.id, status=v.status, last_fetched_at=_t(v.last_fetched_at, tz),
        last_error=v.last_error, events=v.events, kind=v.kind, school_id=v.school_id,
        resource_id=v.resource_id, site_id=v.site_id, url=v.url, uploaded=v.uploaded,
        last_success_at=_t(v.last_success_at, tz), next_fetch_at=_t(v.next_fetch_at, tz),
        created_at=to_local(v.created_at, tz),
        skipped=[SkippedOut(uid, code, skip_reason(code, locale)) for uid, code in v.skipped],
        conflicts=[
            ImportConflictOut(c.booking_id, c.resource_id, to_local(c.start, tz),
                              to_local(c.end, tz))
            for c in v.conflicts
        ],
    )


_ONE = {200: ResponseSpec(ImportOut, description="The source and its status")}


@post("/api/v1/calendar-imports", tags=["calendars"], security=SECURITY, status_code=201,
      request_max_body_size=MAX_UPLOAD,
      responses={201: ResponseSpec(ImportOut, description="Created and fetched once"),
                 **problems(401, 403, 404, 422)})
async def create_import(
    request: Request[Any, Any, Any], member: Actor, now: datetime, data: ImportIn
) -> ImportOut:
    """Attach an ICS URL or upload to a resource or site; fetched at once (an upload of more
    than 500 events or 256 KB is read by the background job: status `pending`). 422, with
    nothing stored, for an address that is not public (loopback, private, link-local,
    metadata, multicast, reserved) or a calendar without a usable event."""
    view = await imports.create_import(
        member, kind=data.kind, now=now, resource_id=data.resource_id, site_id=data.site_id,
        url=data.url, ics=data.ics,
    )
    return import_out(view, request_locale(request))


@get("/api/v1/calendar-imports", tags=["calendars"], security=SECURITY,
     responses=problems(401, 403))
async def list_imports(
    request: Request[Any, Any, Any], member: Actor,
    school: Annotated[UUID | None, Parameter(description="One school only")] = None,
) -> ImportList:
    """The sources of the schools you manage, with their status, skipped events and conflicts."""
    views = await imports.list_imports(member, school_id=None if school is None else str(school))
    locale = request_locale(request)
    return ImportList([import_out(v, locale) for v in views])


@get("/api/v1/calendar-imports/{import_id:uuid}", tags=["calendars"], security=SECURITY,
     responses={**_ONE, **problems(401, 404)})
async def get_import(request: Request[Any, Any, Any], member: Actor, import_id: UUID) -> ImportOut:
    """One source with its status, skipped events and conflicts."""
    return import_out(await imports.get_import(member, str(import_id)), request_locale(request))


@post("/api/v1/calendar-imports/{import_id:uuid}/refresh", tags=["calendars"],
      security=SECURITY, status_code=200, responses={**_ONE, **problems(401, 404, 422)})
async def refresh_import(
    request: Request[Any, Any, Any], member: Actor, now: datetime, import_id: UUID,
    force: Annotated[bool, Parameter(description=(
        "Accept a source that became empty or much smaller (otherwise refused as suspicious)"
    ))] = False,
) -> ImportOut:
    """Fetch now and answer the new status; 422 (nothing changed) when the address, or a
    redirect, is no longer public."""
    view = await imports.refresh_import(member, str(import_id), now, force=force)
    return import_out(view, request_locale(request))


@delete("/api/v1/calendar-imports/{import_id:uuid}", tags=["calendars"], security=SECURITY,
        status_code=204, responses=problems(401, 404))
async def delete_import(member: Actor, import_id: UUID) -> None:
    """Remove the source and every closure it made."""
    await imports.delete_import(member, str(import_id))


ROUTES: list[Any] = [create_import, list_imports, get_import, refresh_import, delete_import]
