"""The coordinator's region at a glance: per school its resources, booked hours, utilisation,
companies and participants over the last four weeks, as a table and a server-rendered chart.

The numbers come from one call of the reporting service (`reports.utilisation`, grouped by
school), so the page shows exactly what the reports API answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response, Router

from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.reports import Measures
from booking.domain.roles import Actor, Role
from booking.services import reports, school_overview
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.guards import requires
from frontend.pages.manage_common import page
from frontend.rendering import render

WEEKS = 4
ZONE = reports.REPORT_TZ


@dataclass(frozen=True, slots=True)
class SchoolLine:
    key: str
    label: str
    resources: int
    measures: Measures

    @property
    def participants(self) -> int:
        return self.measures.students + self.measures.employees


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float  # utilisation 0..1
    y: int
    width: float


SCALES = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)


def axis_max(lines: list[SchoolLine]) -> float:
    """The chart's full scale: the smallest of 5, 10, 20, 25, 50, 100 % that fits every school
    (labelled on the axis, so low utilisation stays readable without misleading)."""
    top = max((s.measures.utilisation for s in lines), default=0.0)
    return next((m for m in SCALES if top <= m), 1.0)


def bars(lines: list[SchoolLine], scale: float, *, row: int = 30, span: float = 480.0
         ) -> list[Bar]:
    """Horizontal bars of utilisation, highest first; `width` in SVG units, `span` = `scale`."""
    ordered = sorted(lines, key=lambda s: (-s.measures.utilisation, s.label))
    return [
        Bar(s.label, u, i * row, round(min(u / scale, 1) * span, 1))
        for i, s in enumerate(ordered)
        for u in [s.measures.utilisation]
    ]


def _coordinates(actor: Actor) -> bool:
    """A region's coordinator, or an admin."""
    return bool(actor.org_ids(Role.COORDINATOR) or actor.is_admin)


@page("/", name="coordinator.region", guards=[requires(_coordinates)])
async def region(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    today = local_date(now, ZONE)
    first = today - timedelta(weeks=WEEKS)
    window = Interval(local_instant(ZONE, first, 0), local_instant(ZONE, today, 0))
    report = await reports.utilisation(actor, window, group_by="school")
    counts = await school_overview.resource_counts(actor, [r.key for r in report.rows])
    lines = sorted(
        (SchoolLine(r.key, r.label, counts.get(r.key, 0), r.measures) for r in report.rows),
        key=lambda s: s.label,
    )
    scale = axis_max(lines)
    regions = [m.organisation_name for m in actor.memberships if m.role is Role.COORDINATOR]
    return await render(
        request, "coordinator/region.html", section="coordinator", lines=lines,
        totals=report.totals, bars=bars(lines, scale), scale=scale, first=first,
        last=today - timedelta(days=1),
        region_name=", ".join(regions), resources=sum(s.resources for s in lines),
    )


ROUTES: list[Any] = [
    Router(
        path="/coordinator",
        route_handlers=[region],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
