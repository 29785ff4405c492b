"""Report use cases: who may see which scope, then load with the store and measure purely.

Scopes (DESIGN §1, API.md Reports): admins see everything; a school's staff and facility
managers see their school; a coordinator the schools of their region; a company only its own
bookings (on whatever resources), with open hours of the resources it used. Open data is public
and anonymous: counts per school, never a company's name or id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from booking.db import reports_store as store
from booking.db.reports_store import BookingLine, Filter, ResourceInfo
from booking.domain import permissions
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.intervals import Interval, subtract
from booking.domain.openinghours import open_intervals
from booking.domain.permissions import can_view_booking_details
from booking.domain.reports import (
    Flow,
    Measures,
    OpeningProfile,
    PeriodUnit,
    Row,
    Table,
    flow,
    hour_of_week,
    periods,
    usage_table,
)
from booking.domain.roles import Actor

REPORT_TZ = "Europe/Amsterdam"
"""Weeks and months are cut at local midnights of this zone (every site is Dutch)."""
MAX_WINDOW = timedelta(days=400)
GROUPS = ("resource", "school", "week", "month")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller's report covers: a store filter, and whether it is a company's own use."""

    filter: Filter
    own_use: bool


@dataclass(frozen=True, slots=True)
class UsageReport:
    window: Interval
    group_by: str
    rows: list[Row]
    totals: Measures


@dataclass(frozen=True, slots=True)
class CompanyUse:
    company_id: str
    name: str
    is_sme: bool
    booked_seconds: int
    bookings: int
    students: int
    employees: int


@dataclass(frozen=True, slots=True)
class CompaniesReport:
    window: Interval
    rows: list[CompanyUse]
    by_type: Table  # rows "sme" and "other"; `companies` per type


@dataclass(frozen=True, slots=True)
class Heatmap:
    resource: ResourceInfo
    window: Interval
    booked: list[list[int]]  # seconds per [weekday 0=Mon][hour], local time
    open: list[list[int]]


@dataclass(frozen=True, slots=True)
class OpenDataRow:
    school_id: str
    school_name: str
    resources: int
    measures: Measures
    sme_companies: int


def check_window(window: Interval) -> None:
    """422 unless `from` < `to` and the window spans at most `MAX_WINDOW`."""
    if window.is_empty:
        raise RuleViolation([Reason("window", "from must be before to")], field_name="from")
    if window.duration > MAX_WINDOW:
        raise RuleViolation(
            [Reason("window", f"a report window spans at most {MAX_WINDOW.days} days")],
            field_name="to",
        )


async def _region_schools(region_ids: frozenset[str]) -> frozenset[str]:
    return frozenset(s.id for s in await store.schools(region_ids)) if region_ids else frozenset()


async def _requested(school_id: str | None, region_id: str | None) -> frozenset[str] | None:
    """The schools named by the query (None: not narrowed); 404 for unknown ids."""
    school = region = None
    if school_id is not None:
        school = await store.organisation(school_id)
        if school is None or school.kind != "school":
            raise NotFound("no such school")
    if region_id is not None:
        region = await store.organisation(region_id)
        if region is None or region.kind != "region":
            raise NotFound("no such region")
    if school is not None and region is not None and school.region_id != region.id:
        raise RuleViolation([Reason("scope", "the school is not in that region")], "school")
    if school is not None:
        return frozenset({school.id})
    if region is not None:
        return await _region_schools(frozenset({region.id}))
    return None


async def resolve_scope(actor: Actor, school_id: str | None = None,
                        region_id: str | None = None) -> Scope:
    """The scope the actor may see for the query; NotAllowed (403) when none, NotFound (404)
    for unknown schools or regions. A company asking about a school or region gets its own
    use there."""
    if actor.is_anonymous:
        raise NotAllowed("sign in to see reports")
    wanted = await _requested(school_id, region_id)
    if actor.is_admin:
        return Scope(Filter(school_ids=wanted), own_use=False)
    full = permissions.report_school_ids(actor)
    if wanted is None and full:
        return Scope(Filter(school_ids=full), own_use=False)
    if wanted is not None and full and wanted <= full:
        return Scope(Filter(school_ids=wanted), own_use=False)
    if actor.company_ids:
        return Scope(Filter(school_ids=wanted, company_ids=actor.company_ids), own_use=True)
    raise NotAllowed("these reports are not yours to see")


