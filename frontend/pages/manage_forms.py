"""The resource form and the opening-hours editor: form fields ↔ the catalogue service's input.

Only reading and showing live here; whether a value is allowed is the catalogue service's call
(its RuleViolation comes back next to the field it names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from booking.domain.openinghours import OpeningRule, format_hhmm
from booking.domain.resources import BookableBy, CustomerClass, Policy, Rate
from booking.services.views import ResourceInput, ResourceView
from frontend.forms import FormErrors, as_time, parse_date, parse_int, parse_time

CLASSES = ("standard", "partner", "sme")
SERVICE_FIELDS = {
    "site_id": "site_id", "parent_id": "parent_id", "name": "name", "kind": "kind",
    "policy": "min_duration", "capacity": "capacity", "tags": "tags", "visibility": "visibility",
    "rates": "rate_standard",
}
"""Field names in the service's RuleViolation → the form field that shows the message."""
EXTRA_RULE_ROWS = 3


@dataclass
class ResourceForm:
    """The resource form's values as text, as typed (so a refused form comes back unchanged)."""

    kind: str = "equipment"
    site_id: str = ""
    parent_id: str = ""
    name: str = ""
    description: str = ""
    tags: str = ""
    capacity: str = "1"
    visibility: str = "public"
    rates: dict[str, str] = field(default_factory=dict)
    approval_required: bool = False
    induction_required: bool = False
    bookable_by: str = "all"
    slot: str = "30"
    notice_hours: str = "24"
    advance_days: str = "180"
    min_duration: str = "60"
    max_duration: str = "480"
    buffer_before: str = "0"
    buffer_after: str = "0"
    quota: str = ""

    @classmethod
    def of(cls, r: ResourceView) -> ResourceForm:
        p = r.policy
        return cls(
            r.kind, r.site_id, r.parent_id or "", r.name, r.description, ", ".join(r.tags),
            str(r.capacity), r.visibility,
            {str(rate.customer_class): f"{rate.hourly:.2f}" for rate in r.rates},
            p.approval_required, p.induction_required, str(p.bookable_by), str(p.slot_minutes),
            _hours(p.min_notice_minutes), str(p.max_advance_days), str(p.min_duration_minutes),
            str(p.max_duration_minutes), str(p.buffer_before_minutes),
            str(p.buffer_after_minutes),
            "" if p.quota_hours_per_week is None else str(p.quota_hours_per_week),
        )

    @classmethod
    def read(cls, form: Any) -> ResourceForm:
        def text(name: str, default: str = "") -> str:
            return str(form.get(name) or default).strip()

        return cls(
            text("kind", "equipment"), text("site_id"), text("parent_id"), text("name"),
            text("description"), text("tags"), text("capacity", "1"),
            text("visibility", "public"), {c: text(f"rate_{c}") for c in CLASSES},
            form.get("approval_required") == "on", form.get("induction_required") == "on",
            text("bookable_by", "all"), text("slot"), text("notice_hours"),
            text("advance_days"), text("min_duration"), text("max_duration"),
            text("buffer_before"), text("buffer_after"), text("quota"),
        )

    def policy(self, errors: FormErrors) -> Policy | None:
        def number(name: str, high: int, low: int = 0) -> int:
            value = parse_int(getattr(self, name), name, errors, low=low, high=high)
            if value is None and name not in errors:
                errors.add(name, "Enter a whole number.")
            return value or 0

        notice = _decimal(self.notice_hours, "notice_hours", errors)
        policy = Policy(
            approval_required=self.approval_required,
            slot_minutes=number("slot", 24 * 60, 5),
            min_notice_minutes=int((notice or 0) * 60),
            max_advance_days=number("advance_days", 3 * 366),
            min_duration_minutes=number("min_duration", 24 * 60, 5),
            max_duration_minutes=number("max_duration", 14 * 24 * 60, 5),
            buffer_before_minutes=number("buffer_before", 24 * 60),
            buffer_after_minutes=number("buffer_after", 24 * 60),
            bookable_by=BookableBy(
                self.bookable_by if self.bookable_by in {b.value for b in BookableBy} else "all"),
            induction_required=self.induction_required,
            quota_hours_per_week=parse_int(self.quota, "quota", errors, low=1, high=168),
        )
        return None if errors else policy

    def rate_list(self, errors: FormErrors) -> list[Rate]:
        rates = []
        for c in CLASSES:
            amount = _decimal(self.rates.get(c, ""), f"rate_{c}", errors)
            if amount is not None:
                rates.append(Rate(CustomerClass(c), amount.quantize(Decimal("0.01"))))
        return rates

    def tag_list(self) -> list[str]:
        return [t.strip().lower() for t in self.tags.replace(";", ",").split(",") if t.strip()]

    def to_input(self, school_id: str, errors: FormErrors) -> ResourceInput | None:
        """A new resource's input, or None with `errors` filled."""
        capacity = parse_int(self.capacity, "capacity", errors, low=1, high=1000)
        policy, rates = self.policy(errors), self.rate_list(errors)
        if not self.name:
            errors.add("name", "Give it a name.")
        if errors or policy is None:
            return None
        return ResourceInput(
            school_id=school_id, site_id=self.site_id, kind=self.kind, name=self.name,
            description=self.description, tags=self.tag_list(), capacity=capacity or 1,
            parent_id=self.parent_id or None if self.kind == "equipment" else None,
            visibility=self.visibility, rates=rates, policy=policy,
        )

    def to_patch(self, errors: FormErrors) -> dict[str, Any] | None:
        """The changed resource as the service's patch, or None with `errors` filled."""
        data = self.to_input("", errors)
        if data is None:
            return None
        return {
            "site_id": data.site_id, "parent_id": data.parent_id, "name": data.name,
            "description": data.description, "tags": data.tags, "capacity": data.capacity,
            "visibility": data.visibility, "rates": data.rates, "policy": data.policy,
        }


