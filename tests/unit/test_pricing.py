"""Price estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.domain.intervals import Interval
from booking.domain.pricing import estimate_price
from booking.domain.resources import CustomerClass, Rate, Resource, ResourceKind

T0 = datetime(2027, 3, 28, 6, tzinfo=UTC)  # 08:00 CEST on the spring Sunday
LAB = Resource("lab", "s", "site", ResourceKind.LAB, "Lab", rates=(
    Rate(CustomerClass.STANDARD, Decimal("85.00")), Rate(CustomerClass.PARTNER, Decimal("60.00"))))
ROBOT = Resource("robot", "s", "site", ResourceKind.EQUIPMENT, "Robot", rates=(
    Rate(CustomerClass.STANDARD, Decimal("33.33")),))
FREE = Resource("free", "s", "site", ResourceKind.EQUIPMENT, "Free")


def occ(minutes: int, day: int = 0) -> Interval:
    start = T0 + timedelta(days=day)
    return Interval(start, start + timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("resources", "occurrences", "cls", "amount"),
    [
        ([LAB], [occ(120)], CustomerClass.STANDARD, "170.00"),  # 2 h × 85
        ([LAB], [occ(120)], CustomerClass.PARTNER, "120.00"),  # partner rate
        ([LAB], [occ(120)], CustomerClass.SME, "170.00"),  # no SME rate: standard
        ([FREE], [occ(120)], CustomerClass.STANDARD, "0.00"),  # no rates at all
        ([LAB, ROBOT], [occ(90), occ(90, 7)], CustomerClass.PARTNER, "279.99"),  # (60+33.33)×3
        ([ROBOT], [occ(10)], CustomerClass.STANDARD, "5.56"),  # 5.555 rounds half up
        ([LAB, LAB], [occ(60)], CustomerClass.STANDARD, "85.00"),  # a resource counts once
        ([LAB], [], CustomerClass.STANDARD, "0.00"),  # nothing booked
    ],
)
def test_estimate_price(resources: list[Resource], occurrences: list[Interval],
                        cls: CustomerClass, amount: str) -> None:
    assert estimate_price(resources, occurrences, cls) == (Decimal(amount), "EUR")


def test_real_hours_across_the_spring_night() -> None:
    # 01:00–04:00 local on 28 March is two real hours
    night = Interval(datetime(2027, 3, 28, 0, tzinfo=UTC), datetime(2027, 3, 28, 2, tzinfo=UTC))
    assert estimate_price([LAB], [night], CustomerClass.STANDARD) == (Decimal("170.00"), "EUR")
