"""Booking state transitions."""

from __future__ import annotations

import pytest

from booking.domain.errors import RuleViolation
from booking.domain.states import ACTIVE, BookingStatus, transition

P, C, D, E, X = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DECLINED,
                 BookingStatus.EXPIRED, BookingStatus.CANCELLED)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (P, "approve", C),  # a manager approves a request
        (P, "decline", D),  # … or declines it
        (P, "expire", E),  # nobody answered in time
        (P, "cancel", X),  # the company withdraws its request
        (C, "cancel", X),  # a confirmed booking is cancelled
    ],
)
def test_allowed(current: BookingStatus, action: str, expected: BookingStatus) -> None:
    assert transition(current, action) is expected


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (C, "approve"),  # already confirmed
        (C, "decline"),  # too late to decline
        (C, "expire"),  # confirmed bookings do not expire
        (X, "cancel"),  # cancelled twice
        (D, "approve"),  # a declined request stays declined
        (E, "cancel"),  # expired: nothing to cancel
        (P, "delete"),  # unknown action
        ("archived", "cancel"),  # unknown state
    ],
)
def test_refused(current: str, action: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        transition(current, action)
    assert [r.code for r in caught.value.reasons] == ["invalid_transition"]


def test_active_states_hold_time() -> None:
    assert frozenset({P, C}) == ACTIVE
    assert str(BookingStatus.PENDING) == "pending"
