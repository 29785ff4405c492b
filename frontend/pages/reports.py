"""Report pages (`/reports`): the caller's scope at a glance — charts with their data tables and
CSV/JSON links to the same numbers in the API. Staff see their school, coordinators their region,
companies their own use (the services decide; these controllers only render)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import get_day_names
from litestar import Request, Response, Router, get

from booking.domain.intervals import Interval
from booking.domain.localtime import local_date, local_instant
from booking.domain.reports import shown, top_and_idle
from booking.domain.roles import Actor, Role
from booking.i18n import translations
from booking.services import reports
from booking.timefmt import local_iso
from frontend.charts import Series, bar_chart, heat_map, line_chart
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.guards import signed_in
from frontend.rendering import render
from frontend.templating import BABEL_LOCALES, period_label, request_locale

TZ = reports.REPORT_TZ
DEFAULT_DAYS = 56  # eight weeks
API = "/api/v1/reports"


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """The page's window (local dates, `last` inclusive) and scope, as read from the URL."""

    first: date
    last: date
    school: str | None
    region: str | None
    invalid_dates: bool = False

    @property
    def window(self) -> Interval:
        return Interval(local_instant(TZ, self.first, 0),
                        local_instant(TZ, self.last + timedelta(days=1), 0))

    def scope(self) -> dict[str, str]:
        return {k: v for k, v in (("school", self.school), ("region", self.region)) if v}

    def page(self, **extra: str) -> str:
        """Query string of a report page with this window and scope."""
        return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat(),
                          **self.scope(), **extra})

    def school_page(self, school_id: str) -> str:
        """Query string of the overview of one school in this window."""
        return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat(),
                          "school": school_id})

    def api(self, path: str, fmt: str | None = None, **extra: str) -> str:
        """The API URL serving a chart's numbers (JSON, or CSV with `fmt="csv"`)."""
        window = self.window
        params = {"from": local_iso(window.start, TZ), "to": local_iso(window.end, TZ),
                  **self.scope(), **extra}
        if fmt:
            params["format"] = fmt
        return f"{API}/{path}?{urlencode(params)}"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def read_query(request: Request[Any, Any, Any], now: datetime) -> ReportQuery:
    """`from`/`to` as local dates (default: the last eight weeks up to today); invalid or
    reversed dates fall back to the default and say so."""
    params = request.query_params
    today = local_date(now, TZ)
    default = (today - timedelta(days=DEFAULT_DAYS - 1), today)
    try:
        first = _day(params.get("from")) or default[0]
        last = _day(params.get("to")) or default[1]
        invalid = last < first or (last - first).days > reports.MAX_WINDOW.days - 2
    except ValueError:
        invalid = True
    if invalid:
        first, last = default
    return ReportQuery(first, last, params.get("school") or None, params.get("region") or None,
                       invalid)



def scope_label(actor: Actor, scope: reports.Scope) -> str:
    """Whose numbers these are, in the organisation names the user knows."""
    names = {m.organisation_id: m.organisation_name for m in actor.memberships}
    if scope.own_use:
        return ", ".join(sorted(names[c] for c in actor.company_ids))
    regions = [names[r] for r in actor.org_ids(Role.COORDINATOR)]
    schools = [names[s] for s in actor.staff_school_ids]
    return ", ".join(sorted(regions + schools)) or "labshare"


def _pct(value: float) -> str:
    return f"{value:.0%}"


