"""Closures of a resource or a whole site, and date exceptions of opening hours: each answers
409 listing the active bookings it meets unless told `keep` or `cancel`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get, post, put
from litestar.params import Parameter

from api.deps import require_aware
from api.errors import booking_problem, problem_response
from api.messages import invalid
from api.schemas import problems
from api.schemas_catalogue import (
    ClosureIn,
    ClosureOut,
    HoursIO,
    OpeningExceptionIO,
    OpeningExceptions,
    closure_out,
)
from booking.domain.errors import Conflict
from booking.domain.intervals import Interval
from booking.domain.openinghours import DayHours, format_hhmm, parse_hhmm
from booking.domain.roles import Actor
from booking.services import catalogue, closures

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
OnConflict = Annotated[
    Literal["keep", "cancel"] | None,
    Parameter(query="on_conflict", required=False,
              description="bookings left outside the new hours: keep (tell them) or cancel"),
]


def _interval(data: ClosureIn) -> Interval:
    require_aware(data.start, "start")
    require_aware(data.end, "end")
    if data.end <= data.start:
        raise invalid("end", "end must be after start")
    return Interval(data.start, data.end)


async def _answer(request: Request[Any, Any, Any], tz_of: Any, call: Any) -> Any:
    try:
        return await call
    except Conflict as exc:
        request.state.display_tz = await tz_of()
        return problem_response(booking_problem(exc, request))


@post("/api/v1/resources/{resource_id:uuid}/closures", tags=["catalogue"], security=SECURITY,
      status_code=201, responses=problems(401, 403, 404, 409))
async def add_closure(
    request: Request[Any, Any, Any], resource_id: UUID, data: ClosureIn, member: Actor,
    now: datetime,
) -> Response[Any] | ClosureOut:
    """Close the resource for `[start, end)` (maintenance, holidays, own use). Active bookings
    it meets: 409 with `conflicts: [{booking_id, resource_id, start, end}]` unless
    `on_conflict` is `keep` or `cancel`."""
    async def tz() -> str:
        return (await catalogue.get_resource(member, str(resource_id))).timezone

    view = await _answer(request, tz, closures.add_closure(
        member, str(resource_id), _interval(data), data.reason, on_conflict=data.on_conflict,
        now=now))
    return view if isinstance(view, Response) else closure_out(view)


@post("/api/v1/sites/{site_id:uuid}/closures", tags=["catalogue"], security=SECURITY,
      status_code=201, responses=problems(401, 403, 404, 409))
async def add_site_closure(
    request: Request[Any, Any, Any], site_id: UUID, data: ClosureIn, member: Actor,
    now: datetime,
) -> Response[Any] | ClosureOut:
    """Close every resource of the site (holidays); bookings as for a resource's closure."""
    async def tz() -> str:
        return await closures.site_timezone(str(site_id))

    view = await _answer(request, tz, closures.add_site_closure(
        member, str(site_id), _interval(data), data.reason, on_conflict=data.on_conflict,
        now=now))
    return view if isinstance(view, Response) else closure_out(view)


def _days(data: list[OpeningExceptionIO]) -> list[DayHours]:
    days: list[DayHours] = []
    seen = set()
    for i, item in enumerate(data):
        if item.date in seen:
            raise invalid(f"[{i}].date", "each date once")
        seen.add(item.date)
        hours = []
        for j, h in enumerate(item.hours):
            opens, closes = parse_hhmm(h.opens), parse_hhmm(h.closes)
            if h.closes != "24:00" and closes <= opens:
                raise invalid(f"[{i}].hours[{j}].closes", "closes must be after opens")
            hours.append((opens, closes))
        days.append((item.date, tuple(hours)))
    return days


def _out(days: list[DayHours]) -> list[OpeningExceptionIO]:
    return [OpeningExceptionIO(d, [HoursIO(format_hhmm(o), format_hhmm(c, is_close=True))
                                   for o, c in hours]) for d, hours in days]


@get("/api/v1/resources/{resource_id:uuid}/opening-exceptions", tags=["catalogue"],
     security=SECURITY, responses=problems(401, 403, 404))
async def get_opening_exceptions(
    resource_id: UUID, member: Actor, now: datetime
) -> list[OpeningExceptionIO]:
    """The resource's date exceptions from today on (its school's facility managers)."""
    return _out(await closures.opening_exceptions(member, str(resource_id), now.date()))


@put("/api/v1/resources/{resource_id:uuid}/opening-exceptions", tags=["catalogue"],
     security=SECURITY, responses=problems(401, 403, 404, 409))
async def set_opening_exceptions(
    request: Request[Any, Any, Any], resource_id: UUID, data: OpeningExceptions,
    member: Actor, now: datetime, on_conflict: OnConflict = None,
) -> Response[Any] | list[OpeningExceptionIO]:
    """On each local `date`, `hours` replace the weekly rules (`[]` closes the day). Active
    bookings left outside the new hours: 409 listing them unless `?on_conflict=keep|cancel`."""
    async def tz() -> str:
        return (await catalogue.get_resource(member, str(resource_id))).timezone

    saved = await _answer(request, tz, closures.set_opening_exceptions(
        member, str(resource_id), _days(data), on_conflict=on_conflict, now=now))
    return saved if isinstance(saved, Response) else _out(saved)


ROUTES: list[Any] = [add_closure, add_site_closure, get_opening_exceptions,
                     set_opening_exceptions]
