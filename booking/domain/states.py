"""Booking states and the transitions between them (DESIGN §5)."""

from __future__ import annotations

from enum import StrEnum

from booking.domain.errors import Reason, RuleViolation


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class BookingAction(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    CANCEL = "cancel"
    EXPIRE = "expire"


ACTIVE: frozenset[BookingStatus] = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})
"""States whose claims hold their time."""

_TRANSITIONS: dict[tuple[BookingStatus, BookingAction], BookingStatus] = {
    (BookingStatus.PENDING, BookingAction.APPROVE): BookingStatus.CONFIRMED,
    (BookingStatus.PENDING, BookingAction.DECLINE): BookingStatus.DECLINED,
    (BookingStatus.PENDING, BookingAction.EXPIRE): BookingStatus.EXPIRED,
    (BookingStatus.PENDING, BookingAction.CANCEL): BookingStatus.CANCELLED,
    (BookingStatus.CONFIRMED, BookingAction.CANCEL): BookingStatus.CANCELLED,
}


def transition(current: BookingStatus | str, action: BookingAction | str) -> BookingStatus:
    """The state after `action`; raises RuleViolation("invalid_transition") when not allowed.

    Unknown states or actions are refused the same way.
    """
    try:
        key = (BookingStatus(current), BookingAction(action))
        return _TRANSITIONS[key]
    except (ValueError, KeyError):
        raise RuleViolation(
            [Reason(
                "invalid_transition",
                f"a {current} booking cannot be {_PAST.get(str(action), str(action))}",
                params={"status": str(current), "action": str(action)},
            )],
            field_name="status",
        ) from None


_PAST = {"approve": "approved", "decline": "declined", "cancel": "cancelled", "expire": "expired"}
