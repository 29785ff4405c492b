"""`POST /api/v1/bookings/quote`: what a booking request would cost (lines per resource, VAT,
total) and which occurrences would be booked now, without booking. Same body as
`POST /api/v1/bookings`, and the same refusals (422 reasons, 409 conflicts)."""

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
from booking.domain.roles import Actor
from booking.services import booking_plan
from booking.timefmt import to_local

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


class QuoteOccurrenceOut(msgspec.Struct):
    start: datetime
    end: datetime
    bookable: bool
    reasons: list[ReasonOut]


class PriceLineOut(msgspec.Struct):
    """One requested resource: real hours over the priced occurrences, the company's class at
    its school, the hourly rate and hourly × hours, excluding VAT."""

    resource_id: str
    hours: float
    customer_class: str
    hourly: Money
    amount: Money


class QuoteOut(msgspec.Struct):
    """`price` = the sum of the lines' amounts, excluding VAT; `total` = `price` + `vat`."""

    price: Money
    vat: Money
    total: Money
    lines: list[PriceLineOut]
    occurrences: list[QuoteOccurrenceOut]


@post(
    "/api/v1/bookings/quote",
    tags=["bookings"],
    security=SECURITY,
    status_code=200,
    responses={200: ResponseSpec(QuoteOut, description="The quote; nothing was booked"),
               **problems(401, 403, 404, 409, 422)},
)
async def quote_booking(
    request: Request[Any, Any, Any], data: BookingIn, member: Actor, now: datetime
) -> QuoteOut:
    """What `POST /api/v1/bookings` would answer, without booking: the same 422 (reasons) and
    409 (conflicts); otherwise the price lines (the company's own customer class per school:
    partner, SME or standard), VAT and total of what would be booked, and per occurrence
    whether it would be booked (series in skip mode) and why not — in the caller's language,
    times in the resource's offset. Writes nothing."""
    q = await booking_plan.quote(member, data.to_request(), now)
    locale = request_locale(request)
    return QuoteOut(
        price=Money.of(q.price_amount, q.currency),
        vat=Money.of(q.vat_amount, q.currency),
        total=Money.of(q.total_amount, q.currency),
        lines=[
            PriceLineOut(line.resource_id, float(line.hours), str(line.customer_class),
                         Money.of(line.hourly, q.currency), Money.of(line.amount, q.currency))
            for line in q.lines
        ],
        occurrences=[
            QuoteOccurrenceOut(to_local(o.start, q.timezone), to_local(o.end, q.timezone),
                               o.bookable, reasons_out(o.reasons, q.timezone, locale))
            for o in q.occurrences
        ],
    )


ROUTES: list[Any] = [quote_booking]
