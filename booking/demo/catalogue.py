"""The demo region's catalogue: organisations, sites, resources, hours, closures and people."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from booking.db.bulk_store import Dataset
from booking.demo import names
from booking.demo.calendar import DAY, PROFILES, TZ, Span, holiday_closures, instant, local_epoch
from booking.demo.names import LABS, CompanySpec, LabSpec, SchoolSpec, SiteSpec

NO_CONTACT = {"contact_name": "", "contact_email": "", "contact_phone": ""}
"""Contacts are set after the bulk write (booking/demo/photos.py)."""

PROFILE_WEIGHTS = {"dag": 35, "lang": 25, "avond": 20, "zaterdag": 10, "avond-zaterdag": 10}
RATE_FACTORS = {"standard": Decimal(1), "sme": Decimal("0.9"), "partner": Decimal("0.8")}
CENT = Decimal("0.01")


def _json(value: object) -> str:
    """JSON text as Piccolo writes a JSON column (`json.dumps`, unknown types as str)."""
    return json.dumps(value, default=str)


def new_id(rng: random.Random) -> uuid.UUID:
    """A random (version 4) UUID drawn from `rng`, so reruns give the same ids."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass(slots=True)
class ResourceInfo:
    """What the booking generator needs to know about a resource (durations in minutes)."""

    id: uuid.UUID
    school_id: uuid.UUID
    spec: LabSpec
    is_lab: bool
    profile: str
    slot: int
    notice: int
    min_minutes: int
    max_minutes: int
    buffer_before: int
    buffer_after: int
    approval: bool
    bookable_by: str
    visibility: str
    capacity: int
    rates: dict[str, Decimal]
    quota_hours: int | None
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    closures: list[Span] = field(default_factory=list)
    name: str = ""


@dataclass(slots=True)
class CompanyInfo:
    id: uuid.UUID
    name: str
    sme: bool
    interests: tuple[str, ...]
    bookers: list[uuid.UUID] = field(default_factory=list)
    partner_of: set[uuid.UUID] = field(default_factory=set)


@dataclass(slots=True)
class Catalogue:
    data: Dataset
    first_day: date  # the local dates the demo's bookings and weekly closures cover
    last_day: date
    resources: list[ResourceInfo] = field(default_factory=list)
    companies: list[CompanyInfo] = field(default_factory=list)
    school_ids: list[uuid.UUID] = field(default_factory=list)
    site_count: int = 0
    closure_count: int = 0
    user_count: int = 0
    requests: list[tuple[int, int, int]] = field(default_factory=list)
    """Coming pending requests to place: (resource index, company index, how many)."""


