"""Shared msgspec types of the HTTP API: problem details, money, intervals, paging.

Controllers written by other engineers import these; keep the names stable.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, cast

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from booking.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

NewPassword = Annotated[str, msgspec.Meta(
    min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
    description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")]
"""A password being set (sign-up, reset, change): the bounds of booking.domain.passwords."""

AwareDatetime = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="RFC 3339 date-time with an offset; naive times are refused (422).",
        examples=["2027-03-29T09:00:00+02:00"],
    ),
]
UUIDStr = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="A UUID.",
        examples=["0b9d3c52-6f1e-4c1a-9a55-2f3f8e0d4a11"],
    ),
]
Amount = Annotated[
    str,
    msgspec.Meta(pattern=r"^[0-9]{1,9}\.[0-9]{2}$", examples=["170.00"],
                 description="A non-negative decimal with two places."),
]
Currency = Literal["EUR"]
"""Prices and rates are in euros; any other currency is refused (422)."""

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct):
    """One invalid input field of a 422 answer."""

    field: str
    message: str


class ConflictOut(msgspec.Struct, omit_defaults=True):
    """An existing claim (buffers included) that the request would overlap; `booking_id`
    only where the caller manages the resource (a closure meeting bookings)."""

    resource_id: str
    start: datetime
    end: datetime
    booking_id: str | None = None


class ReasonOut(msgspec.Struct, omit_defaults=True):
    """Why an interval cannot be booked: a stable code and a message in the caller's language."""

    code: str
    message: str
    start: datetime | None = None
    end: datetime | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] | None = None
    conflicts: list[ConflictOut] | None = None
    reasons: list[ReasonOut] | None = None
    retry_after: int | None = None


class Money(msgspec.Struct, forbid_unknown_fields=True):
    amount: Amount
    currency: Currency = "EUR"

    @classmethod
    def of(cls, amount: Decimal, currency: str = "EUR") -> Money:
        return cls(amount=f"{amount.quantize(Decimal('0.01'))}", currency=cast(Currency, currency))


Limit = Annotated[
    int, Parameter(ge=1, le=200, default=50, description="Page size, 1–200.")
]
Cursor = Annotated[
    str | None,
    Parameter(max_length=200, description="`next_cursor` of the previous page.", default=None),
]

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    428: "Precondition required",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

_EXAMPLES: dict[int, dict[str, Any]] = {
    409: {
        "type": "/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "the requested time overlaps an existing booking",
        "conflicts": [
            {
                "resource_id": "0b9d3c52-6f1e-4c1a-9a55-2f3f8e0d4a11",
                "start": "2027-03-29T09:00:00+02:00",
                "end": "2027-03-29T11:00:00+02:00",
            }
        ],
    },
    422: {
        "type": "/problems/validation",
        "title": "Unprocessable content",
        "status": 422,
        "detail": "the request is not valid",
        "errors": [{"field": "start", "message": "needs a time-zone offset"}],
    },
}


def title_for(status: int) -> str:
    return _TITLES.get(status, "Error")


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response declarations (problem details) for `statuses`.

    Handlers name the statuses their own logic can answer (403 for a refusal, 404, 409, 412,
    429, …); `api.openapi.declare_problem_statuses` adds those that follow from the route's
    shape (401, the CSRF 403, a path's 404, 422 for any input). 500/503 are left out on purpose.
    """
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=title_for(code),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for code in sorted(set(statuses))
    }