@get("/", name="reports.overview", guards=[signed_in])
async def overview(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    """Utilisation per week, hours by company type, participants over time, top and idle."""
    q = read_query(request, now)
    scope_kw = {"school_id": q.school, "region_id": q.region}
    window = q.window
    scope = await reports.resolve_scope(actor, q.school, q.region)
    weekly = await reports.utilisation(actor, window, group_by="week", **scope_kw)
    per_resource = await reports.utilisation(actor, window, group_by="resource", **scope_kw)
    per_school = await reports.utilisation(actor, window, group_by="school", **scope_kw)
    firms = await reports.companies(actor, window, **scope_kw)
    people = await reports.participants(actor, window, unit="week", **scope_kw)
    flow = await reports.request_flow(actor, window, **scope_kw)
    top, idle = top_and_idle(per_resource.rows)
    _ = translations(request_locale(request)).gettext
    weeks = [period_label(r.label, request_locale(request), "d MMM") for r in weekly.rows]
    charts = {
        "weekly": line_chart(
            weeks, [Series(_("Utilisation"), [r.measures.utilisation for r in weekly.rows])],
            title=_("Utilisation per week"),
            desc=_("Booked hours as a share of open hours, week by week; the table next to "
                   "the chart lists the numbers."), y_label=_pct,
            y_max=max([0.1, *(r.measures.utilisation for r in weekly.rows)])),
        "types": bar_chart(
            [_("SME"), _("Other companies")],
            [Series(_("Booked hours"), [r.measures.booked_hours for r in firms.by_type.rows])],
            title=_("Booked hours by company type"),
            desc=_("Hours booked by small and medium-sized enterprises and by other "
                   "companies.")),
        "people": bar_chart(
            weeks, [Series(_("Students"), [r.measures.students for r in people.rows]),
                    Series(_("Employees"), [r.measures.employees for r in people.rows])],
            title=_("Participants trained over time"),
            desc=_("Students and employees of confirmed bookings, counted in the week of a "
                   "booking's first session.")),
    }
    return await render(
        request, "reports/overview.html", section="reports", q=q, current="overview",
        heading=_("Reports"), label=scope_label(actor, scope), own_use=scope.own_use,
        weekly=weekly, per_school=per_school, firms=firms, people=people, flow=flow,
        top=top, idle=idle, charts=charts, shown=shown, resources=len(per_resource.rows),
        coordinator=bool(actor.org_ids(Role.COORDINATOR)),
    )


@get("/resources", name="reports.resources", guards=[signed_in])
async def resources(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    """Every resource of the scope with its utilisation, linking to its heat map."""
    q = read_query(request, now)
    scope = await reports.resolve_scope(actor, q.school, q.region)
    table = await reports.utilisation(actor, q.window, group_by="resource", school_id=q.school,
                                      region_id=q.region)
    _ = translations(request_locale(request)).gettext
    return await render(
        request, "reports/resources.html", section="reports", q=q, current="resources",
        heading=_("Resources"), label=scope_label(actor, scope), own_use=scope.own_use,
        table=table, shown=shown, coordinator=bool(actor.org_ids(Role.COORDINATOR)),
    )


@get("/resources/{resource_id:uuid}", name="reports.heatmap", guards=[signed_in])
async def resource_heatmap(request: Request[Any, Any, Any],
                           actor: Actor, now: datetime, resource_id: Any) -> Response[Any]:
    """When a resource is used: booked share of open time per local hour of the week."""
    q = read_query(request, now)
    heat = await reports.heatmap(actor, str(resource_id), q.window)
    locale = request_locale(request)
    _ = translations(locale).gettext
    days = [str(get_day_names("abbreviated", locale=BABEL_LOCALES[locale])[d]) for d in range(7)]
    used = [h for h in range(24) if any(heat.open[d][h] or heat.booked[d][h] for d in range(7))]
    hours = list(range(min(used), max(used) + 1)) if used else list(range(8, 18))
    shares = [[(min(heat.booked[d][h] / heat.open[d][h], 1.0) if heat.open[d][h]
                else (1.0 if heat.booked[d][h] else None)) for h in hours] for d in range(7)]
    chart = heat_map(days, [f"{h:02d}" for h in hours], shares,
                     title=_("When %(name)s is used") % {"name": heat.resource.name},
                     desc=_("Share of the open hours that was booked, per weekday and hour "
                            "(local time); grey cells were never open."),
                     closed_label=_("never open"))
    return await render(
        request, "reports/heatmap.html", section="reports", q=q, current="resources",
        heading=heat.resource.name, heat=heat, chart=chart, days=days, hours=hours,
        shares=shares, resource_id=str(resource_id), label=heat.resource.school_name,
        own_use=False, coordinator=bool(actor.org_ids(Role.COORDINATOR)),
    )


ROUTES: list[Any] = [
    Router(
        path="/reports",
        route_handlers=[overview, resources, resource_heatmap],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