class _Builder:
    def __init__(self, rng: random.Random, now: datetime, cat: Catalogue, pw_hash: str) -> None:
        self.rng, self.now, self.cat, self.pw_hash = rng, now, cat, pw_hash
        self.data = cat.data
        self.emails: set[str] = set()
        self.brins = {s.brin for s in names.SCHOOLS}
        self.approval: dict[uuid.UUID, tuple[str, ...]] = {}  # per school: names it approves

    def org(self, kind: str, name: str, city: str = "", region: uuid.UUID | None = None,
            **extra: object) -> uuid.UUID:
        oid = new_id(self.rng)
        values: dict[str, object] = {"kvk": None, "brin": None, "level": None, "is_sme": False,
                                     **NO_CONTACT}
        values.update(extra)
        self.data.add("organisations", id=oid, kind=kind, name=name, city=city, region=region,
                      created_at=self.now - timedelta(days=400), **values)
        return oid

    def user(self, email: str, name: str, org: uuid.UUID, role: str) -> uuid.UUID:
        uid = new_id(self.rng)
        self.emails.add(email)
        self.data.add("users", id=uid, email=email, name=name, password_hash=self.pw_hash,
                      locale="nl", is_active=True, created_at=self.now - timedelta(days=300),
                      reminders=True, digest=False, last_seen_at=None, anonymised_at=None)
        self.data.add("memberships", id=new_id(self.rng), user=uid, organisation=org, role=role)
        self.cat.user_count += 1
        return uid

    def person(self, org: uuid.UUID, role: str, domain: str) -> uuid.UUID:
        first, last = self.rng.choice(names.FIRST_NAMES), self.rng.choice(names.LAST_NAMES)
        local = f"{first}.{last}".lower().replace(" ", "")
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        return self.user(email, f"{first} {last}", org, role)

    def site_closure(self, site: uuid.UUID, span: Span, reason: str, kind: str) -> None:
        self.data.add("closures", id=new_id(self.rng), resource=None, site=site, source=None,
                      starts_at=instant(span[0]), ends_at=instant(span[1]), reason=reason,
                      kind=kind)
        self.cat.closure_count += 1

    def closure(self, info: ResourceInfo, span: Span, reason: str, kind: str) -> None:
        self.data.add("closures", id=new_id(self.rng), resource=info.id, site=None, source=None,
                      starts_at=instant(span[0]), ends_at=instant(span[1]), reason=reason,
                      kind=kind)
        info.closures.append(span)
        self.cat.closure_count += 1

    def resource(self, school: uuid.UUID, site: uuid.UUID, parent: ResourceInfo | None,
                 spec: LabSpec, name: str, description: str, tags: tuple[str, ...],
                 hourly: int, capacity: int) -> ResourceInfo:
        rng, is_lab = self.rng, parent is None
        if parent is None:
            roll = rng.random()
            bookable = "partners" if roll < 0.08 else "internal" if roll < 0.11 else "all"
            if bookable == "partners" and not any(school in c.partner_of
                                                  for c in self.cat.companies):
                bookable = "all"  # partners-only needs partners
            info = ResourceInfo(
                new_id(rng), school, spec, True,
                rng.choices(list(PROFILE_WEIGHTS), list(PROFILE_WEIGHTS.values()))[0],
                rng.choice((30, 60, 60)), rng.choice((1440, 2880)), 60, 480,
                spec.buffer_before, spec.buffer_after, spec.approval or rng.random() < 0.06,
                bookable, "public" if bookable == "all" else bookable, capacity, {},
                spec.quota_hours)
            # (drawn above even when forced here, so the other resources stay as they were)
            info.approval = info.approval or name in self.approval.get(school, ())
        else:
            internal = parent.bookable_by == "internal" or rng.random() < 0.04
            bookable = "internal" if internal else parent.bookable_by
            info = ResourceInfo(
                new_id(rng), school, spec, False, parent.profile, 30, parent.notice, 60, 480,
                0, 0, parent.approval, bookable, "public" if bookable == "all" else bookable,
                capacity, {}, None)
            info.approval = info.approval or name in self.approval.get(school, ())
        info.name = name
        info.rates = {k: (hourly * f).quantize(CENT) for k, f in RATE_FACTORS.items()}
        self.data.add(
            "resources", id=info.id, school=school, site=site,
            parent=parent.id if parent else None,
            kind="lab" if is_lab else "equipment", name=name, description=description,
            capacity=capacity, tags=_json(list(tags)), visibility=info.visibility,
            rates=_json([{"customer_class": k, "hourly": str(v), "currency": "EUR"}
                             for k, v in info.rates.items()]),
            approval_required=info.approval, slot_minutes=info.slot,
            min_notice_minutes=info.notice, max_advance_days=rng.choice((183, 240, 365)),
            min_duration_minutes=info.min_minutes, max_duration_minutes=info.max_minutes,
            buffer_before_minutes=info.buffer_before, buffer_after_minutes=info.buffer_after,
            bookable_by=info.bookable_by, induction_required=spec.induction and is_lab,
            quota_hours_per_week=info.quota_hours, updated_at=self.now, **NO_CONTACT)
        for tag in tags:
            self.data.add("resource_tags", id=new_id(rng), resource=info.id, tag=tag)
        for hours in PROFILES[info.profile]:
            for weekday in hours.weekdays:
                self.data.add("opening_rules", id=new_id(rng), resource=info.id, weekday=weekday,
                              opens=f"{hours.opens:02d}:00", closes=f"{hours.closes:02d}:00",
                              valid_from=None, valid_to=None)
        self.cat.resources.append(info)
        return info

    def lab(self, school: uuid.UUID, site: uuid.UUID, spec: LabSpec) -> None:
        rng = self.rng
        lab = self.resource(school, site, None, spec, spec.name, spec.description, spec.tags,
                            spec.hourly, spec.capacity)
        lab_index = len(self.cat.resources) - 1
        group = [lab]
        for eq in spec.equipment:
            child = self.resource(school, site, lab, spec, eq.name, eq.description, eq.tags,
                                  eq.hourly, rng.randint(1, 4))
            child.parent = lab_index
            lab.children.append(len(self.cat.resources) - 1)
            group.append(child)
            if rng.random() < 0.2:
                self.closure(child, self.weekday_span(8, 17), eq.maintenance, "maintenance")
        first, last = self.cat.first_day - 90 * DAY, self.cat.last_day + 300 * DAY
        if spec.school_holidays:
            for reason, span in holiday_closures(first, last, public=False, school=True):
                for info in group:
                    self.closure(info, span, reason, "holiday")
        if rng.random() < 0.1:
            span = self.weekday_span(8, 17)
            for info in group:
                self.closure(info, span, f"Onderhoud {spec.name.lower()}", "maintenance")
        if rng.random() < 0.35:
            weekday, (opens, closes) = rng.randint(1, 5), rng.choice(((8, 12), (13, 17)))
            day = self.cat.first_day + (weekday - self.cat.first_day.isoweekday()) % 7 * DAY
            while day <= self.cat.last_day:
                span = (local_epoch(day, opens * 60), local_epoch(day, closes * 60))
                for info in group:
                    self.closure(info, span, spec.own_use, "timetable")
                day += 7 * DAY

    def weekday_span(self, opens: int, closes: int) -> Span:
        """A random working day of the demo period, `opens`–`closes` local time."""
        span_days = (self.cat.last_day - self.cat.first_day).days
        day = self.cat.first_day + self.rng.randrange(span_days) * DAY
        while day.isoweekday() > 5:
            day += DAY
        return local_epoch(day, opens * 60), local_epoch(day, closes * 60)

    def school(self, spec: SchoolSpec, region: uuid.UUID) -> uuid.UUID:
        sid = self.org("school", spec.name, spec.city, region, brin=spec.brin, level=spec.level)
        self.approval[sid] = spec.approval
        self.cat.school_ids.append(sid)
        email = f"facility@{spec.slug}.test"
        first, last = self.rng.choice(names.FIRST_NAMES), self.rng.choice(names.LAST_NAMES)
        self.user(email, f"{first} {last}", sid, "facility_manager")
        for _ in range(2):
            self.person(sid, "staff", f"{spec.slug}.test")
        return sid

    def site(self, school: uuid.UUID, spec: SiteSpec) -> uuid.UUID:
        site = new_id(self.rng)
        self.data.add("sites", id=site, school=school, name=spec.name, address=spec.street,
                      postcode=spec.postcode, city=spec.city, latitude=spec.latitude,
                      longitude=spec.longitude, timezone=TZ)
        self.cat.site_count += 1
        first, last = self.cat.first_day - 90 * DAY, self.cat.last_day + 300 * DAY
        for reason, span in holiday_closures(first, last):
            self.site_closure(site, span, reason, "holiday")
        return site

    def company(self, spec: CompanySpec, school_by_slug: dict[str, uuid.UUID]) -> None:
        kvk = f"{self.rng.randint(10_000_000, 99_999_999)}"
        cid = self.org("company", spec.name, spec.city, None, kvk=kvk, is_sme=spec.sme)
        info = CompanyInfo(cid, spec.name, spec.sme, spec.interests)
        for slug in spec.partner_of:
            school = school_by_slug[slug]
            info.partner_of.add(school)
            self.data.add("partnerships", id=new_id(self.rng), school=school, company=cid,
                          valid_from=None, valid_to=None, created_at=self.now)
        info.bookers.append(self.user(f"planner@{spec.slug}.test",
                                      f"Planner {spec.name.removesuffix(' BV')}", cid, "booker"))
        if not spec.sme:
            info.bookers.append(self.person(cid, "booker", f"{spec.slug}.test"))
        self.cat.companies.append(info)

    def extra_school(self, index: int) -> tuple[SchoolSpec, list[SiteSpec]]:
        """Generated school number `index` (from 1) with 2–3 sites of 2–3 labs each."""
        rng = self.rng
        hbo = index % 3 == 0
        area = rng.choice(names.SCHOOL_AREAS)
        name = f"{'Hogeschool' if hbo else 'ROC'} Techniek {area} {index}"
        brin = ""
        while not brin or brin in self.brins:
            brin = f"{rng.randint(10, 31)}{rng.choice('ABCDEFGHKLMNPRSTUWXZ')}" \
                   f"{rng.choice('ABCDEFGHKLMNPRSTUWXZ')}"
        self.brins.add(brin)
        city, base, lat, lon = rng.choice(names.CITIES)
        sites = []
        for _ in range(rng.randint(2, 3)):
            letters = rng.choice("ABCEGHJKLMNPRTVWXZ") + rng.choice("ABCEGHJKLMNPRTVWXZ")
            sites.append(SiteSpec(
                f"{rng.choice(names.SITE_KINDS)} {city} {rng.choice(names.STREETS).split()[0]}",
                f"{rng.choice(names.STREETS)} {rng.randint(1, 250)}",
                f"{base}{rng.randint(10, 99)} {letters}", city,
                round(lat + rng.uniform(-0.03, 0.03), 5), round(lon + rng.uniform(-0.03, 0.03), 5),
                tuple(rng.sample(sorted(LABS), rng.randint(2, 3)))))
        slug = name.lower().replace(" ", "-")
        return SchoolSpec(name, slug, brin, "HBO" if hbo else "MBO", city, ()), sites

    def extra_company(self, index: int) -> CompanySpec:
        rng = self.rng
        city = rng.choice(names.CITIES)[0]
        word, suffix = rng.choice(names.COMPANY_WORDS), rng.choice(names.COMPANY_SUFFIXES)
        name = f"{city} {word} {index} {suffix}"
        return CompanySpec(name, f"bedrijf-{index}", city, rng.random() < 0.6,
                           tuple(rng.sample(sorted(LABS), rng.randint(2, 4))))


