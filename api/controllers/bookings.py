"""Bookings: create (Idempotency-Key), list, read (ETag), cancel/approve/decline (If-Match).

Thin: the services decide and store; this module parses, renders and maps the idempotency
record of a refused first attempt."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.deps import request_locale, require_aware
from api.errors import booking_problem, problem_response
from api.messages import invalid
from api.schemas import PROBLEM_MEDIA_TYPE, Cursor, Limit, problems
from api.schemas_bookings import (
    BookingIn,
    BookingList,
    BookingOut,
    DecisionIn,
    StatusName,
    booking_out,
    etag_of,
    parse_if_match,
    render_booking,
)
from booking.domain.errors import Conflict, NotFound, RuleViolation
from booking.domain.roles import Actor
from booking.i18n import DEFAULT_LOCALE
from booking.services import bookings, catalogue
from booking.services.views import BookingView

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
ETAG = ResponseHeader(
    name="ETag", description='The booking version, e.g. "3"', documentation_only=True
)
IdempotencyKey = Annotated[
    str | None,
    Parameter(header="Idempotency-Key", min_length=1, max_length=200, required=False,
              description="Retries with the same key and body replay the first answer (24 h)"),
]
IfMatch = Annotated[
    str | None,
    Parameter(header="If-Match", max_length=100, required=False,
              description='ETag of the booking as read, e.g. "3"; stale → 412'),
]


async def _show_in_resource_zone(request: Request[Any, Any, Any], actor: Actor, rid: str) -> None:
    """Conflicts and reasons are rendered in the first resource's local offset."""
    with suppress(NotFound):
        request.state.display_tz = (await catalogue.get_resource(actor, rid)).timezone


def _booking_response(
    view: BookingView, status: int = 200, locale: str = DEFAULT_LOCALE
) -> Response[bytes]:
    return Response(
        content=render_booking(view, locale),
        status_code=status,
        media_type="application/json",
        headers={"ETag": etag_of(view.version)},
    )


@post(
    "/api/v1/bookings",
    tags=["bookings"],
    security=SECURITY,
    status_code=201,
    responses={
        201: ResponseSpec(BookingOut, description="Created (or the replay of the first answer)"),
        **problems(401, 403, 404, 409),
    },
    response_headers=[ETAG],
)
async def create_booking(
    request: Request[Any, Any, Any],
    data: BookingIn,
    member: Actor,
    now: datetime,
    idempotency_key: IdempotencyKey = None,
) -> Response[bytes]:
    """Book one resource or a bundle, once or as a series; 409 names the overlapping claims,
    422 lists the policy's reasons (in the caller's language, like `check`)."""
    if idempotency_key is not None and not idempotency_key.strip():
        raise invalid("Idempotency-Key", "must not be blank")
    req = data.to_request()
    fingerprint = data.fingerprint()
    locale = request_locale(request)
    try:
        result = await bookings.create_booking(
            member, req, now, idempotency_key,
            request_fingerprint=fingerprint, render=partial(render_booking, locale=locale),
        )
    except (Conflict, RuleViolation) as exc:
        await _show_in_resource_zone(request, member, req.resource_ids[0])
        body = booking_problem(exc, request)
        if idempotency_key is not None:
            company = catalogue.single_company(member, req.organisation_id)
            if company is not None:
                await bookings.record_idempotent_error(
                    company, idempotency_key, fingerprint, body.status,
                    msgspec.json.encode(body), now=now,
                )
        return problem_response(body)
    if result.replayed or result.booking is None:
        status = result.status_code
        media = PROBLEM_MEDIA_TYPE if status >= 400 else "application/json"
        headers = {"Idempotent-Replayed": "true"}
        if status < 400:
            headers["ETag"] = etag_of(msgspec.json.decode(result.body or b"{}").get("version", 0))
        return Response(content=result.body or b"", status_code=status, media_type=media,
                        headers=headers)
    return _booking_response(result.booking, result.status_code, locale)


@get("/api/v1/bookings", tags=["bookings"], security=SECURITY, responses=problems(401))
async def list_bookings(
    member: Actor,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: StatusName | None = None,
    resource: UUID | None = None,
    start: Annotated[datetime | None, Parameter(query="from")] = None,
    end: Annotated[datetime | None, Parameter(query="to")] = None,
) -> BookingList:
    """What the caller may see: a company its own, a school those on its resources."""
    if start is not None:
        require_aware(start, "from")
    if end is not None:
        require_aware(end, "to")
    page = await bookings.list_bookings(
        member, status=status, resource_id=str(resource) if resource else None,
        start=start, end=end, limit=limit, cursor=cursor,
    )
    return BookingList(items=[booking_out(b) for b in page.items], next_cursor=page.next_cursor)


@get(
    "/api/v1/bookings/{booking_id:uuid}",
    tags=["bookings"],
    security=SECURITY,
    responses={200: ResponseSpec(BookingOut, description="The booking"),
               304: ResponseSpec(None, description="Not modified (If-None-Match)"),
               **problems(401, 404)},
    response_headers=[ETAG],
)
async def get_booking(
    member: Actor,
    booking_id: UUID,
    if_none_match: Annotated[str | None, Parameter(header="If-None-Match", max_length=200,
                                                   required=False)] = None,
) -> Response[bytes]:
    """One booking with its ETag; another company's booking answers 404."""
    view = await bookings.get_booking(member, str(booking_id))
    if if_none_match and parse_if_match(if_none_match) == view.version:
        return Response(content=b"", status_code=304, headers={"ETag": etag_of(view.version)})
    return _booking_response(view)


def _decision_route(action: str, summary: str) -> Any:
    change = getattr(bookings, f"{action}_booking")

    @post(
        f"/api/v1/bookings/{{booking_id:uuid}}/{action}",
        tags=["bookings"],
        security=SECURITY,
        status_code=200,
        summary=summary,
        operation_id=f"{action}Booking",
        responses={200: ResponseSpec(BookingOut, description="The changed booking"),
                   **problems(401, 403, 404, 409, 412)},
        response_headers=[ETAG],
        name=f"{action}_booking",
    )
    async def handler(
        member: Actor, now: datetime, booking_id: UUID, if_match: IfMatch = None,
        data: DecisionIn | None = None,
    ) -> Response[bytes]:
        view = await change(
            member, str(booking_id), now, if_match=parse_if_match(if_match),
            message=data.message if data else "",
        )
        return _booking_response(view)

    return handler


ROUTES: list[Any] = [
    create_booking,
    list_bookings,
    get_booking,
    _decision_route("cancel", "Cancel a booking (frees its time)"),
    _decision_route("approve", "Approve a pending booking (facility manager)"),
    _decision_route("decline", "Decline a pending booking (facility manager)"),
]
