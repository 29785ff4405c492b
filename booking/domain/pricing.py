"""Prices: hourly rates by customer class, one line per resource, VAT on top (the one home)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from booking.domain.intervals import Interval
from booking.domain.resources import CustomerClass, Resource

CURRENCY = "EUR"
VAT_RATE = Decimal("0.21")
"""Dutch VAT on services (21 %). Rates and line amounts are excluding VAT; VAT is added once,
on the sum of the lines."""
_CENT = Decimal("0.01")
_SECONDS_PER_HOUR = Decimal(3600)


def rate_for(rates: Mapping[str, Decimal], customer_class: CustomerClass) -> Decimal:
    """From hourly rates by class: the class's, else the standard one, else 0 (EUR)."""
    return rates.get(customer_class, rates.get(CustomerClass.STANDARD, Decimal(0)))


def hourly_rate(resource: Resource, customer_class: CustomerClass) -> Decimal:
    """The resource's `rate_for` the class."""
    return rate_for({rate.customer_class: rate.hourly for rate in resource.rates}, customer_class)


def line_amount(hourly: Decimal, seconds: int) -> Decimal:
    """`hourly` × real elapsed `seconds`, rounded once to cents, half up."""
    return (hourly * Decimal(seconds) / _SECONDS_PER_HOUR).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PriceLine:
    """What one requested resource costs over the priced occurrences (excluding VAT)."""

    resource_id: str
    seconds: int
    customer_class: CustomerClass
    hourly: Decimal
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        """Real elapsed hours (a DST day's 08:00–17:00 is 9), to two decimals."""
        return (Decimal(self.seconds) / _SECONDS_PER_HOUR).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """Lines, their sum (`price`, excluding VAT), the VAT on it and `total` = price + VAT."""

    lines: tuple[PriceLine, ...]
    price: Decimal
    vat: Decimal
    total: Decimal
    currency: str = CURRENCY


def price_lines(
    resources: Sequence[Resource],
    occurrences: Sequence[Interval],
    class_at: Callable[[str], CustomerClass],
) -> PriceQuote:
    """One line per requested resource (each id once, in request order; equipment a lab
    implies is not charged), each at the class `class_at(school_id)` of the booking company at
    that resource's school, over the real hours of `occurrences`; VAT at VAT_RATE on the sum."""
    unique = list({resource.id: resource for resource in resources}.values())
    seconds = sum(int(occurrence.duration.total_seconds()) for occurrence in occurrences)
    lines = []
    for resource in unique:
        cls = class_at(resource.school_id)
        hourly = hourly_rate(resource, cls)
        lines.append(PriceLine(resource.id, seconds, cls, hourly, line_amount(hourly, seconds)))
    price = sum((line.amount for line in lines), Decimal("0.00"))
    vat = (price * VAT_RATE).quantize(_CENT, rounding=ROUND_HALF_UP)
    return PriceQuote(tuple(lines), price, vat, price + vat)


def estimate_price(
    resources: Sequence[Resource],
    occurrences: Sequence[Interval],
    customer_class: CustomerClass,
) -> tuple[Decimal, str]:
    """(price excluding VAT, "EUR") with one class for every resource: the sum of
    `price_lines`. Real hours: a 08:00–17:00 booking on a DST-change day costs 9 hours."""
    quote = price_lines(resources, occurrences, lambda _school: customer_class)
    return quote.price, quote.currency