def build_catalogue(rng: random.Random, now: datetime, first_day: date, last_day: date,
                    pw_hash: str, resources: int | None) -> Catalogue:
    """Organisations, people and resources of the demo region, grown to about `resources`."""
    cat = Catalogue(Dataset(), first_day, last_day)
    b = _Builder(rng, now, cat, pw_hash)
    platform = b.org("platform", names.PLATFORM_NAME)
    region = b.org("region", names.REGION_NAME, "Rotterdam")
    b.user("admin@labshare.test", "Beheerder labshare", platform, "admin")
    b.user("coordinator@regio.test", "Coördinator Katapult Zuid-Holland", region, "coordinator")
    schools: list[tuple[uuid.UUID, list[SiteSpec]]] = []
    by_slug: dict[str, uuid.UUID] = {}
    for spec in names.SCHOOLS:
        by_slug[spec.slug] = b.school(spec, region)
        schools.append((by_slug[spec.slug], list(spec.sites)))
    planned = sum(1 + len(LABS[k].equipment) for s in names.SCHOOLS for x in s.sites
                  for k in x.labs)
    index = 0
    while resources is not None and planned < resources:
        index += 1
        spec, sites = b.extra_school(index)
        schools.append((b.school(spec, region), sites))
        planned += sum(1 + len(LABS[k].equipment) for x in sites for k in x.labs)
    for company_spec in names.COMPANIES:
        b.company(company_spec, by_slug)
    for i in range(1, len(schools) // 2 - 1):
        b.company(b.extra_company(i), by_slug)
        company = cat.companies[-1]
        for school in rng.sample(cat.school_ids, rng.randint(0, 2)):
            company.partner_of.add(school)
            cat.data.add("partnerships", id=new_id(rng), school=school, company=company.id,
                         valid_from=None, valid_to=None, created_at=now)
    for school, sites in schools:
        for site_spec in sites:
            site = b.site(school, site_spec)
            for key in site_spec.labs:
                b.lab(school, site, LABS[key])
    company_index = {spec.slug: i for i, spec in enumerate(names.COMPANIES)}
    for spec in names.SCHOOLS:
        school = by_slug[spec.slug]
        for name, slug, count in spec.requests:
            index = next(i for i, r in enumerate(cat.resources)
                         if r.school_id == school and r.name == name)
            cat.requests.append((index, company_index[slug], count))
    public = [span for _, span in holiday_closures(first_day - 90 * DAY, last_day + 300 * DAY)]
    for resource in cat.resources:  # the sites' public holidays hold for every resource
        resource.closures.extend(public)
        resource.closures.sort()
    return cat
