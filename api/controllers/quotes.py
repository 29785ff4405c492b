"""`POST /api/v1/bookings/quote`: what a booking request would cost and whether each occurrence
could be booked now, without booking. Same body as `POST /api/v1/bookings`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, post
from litestar.openapi.datastructures import ResponseSpec

from api.deps import request_locale
from api.errors import reasons_out
from api.schemas import Money, ReasonOut, problems
from api.schemas_bookings import BookingIn
from api.timefmt import to_local
from booking.domain.roles import Actor
from booking.services import booking_plan

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class QuoteOccurrenceOut(msgspec.Struct):
    start: datetime
    end: datetime
    bookable: bool
    reasons: list[ReasonOut]


class QuoteOut(msgspec.Struct):
    price: Money
    occurrences: list[QuoteOccurrenceOut]


@post(
    "/api/v1/bookings/quote",
    tags=["bookings"],
    security=SECURITY,
    status_code=200,
    responses={200: ResponseSpec(QuoteOut, description="The quote; nothing was booked"),
               **problems(401, 403, 404)},
)
async def quote_booking(
    request: Request[Any, Any, Any], data: BookingIn, member: Actor, now: datetime
) -> QuoteOut:
    """Price (with the company's own customer class: partner, SME or standard, per school)
    and, per occurrence, whether it could be booked now and every reason why not — in the
    caller's language, times in the resource's offset. Writes nothing."""
    q = await booking_plan.quote(member, data.to_request(), now)
    locale = request_locale(request)
    return QuoteOut(
        price=Money.of(q.price_amount, q.currency),
        occurrences=[
            QuoteOccurrenceOut(to_local(o.start, q.timezone), to_local(o.end, q.timezone),
                               o.bookable, reasons_out(o.reasons, q.timezone, locale))
            for o in q.occurrences
        ],
    )


ROUTES: list[Any] = [quote_booking]
