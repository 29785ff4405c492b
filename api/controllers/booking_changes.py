"""Changing bookings: PATCH a booking (If-Match required), cancel or move one occurrence."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, patch, post
from litestar.openapi.datastructures import ResponseSpec

from api.controllers.bookings import (
    ETAG,
    SECURITY,
    IfMatch,
    _booking_response,
    _show_in_resource_zone,
)
from api.deps import request_locale, require_aware
from api.errors import booking_problem, problem, problem_response
from api.schemas import problems
from api.schemas_bookings import (
    BookingOut,
    BookingPatchIn,
    DecisionIn,
    OccurrenceMoveIn,
    parse_if_match,
)
from booking.domain.errors import Conflict, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.services import booking_change, bookings

_CHANGED = {200: ResponseSpec(BookingOut, description="The changed booking, with its new ETag"),
            **problems(401, 403, 404, 409, 412, 428)}


def _required(if_match: str | None) -> int | None:
    """The version named by If-Match; None (answer 428) when the header is missing."""
    if if_match is None or not if_match.strip():
        return None
    version = parse_if_match(if_match)
    return -1 if version is None else version


def _precondition_required() -> Response[Any]:
    return problem_response(problem(
        428, "send If-Match with the booking's ETag, so a change never overwrites another"))


async def _answer(
    request: Request[Any, Any, Any], member: Actor, booking_id: UUID, change: Any
) -> Response[Any]:
    try:
        view = await change
    except (Conflict, RuleViolation) as exc:
        current = await bookings.get_booking(member, str(booking_id))
        await _show_in_resource_zone(request, member, current.resource_ids[0])
        return problem_response(booking_problem(exc, request))
    return _booking_response(view, 200, request_locale(request))


@patch("/api/v1/bookings/{booking_id:uuid}", tags=["bookings"], security=SECURITY,
       status_code=200, responses=_CHANGED, response_headers=[ETAG])
async def change_booking(
    request: Request[Any, Any, Any], member: Actor, now: datetime, booking_id: UUID,
    data: BookingPatchIn, if_match: IfMatch = None,
) -> Response[Any]:
    """Move, resize, change resources, title or participants, with create's checks; the
    booking's own claims never block its move. A move onto a resource needing approval makes
    it pending. `If-Match` is required (428 without, 412 when stale)."""
    version = _required(if_match)
    if version is None:
        return _precondition_required()
    return await _answer(request, member, booking_id, booking_change.change_booking(
        member, str(booking_id), data.to_patch(), now, if_match=version))


@patch("/api/v1/bookings/{booking_id:uuid}/occurrences/{position:int}", tags=["bookings"],
       security=SECURITY, status_code=200, responses=_CHANGED, response_headers=[ETAG])
async def move_occurrence(
    request: Request[Any, Any, Any], member: Actor, now: datetime, booking_id: UUID,
    position: int, data: OccurrenceMoveIn, if_match: IfMatch = None,
) -> Response[Any]:
    """Move one occurrence of a series; it keeps its position. `If-Match` is required."""
    version = _required(if_match)
    if version is None:
        return _precondition_required()
    require_aware(data.start, "start")
    return await _answer(request, member, booking_id, booking_change.move_occurrence(
        member, str(booking_id), position, Interval(data.start, data.end), now,
        if_match=version))


@post("/api/v1/bookings/{booking_id:uuid}/occurrences/{position:int}/cancel",
      tags=["bookings"], security=SECURITY, status_code=200,
      responses={**_CHANGED, **problems(401, 403, 404, 412)}, response_headers=[ETAG])
async def cancel_occurrence(
    request: Request[Any, Any, Any], member: Actor, now: datetime, booking_id: UUID,
    position: int, if_match: IfMatch = None, data: DecisionIn | None = None,
) -> Response[Any]:
    """Cancel one occurrence of a series (it keeps its position; the last one cancels the
    booking). `If-Match` as for cancel: stale → 412."""
    view = await booking_change.cancel_occurrence(
        member, str(booking_id), position, now, if_match=parse_if_match(if_match),
        message=data.message if data else "")
    return _booking_response(view, 200, request_locale(request))


ROUTES: list[Any] = [change_booking, move_occurrence, cancel_occurrence]