async def _narrowed(scope: Scope, window: Interval) -> Filter:
    """A company's own use counts the open hours of the resources it used, nothing else."""
    if not scope.own_use:
        return scope.filter
    return replace(scope.filter, resource_ids=await store.used_resource_ids(scope.filter, window))


class _OpenHours:
    """Open seconds per bound of each resource; opening hours shared between resources with the
    same rules, exceptions and zone are expanded once."""

    def __init__(self, window: Interval, bounds: Sequence[Interval]) -> None:
        self.window, self.bounds = window, list(bounds)
        self._cache: dict[tuple[object, ...], OpeningProfile] = {}

    def of(self, resource: ResourceInfo, inputs: store.OpeningInputs | None) -> list[int]:
        if inputs is None:
            return [0] * len(self.bounds)
        # as multisets: hashing the frozen rules is far cheaper than sorting them by repr
        # (that sort was a seventh of a year's report over 4,000 resources)
        key = (resource.timezone, frozenset(Counter(inputs.rules).items()),
               frozenset(Counter(inputs.exceptions).items()))
        profile = self._cache.get(key)
        if profile is None:
            profile = self._cache[key] = OpeningProfile(open_intervals(
                inputs.rules, inputs.exceptions, self.window, resource.timezone), self.bounds)
        return profile.minus(inputs.closures)


def _resource_label(resource: ResourceInfo, many_schools: bool) -> str:
    return f"{resource.name} ({resource.school_name})" if many_schools else resource.name


async def utilisation(actor: Actor, window: Interval, *, group_by: str = "resource",
                      school_id: str | None = None, region_id: str | None = None) -> UsageReport:
    """Open and booked hours, bookings, companies and participants per resource, school, week
    or month (API.md Reports). Raises NotAllowed, NotFound, RuleViolation."""
    check_window(window)
    if group_by not in GROUPS:
        raise RuleViolation([Reason("group_by", f"group_by is one of {', '.join(GROUPS)}")],
                            field_name="group_by")
    scope = await resolve_scope(actor, school_id, region_id)
    flt = await _narrowed(scope, window)
    resources = await store.resources(flt)
    inputs = await store.opening_inputs(flt, window)
    if group_by in ("week", "month"):
        cut = periods(window, REPORT_TZ, "week" if group_by == "week" else "month")
        hours = _OpenHours(window, [p.interval for p in cut])
        per_period = [0] * len(cut)
        for resource in resources:
            per_period = [a + b for a, b in
                          zip(per_period, hours.of(resource, inputs.get(resource.id)), strict=True)]
        uses = await store.booked_uses(flt, window, "all", [p.interval for p in cut])
        keyed = [replace(u, key=cut[int(u.key)].key) for u in uses]
        table = usage_table([(p.key, p.label) for p in cut],
                            {p.key: s for p, s in zip(cut, per_period, strict=True)}, keyed)
        return UsageReport(window, group_by, table.rows, table.totals)
    hours = _OpenHours(window, [window])
    open_by: dict[str, int] = {}
    keys: dict[str, str] = {}
    many = len({r.school_id for r in resources}) > 1
    for resource in resources:
        key = resource.id if group_by == "resource" else resource.school_id
        keys.setdefault(key, _resource_label(resource, many) if group_by == "resource"
                        else resource.school_name)
        open_by[key] = open_by.get(key, 0) + hours.of(resource, inputs.get(resource.id))[0]
    uses = await store.booked_uses(flt, window, "resource" if group_by == "resource" else "school")
    table = usage_table(list(keys.items()), open_by, uses)
    return UsageReport(window, group_by, table.rows, table.totals)


async def companies(actor: Actor, window: Interval, *, school_id: str | None = None,
                    region_id: str | None = None) -> CompaniesReport:
    """Booked hours, bookings and participants per company, and per type (SME / other)."""
    check_window(window)
    scope = await resolve_scope(actor, school_id, region_id)
    uses = await store.booked_uses(scope.filter, window, "company")
    info = await store.companies({u.company_id for u in uses})
    rows = sorted(
        (CompanyUse(u.company_id, info[u.company_id].name, info[u.company_id].is_sme,
                    u.seconds, u.bookings, u.students, u.employees) for u in uses),
        key=lambda c: (-c.booked_seconds, c.name),
    )
    typed = [replace(u, key="sme" if info[u.company_id].is_sme else "other") for u in uses]
    return CompaniesReport(window, rows, usage_table([("sme", "SME"), ("other", "other")], {},
                                                     typed))


