"""Reports (API.md "Reports"): JSON by default, the same rows as CSV with `Accept: text/csv`
(or `?format=csv`, for plain download links). Thin: parse, call `booking.services.reports`,
render with the shared rounding of `booking.domain.reports.shown`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, get
from litestar.params import Parameter

from api.deps import require_aware
from api.reports_csv import csv_operation, csv_response, wants_csv
from api.schemas import problems
from api.schemas_reports import (
    BookingLineOut,
    BookingLines,
    CompaniesOut,
    CompanyRow,
    FlowOut,
    HeatCell,
    HeatmapOut,
    OpenDataOut,
    OpenDataRow,
    Usage,
    UsageRow,
    UtilisationOut,
)
from booking.domain.intervals import Interval
from booking.domain.reports import USAGE_COLUMNS, Measures, Row, hours, shown
from booking.domain.roles import Actor
from booking.services import reports
from booking.timefmt import to_local

TZ = reports.REPORT_TZ
DEFAULT_DAYS = 30
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]

From = Annotated[datetime | None, Parameter(
    query="from", description="Window start, RFC 3339 with offset (default: `to` − 30 days)")]
To = Annotated[datetime | None, Parameter(
    query="to", description="Window end, exclusive (default: now)")]
School = Annotated[UUID | None, Parameter(description="Only this school")]
Region = Annotated[UUID | None, Parameter(description="Only the schools of this region")]
Format = Annotated[Literal["json", "csv"] | None, Parameter(
    query="format", description="`csv` answers CSV like `Accept: text/csv` does")]
GroupBy = Annotated[Literal["resource", "school", "week", "month"], Parameter(
    description="Row per resource, school, ISO week or month (Europe/Amsterdam)")]
Unit = Annotated[Literal["week", "month"], Parameter(description="Period of the rows")]


def _window(start: datetime | None, end: datetime | None, now: datetime) -> Interval:
    if start is not None:
        require_aware(start, "from")
    if end is not None:
        require_aware(end, "to")
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS) if start is not None else now
    return Interval(start or end - timedelta(days=DEFAULT_DAYS), end)


def _id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def usage_dict(row: Row) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, **shown(row.measures)}


def _usage_out(window: Interval, rows: Sequence[Row], totals: Measures) -> UtilisationOut:
    return UtilisationOut(
        from_=to_local(window.start, TZ), to=to_local(window.end, TZ),
        rows=[UsageRow(**usage_dict(r)) for r in rows], totals=Usage(**shown(totals)),
    )


@get("/api/v1/reports/utilisation", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404),
     operation_class=csv_operation("utilisation", USAGE_COLUMNS))
async def utilisation(
    request: Request[Any, Any, Any], member: Actor, now: datetime, from_: From = None,
    to: To = None, school: School = None, region: Region = None,
    group_by: GroupBy = "resource", format: Format = None,
) -> Response[UtilisationOut]:
    """Utilisation = booked ÷ open hours per resource, school, week or month.

    Staff see their school, coordinators their region, a company its own use, admins all."""
    window = _window(from_, to, now)
    report = await reports.utilisation(member, window, group_by=group_by,
                                       school_id=_id(school), region_id=_id(region))
    if wants_csv(request, format):
        return csv_response(f"utilisation-{group_by}", window, TZ, USAGE_COLUMNS,
                             (usage_dict(r) for r in report.rows))
    return Response(_usage_out(window, report.rows, report.totals))


COMPANY_COLUMNS = ("key", "label", "is_sme", "booked_hours", "bookings", "students",
                   "employees")


@get("/api/v1/reports/companies", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404),
     operation_class=csv_operation("companies", COMPANY_COLUMNS))
async def companies(
    request: Request[Any, Any, Any], member: Actor, now: datetime, from_: From = None,
    to: To = None, school: School = None, region: Region = None, format: Format = None,
) -> Response[CompaniesOut]:
    """Booked hours per company and per company type (SME or other)."""
    window = _window(from_, to, now)
    report = await reports.companies(member, window, school_id=_id(school),
                                     region_id=_id(region))
    rows = [CompanyRow(c.company_id, c.name, c.is_sme, hours(c.booked_seconds), c.bookings,
                       c.students, c.employees) for c in report.rows]
    if wants_csv(request, format):
        return csv_response("companies", window, TZ, COMPANY_COLUMNS,
                             (msgspec.structs.asdict(r) for r in rows))
    return Response(CompaniesOut(
        to_local(window.start, TZ), to_local(window.end, TZ), rows,
        [UsageRow(**usage_dict(r)) for r in report.by_type.rows]))


@get("/api/v1/reports/participants", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404),
     operation_class=csv_operation("participants", USAGE_COLUMNS))
async def participants(
    request: Request[Any, Any, Any], member: Actor, now: datetime, from_: From = None,
    to: To = None, school: School = None, region: Region = None, unit: Unit = "month",
    format: Format = None,
) -> Response[UtilisationOut]:
    """Students and employees of confirmed bookings per period of their first session (a
    series counts its people once); hours are not used here (0)."""
    window = _window(from_, to, now)
    table = await reports.participants(member, window, unit=unit, school_id=_id(school),
                                       region_id=_id(region))
    if wants_csv(request, format):
        return csv_response(f"participants-{unit}", window, TZ, USAGE_COLUMNS,
                             (usage_dict(r) for r in table.rows))
    return Response(_usage_out(window, table.rows, table.totals))


@get("/api/v1/reports/flow", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404))
async def request_flow(
    member: Actor, now: datetime, from_: From = None, to: To = None, school: School = None,
    region: Region = None,
) -> FlowOut:
    """Requests made in the window: lead time request → start, time to a decision,
    cancellation, decline and expiry (no decision in time) rates."""
    window = _window(from_, to, now)
    f = await reports.request_flow(member, window, school_id=_id(school), region_id=_id(region))
    return FlowOut(to_local(window.start, TZ), to_local(window.end, TZ), f.requested,
                   round(f.cancellation_rate, 4), round(f.expiry_rate, 4),
                   round(f.decline_rate, 4), round(f.mean_lead_hours, 2),
                   round(f.mean_decision_hours, 2))


HEAT_COLUMNS = ("weekday", "hour", "open_hours", "booked_hours", "utilisation")


def heat_cells(heat: reports.Heatmap) -> list[HeatCell]:
    return [
        HeatCell(d + 1, h, hours(heat.open[d][h]), hours(heat.booked[d][h]),
                 round(heat.booked[d][h] / heat.open[d][h], 4) if heat.open[d][h] else 0.0)
        for d in range(7) for h in range(24)
    ]


@get("/api/v1/reports/heatmap", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404),
     operation_class=csv_operation("heatmap", HEAT_COLUMNS))
async def heatmap(
    request: Request[Any, Any, Any], member: Actor, now: datetime,
    resource: Annotated[UUID, Parameter(description="The resource")], from_: From = None,
    to: To = None, format: Format = None,
) -> Response[HeatmapOut]:
    """Hour-of-week use of one resource in its local time (a company: its own bookings)."""
    window = _window(from_, to, now)
    heat = await reports.heatmap(member, str(resource), window)
    cells = heat_cells(heat)
    if wants_csv(request, format):
        return csv_response("heatmap", window, TZ, HEAT_COLUMNS,
                             (msgspec.structs.asdict(c) for c in cells))
    tz = heat.resource.timezone
    return Response(HeatmapOut(heat.resource.id, heat.resource.name, tz,
                               to_local(window.start, tz), to_local(window.end, tz), cells))


OPEN_COLUMNS = ("key", "label", "resources", "open_hours", "booked_hours", "utilisation",
                "bookings", "companies", "sme_companies", "students", "employees")


@get("/api/v1/reports/open-data", tags=["reports"], responses=problems(404),
     operation_class=csv_operation("open-data", OPEN_COLUMNS))
async def open_data(
    request: Request[Any, Any, Any], now: datetime, from_: From = None, to: To = None,
    region: Region = None, format: Format = None,
) -> Response[OpenDataOut]:
    """Public and anonymous: counts per school of a region (all schools without `region`)."""
    window = _window(from_, to, now)
    found = await reports.open_data(window, region_id=_id(region))
    rows = [OpenDataRow(key=r.school_id, label=r.school_name, resources=r.resources,
                        sme_companies=r.sme_companies, **shown(r.measures)) for r in found]
    if wants_csv(request, format):
        return csv_response("open-data", window, TZ, OPEN_COLUMNS,
                             (msgspec.structs.asdict(r) for r in rows))
    return Response(OpenDataOut(to_local(window.start, TZ), to_local(window.end, TZ), rows))


LINE_COLUMNS = ("booking_id", "status", "resource_id", "resource", "school", "start", "end",
                "hours", "company", "company_type", "title", "students", "employees",
                "created_at")


def _line(x: reports.ExportLine) -> BookingLineOut:
    line, tz = x.line, x.line.timezone
    return BookingLineOut(
        line.booking_id, line.status, line.resource_id, line.resource_name, line.school_name,
        to_local(line.start, tz), to_local(line.end, tz),
        hours((line.end - line.start).total_seconds()),
        line.company_name if x.detailed else None, "sme" if line.is_sme else "other",
        line.title if x.detailed else None, line.students, line.employees,
        to_local(line.created_at, tz),
    )


@get("/api/v1/reports/bookings", tags=["reports"], security=SECURITY,
     responses=problems(401, 403, 404),
     operation_class=csv_operation("bookings", LINE_COLUMNS))
async def booking_lines(
    request: Request[Any, Any, Any], member: Actor, now: datetime, from_: From = None,
    to: To = None, school: School = None, region: Region = None, format: Format = None,
) -> Response[BookingLines]:
    """Every booking occurrence (any status) the caller may see, per booked resource."""
    window = _window(from_, to, now)
    lines = [_line(x) for x in await reports.booking_lines(
        member, window, school_id=_id(school), region_id=_id(region))]
    if wants_csv(request, format):
        return csv_response("bookings", window, TZ, LINE_COLUMNS, (
            {**msgspec.structs.asdict(x), "start": x.start.isoformat(),
             "end": x.end.isoformat(), "created_at": x.created_at.isoformat()} for x in lines))
    return Response(BookingLines(lines))


ROUTES: list[Any] = [utilisation, companies, participants, request_flow, heatmap, open_data,
                     booking_lines]