def _hours(minutes: int) -> str:
    return str(minutes // 60) if minutes % 60 == 0 else f"{minutes / 60:.2f}".rstrip("0")


def _decimal(text: str, name: str, errors: FormErrors) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        errors.add(name, "Enter an amount such as %(example)s.", example="85,00")
        return None
    if value < 0 or value > 100_000:
        errors.add(name, "Enter an amount such as %(example)s.", example="85,00")
        return None
    return value


@dataclass
class RuleRow:
    """One row of the opening-hours editor, as typed."""

    weekday: str = ""
    opens: str = ""
    closes: str = ""
    valid_from: str = ""
    valid_to: str = ""


def rule_rows(rules: list[OpeningRule]) -> list[RuleRow]:
    """The editor's rows: the rules by weekday and time, then empty rows to add more."""
    rows = [
        RuleRow(str(r.weekday), format_hhmm(r.opens), format_hhmm(r.closes, is_close=True),
                r.valid_from.isoformat() if r.valid_from else "",
                r.valid_to.isoformat() if r.valid_to else "")
        for r in sorted(rules, key=lambda r: (r.weekday, r.opens, r.valid_from or date.min))
    ]
    return rows + [RuleRow() for _ in range(EXTRA_RULE_ROWS)]


def read_rules(form: Any, errors: FormErrors) -> tuple[list[RuleRow], list[OpeningRule]]:
    """The typed rows and the rules they make; a row without a weekday is left out, a row
    marked `remove` too. Errors are keyed `rule-<i>-<field>`."""
    count = parse_int(form.get("rows"), "rows", errors, low=0, high=200) or 0
    rows: list[RuleRow] = []
    rules: list[OpeningRule] = []
    for i in range(count):
        def text(name: str, i: int = i) -> str:
            return str(form.get(f"rule-{i}-{name}") or "").strip()

        row = RuleRow(text("weekday"), text("opens"), text("closes"), text("from"), text("to"))
        if not row.weekday or text("remove") == "on":
            continue
        rows.append(row)
        key = f"rule-{len(rows) - 1}"
        opens = parse_time(row.opens, f"{key}-opens", errors)
        closes = parse_time(row.closes, f"{key}-closes", errors)
        valid_from = parse_date(row.valid_from, f"{key}-from", errors)
        valid_to = parse_date(row.valid_to, f"{key}-to", errors)
        if opens is None or closes is None:
            continue
        try:
            rules.append(OpeningRule(int(row.weekday), as_time(opens), as_time(closes),
                                     valid_from, valid_to))
        except ValueError:
            errors.add(f"{key}-closes", "The closing time must be after the opening time.")
        if valid_from and valid_to and valid_to < valid_from:
            errors.add(f"{key}-to", "The end date must not be before the start date.")
    return rows + [RuleRow() for _ in range(EXTRA_RULE_ROWS)], rules
