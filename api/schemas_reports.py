"""Response bodies of the reports (API.md "Reports"); `api/controllers/reports.py` fills them."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Usage(msgspec.Struct):
    open_hours: float
    booked_hours: float
    utilisation: float
    bookings: int
    companies: int
    students: int
    employees: int


class UsageRow(msgspec.Struct):
    key: str
    label: str
    open_hours: float
    booked_hours: float
    utilisation: float
    bookings: int
    companies: int
    students: int
    employees: int


class UtilisationOut(msgspec.Struct):
    """Open and booked hours per row. `totals` is the sum of the rows, except `companies`, which
    counts distinct companies; a booking counts in every row it touches (a weekly series in each
    week row)."""

    from_: datetime = msgspec.field(name="from")
    to: datetime
    rows: list[UsageRow]
    totals: Usage


class CompanyRow(msgspec.Struct):
    key: str
    label: str
    is_sme: bool
    booked_hours: float
    bookings: int
    students: int
    employees: int


class CompaniesOut(msgspec.Struct):
    """Hours per company (`rows`) and per company type `sme` / `other` (`by_type`)."""

    from_: datetime = msgspec.field(name="from")
    to: datetime
    rows: list[CompanyRow]
    by_type: list[UsageRow]


class FlowOut(msgspec.Struct):
    from_: datetime = msgspec.field(name="from")
    to: datetime
    requested: int
    cancellation_rate: float
    expiry_rate: float
    decline_rate: float
    mean_lead_hours: float
    mean_decision_hours: float


class HeatCell(msgspec.Struct):
    weekday: int  # 1 = Monday … 7 = Sunday
    hour: int
    open_hours: float
    booked_hours: float
    utilisation: float


class HeatmapOut(msgspec.Struct):
    """Booked and open hours per local hour of the week of one resource."""

    resource_id: str
    label: str
    timezone: str
    from_: datetime = msgspec.field(name="from")
    to: datetime
    cells: list[HeatCell]


class OpenDataRow(msgspec.Struct):
    key: str
    label: str
    resources: int
    open_hours: float
    booked_hours: float
    utilisation: float
    bookings: int
    companies: int
    sme_companies: int
    students: int
    employees: int


class OpenDataOut(msgspec.Struct):
    """Anonymous counts per school: no company is named."""

    from_: datetime = msgspec.field(name="from")
    to: datetime
    rows: list[OpenDataRow]


class BookingLineOut(msgspec.Struct):
    booking_id: str
    status: str
    resource_id: str
    resource: str
    school: str
    start: datetime
    end: datetime
    hours: float
    company: str | None
    company_type: str
    title: str | None
    students: int
    employees: int
    created_at: datetime


class BookingLines(msgspec.Struct):
    """One item per occurrence and booked resource; `company`/`title` null where the caller
    sees aggregates only (coordinators). The whole window in one page."""

    items: list[BookingLineOut]
    next_cursor: str | None = None