async def participants(actor: Actor, window: Interval, *, unit: PeriodUnit = "month",
                       school_id: str | None = None, region_id: str | None = None) -> Table:
    """Students and employees of confirmed bookings per period of each booking's first start
    (so a ten-week series counts its people once)."""
    check_window(window)
    scope = await resolve_scope(actor, school_id, region_id)
    cut = periods(window, REPORT_TZ, unit)
    uses = await store.first_starts(scope.filter, window, [p.interval for p in cut])
    keyed = [replace(u, key=cut[int(u.key)].key) for u in uses]
    return usage_table([(p.key, p.label) for p in cut], {}, keyed)


async def request_flow(actor: Actor, window: Interval, *, school_id: str | None = None,
                       region_id: str | None = None) -> Flow:
    """Lead and decision times, cancellation, decline and expiry rates of requests made in the
    window."""
    check_window(window)
    scope = await resolve_scope(actor, school_id, region_id)
    return flow(await store.flow_counts(scope.filter, window))


async def heatmap(actor: Actor, resource_id: str, window: Interval) -> Heatmap:
    """Booked and open seconds per local hour of the week for one resource."""
    check_window(window)
    found = await store.resources(Filter(resource_ids=frozenset({resource_id})))
    if not found:
        raise NotFound("no such resource")
    resource = found[0]
    scope = await resolve_scope(actor, resource.school_id)
    if scope.own_use and resource.visibility != "public" and (
        resource.school_id not in actor.partner_school_ids
    ):
        raise NotFound("no such resource")
    booked = await store.occurrences_on(resource.id, window, scope.filter.company_ids)
    inputs = await store.opening_inputs(Filter(resource_ids=frozenset({resource.id})), window)
    given = inputs.get(resource.id)
    opening: list[Interval] = []
    if given is not None:
        opening = subtract(open_intervals(given.rules, given.exceptions, window,
                                          resource.timezone), given.closures)
    return Heatmap(resource, window, hour_of_week(booked, resource.timezone),
                   hour_of_week(opening, resource.timezone))


async def open_data(window: Interval, *, region_id: str | None = None) -> list[OpenDataRow]:
    """Public, anonymous counts per school of the region (every school without a region)."""
    check_window(window)
    wanted = await _requested(None, region_id)
    flt = Filter(school_ids=wanted)
    schools = await store.schools(None if region_id is None else frozenset({region_id}))
    resources = await store.resources(flt)
    inputs = await store.opening_inputs(flt, window)
    hours = _OpenHours(window, [window])
    open_by: dict[str, int] = {}
    counted: dict[str, int] = {}
    for resource in resources:
        open_by[resource.school_id] = (open_by.get(resource.school_id, 0)
                                       + hours.of(resource, inputs.get(resource.id))[0])
        counted[resource.school_id] = counted.get(resource.school_id, 0) + 1
    uses = await store.booked_uses(flt, window, "school")
    sme = await store.companies({u.company_id for u in uses})
    table = usage_table([(s.id, s.name) for s in schools], open_by, uses)
    return [
        OpenDataRow(row.key, row.label, counted.get(row.key, 0), row.measures,
                    len({u.company_id for u in uses
                         if u.key == row.key and sme[u.company_id].is_sme}))
        for row in table.rows
    ]


@dataclass(frozen=True, slots=True)
class ExportLine:
    """A booking line; `detailed` False hides title and company (coordinators see aggregates)."""

    line: BookingLine
    detailed: bool


async def booking_lines(actor: Actor, window: Interval, *, school_id: str | None = None,
                        region_id: str | None = None) -> list[ExportLine]:
    """Every booking occurrence the caller may see in the scope, any status."""
    check_window(window)
    scope = await resolve_scope(actor, school_id, region_id)
    lines = await store.booking_lines(scope.filter, window)
    return [ExportLine(line, can_view_booking_details(actor, line.company_id, [line.school_id]))
            for line in lines]

