"""One tree of domain errors; `api/errors.py` is the one place that maps them to HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something cannot be done: a stable `code`, an English message, an optional interval.

    `params` carries the values a translated message needs (e.g. ``{"hours": 48}``).
    """

    code: str
    message: str
    start: datetime | None = None
    end: datetime | None = None
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConflictingClaim:
    """An existing claim that a requested claim would overlap (buffers included)."""

    resource_id: str
    start: datetime
    end: datetime
    booking_id: str | None = None
    """Only where the caller may know the booking (a closure's manager), else None."""


class BookingError(Exception):
    """Root of every error the domain and the services raise on purpose."""


class NotFound(BookingError):
    """The object does not exist, or the caller may not know that it exists (maps to 404)."""


class NotAllowed(BookingError):
    """The caller is known to see the object but may not do this (maps to 403)."""


class RuleViolation(BookingError):
    """A policy refuses the request (maps to 422); carries the reasons."""

    def __init__(self, reasons: Sequence[Reason], field_name: str | None = None) -> None:
        self.reasons = list(reasons)
        self.field_name = field_name
        super().__init__("; ".join(r.message for r in self.reasons))


class Conflict(BookingError):
    """A claim would overlap an existing active claim (maps to 409); carries the intervals."""

    def __init__(self, conflicts: Sequence[ConflictingClaim], message: str = "") -> None:
        self.conflicts = list(conflicts)
        super().__init__(message or "the requested time overlaps an existing booking")


class StaleVersion(BookingError):
    """An `If-Match` version does not match the current one (maps to 412)."""


class IdempotencyMismatch(BookingError):
    """An idempotency key was reused with a different request body (maps to 422)."""


class IdempotencyInProgress(BookingError):
    """The first request with this idempotency key is still running (maps to 409)."""


class Gone(BookingError):
    """A one-time link that was used or has expired (maps to 410); the message says which."""
