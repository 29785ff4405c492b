"""Price estimates from hourly rates by customer class."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from booking.domain.intervals import Interval
from booking.domain.resources import CustomerClass, Resource

CURRENCY = "EUR"
_CENT = Decimal("0.01")
_SECONDS_PER_HOUR = Decimal(3600)


def hourly_rate(resource: Resource, customer_class: CustomerClass) -> Decimal:
    """The class's hourly rate, else the standard one, else 0 (all rates are in EUR)."""
    rates = {rate.customer_class: rate.hourly for rate in resource.rates}
    return rates.get(customer_class, rates.get(CustomerClass.STANDARD, Decimal(0)))


def estimate_price(
    resources: Sequence[Resource],
    occurrences: Sequence[Interval],
    customer_class: CustomerClass,
) -> tuple[Decimal, str]:
    """(amount, "EUR"): rate × real hours, summed over the requested resources (each id once;
    equipment implied by a lab is not charged) and occurrences, rounded once to cents, half up.

    Real hours: a 08:00–17:00 booking on a DST-change day costs 9 hours.
    """
    unique = {resource.id: resource for resource in resources}.values()
    rate = sum((hourly_rate(resource, customer_class) for resource in unique), Decimal(0))
    seconds = sum(int(occurrence.duration.total_seconds()) for occurrence in occurrences)
    amount = rate * Decimal(seconds) / _SECONDS_PER_HOUR
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP), CURRENCY
