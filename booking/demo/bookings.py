"""Demo bookings: conflict-free by construction, inside opening hours, around `now`.

Every resource keeps its blocked time in memory (closures merged, then the claims of active
bookings, buffers included) as sorted parallel start/end lists of epoch seconds; a booking is
placed only where all its claims are free, so the database's overlap guard never fires. Weekly
caps keep the coming weeks at most ~38 % claimed, so that newcomers find free windows.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from booking.demo.calendar import DAY, PROFILES, Span, instant, open_spans
from booking.demo.catalogue import Catalogue, CompanyInfo, ResourceInfo, new_id
from booking.domain.claims import blocking, claim_seconds, claimed
from booking.domain.permissions import bookable_by_allows, customer_class_for
from booking.domain.pricing import CURRENCY, line_amount, rate_for

WEEK = 7 * 86400
PAST_CAP, FUTURE_CAP = 0.70, 0.38
"""Share of a week's opening hours that active claims may fill, before and after `now`."""
LAB_DURATIONS = (120, 180, 240, 240, 360, 480)
EQUIPMENT_DURATIONS = (60, 90, 120, 120, 180, 240)
DECLINE_MESSAGES = (
    "Helaas, de ruimte is die week nodig voor examens.",
    "Niet mogelijk: er is geen begeleider beschikbaar.",
    "Graag eerst de veiligheidsinstructie volgen; daarna opnieuw aanvragen.",
)

BOOKING_COLUMNS = (
    "id", "organisation", "created_by", "title", "status", "students", "employees",
    "price_amount", "currency", "rrule", "starts_at", "ends_at", "version", "sequence",
    "decision_message", "decided_at", "cancelled_at", "created_at", "updated_at",
)
OCCURRENCE_COLUMNS = ("id", "booking", "position", "starts_at", "ends_at", "status")
BOOKING_RESOURCE_COLUMNS = ("id", "booking", "resource")
CLAIM_COLUMNS = ("id", "booking", "occurrence", "resource", "start_s", "end_s", "active")


DEMO_COMPANIES = frozenset({"Acme Metaal BV", "Beta Robotics BV"})
"""The companies of planner@acme.test and planner@beta.test."""


@dataclass(slots=True)
class _Blocked:
    """Sorted, mutually non-overlapping blocked intervals of one resource, and weekly use."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    used: Counter[int] = field(default_factory=Counter)

    def is_free(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # intervals starting before `end`: [0, i)
        return i == 0 or self.ends[i - 1] <= start

    def block(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


class BookingGenerator:
    """Places bookings for a catalogue over the local dates `first_day` … `first_day + days`."""

    def __init__(self, rng: random.Random, cat: Catalogue, now_s: int, first_day: date,
                 days: int, base_s: int) -> None:
        self.rng, self.cat, self.now_s, self.base_s = rng, cat, now_s, base_s
        dates = [first_day + i * DAY for i in range(days)]
        self.spans = {p: open_spans(p, dates) for p in PROFILES}
        self.weeks = (days + 6) // 7
        self.open_secs: dict[str, list[int]] = {}
        for profile, per_day in self.spans.items():
            secs = [0] * self.weeks
            for i, spans in enumerate(per_day):
                secs[i // 7] += sum(e - s for s, e in spans)
            self.open_secs[profile] = secs
        self.blocked: list[_Blocked] = []
        for info in cat.resources:
            merged = _merged(info.closures)
            self.blocked.append(_Blocked([s for s, _ in merged], [e for _, e in merged]))
        self.quota: Counter[tuple[int, int, int]] = Counter()
        self.rows: dict[str, list[tuple[object, ...]]] = {
            "bookings": [], "occurrences": [], "booking_resources": [], "claims": []}
        self.statuses: Counter[str] = Counter()

    def week(self, epoch: int) -> int:
        return (epoch - self.base_s) // WEEK

    def cap(self, info: ResourceInfo, week: int) -> float:
        share = FUTURE_CAP if self.base_s + (week + 1) * WEEK > self.now_s else PAST_CAP
        return share * self.open_secs[info.profile][week]

    def candidates(self, info: ResourceInfo) -> list[int]:
        """Indexes of the companies that would book `info`, partners of its school twice."""
        found: list[int] = []
        for i, company in enumerate(self.cat.companies):
            partner = info.school_id in company.partner_of
            if not self.may_book(info, company):
                continue
            if info.spec.key in company.interests or partner:
                found.extend((i, i) if partner else (i,))
        if not found and info.bookable_by == "all":
            found = list(range(len(self.cat.companies)))
        return found

    def claimed(self, r: int) -> list[int]:
        """What a booking of resource `r` claims (`claims.claimed`: a lab, its equipment)."""
        info = self.cat.resources[r]
        return claimed(r, info.children, is_lab=info.is_lab)

    def claims(self, q: int, start: int, end: int) -> tuple[int, int]:
        """The claim on resource `q` for an occurrence (`claims.claim_seconds`: its buffers)."""
        other = self.cat.resources[q]
        return claim_seconds(start, end, other.buffer_before, other.buffer_after)

    def fits(self, r: int, occurrences: list[Span], company: int, active: bool) -> bool:
        info = self.cat.resources[r]
        mine = self.claimed(r)
        for q in mine:
            other, blocked = self.cat.resources[q], self.blocked[q]
            for start, end in occurrences:
                cs, ce = self.claims(q, start, end)
                if not blocked.is_free(cs, ce):
                    return False
                w = self.week(start)
                if active and blocked.used[w] + ce - cs > self.cap(other, w):
                    return False
        # the others whose claims block `r` (`claims.blocking`: its lab), with r's buffers
        for q in blocking(r, info.children, info.parent) - set(mine):
            if not all(self.blocked[q].is_free(*self.claims(r, s, e)) for s, e in occurrences):
                return False
        if active and info.quota_hours is not None:
            for start, end in occurrences:
                if self.quota[r, company, self.week(start)] + end - start > info.quota_hours * 3600:
                    return False
        return True

    def propose(self, info: ResourceInfo, weeks: int, from_day: int = 0) -> list[Span] | None:
        """Random slot-aligned occurrences inside one opening span, `weeks` weeks in a row,
        starting on day index `from_day` or later."""
        rng, per_day = self.rng, self.spans[info.profile]
        day = rng.randrange(from_day, len(per_day) - 7 * (weeks - 1))
        if not per_day[day]:
            return None
        j = rng.randrange(len(per_day[day]))
        start0, end0 = per_day[day][j]
        pool = LAB_DURATIONS if info.is_lab else EQUIPMENT_DURATIONS
        minutes = rng.choice(pool)
        if minutes % info.slot or not info.min_minutes <= minutes <= info.max_minutes:
            minutes = max(info.slot, info.min_minutes)
        duration = minutes * 60
        if duration > end0 - start0:
            return None
        offset = info.slot * 60 * rng.randint(0, (end0 - start0 - duration) // (info.slot * 60))
        found: list[Span] = []
        for k in range(weeks):
            spans = per_day[day + 7 * k]
            if len(spans) <= j or spans[j][0] + offset + duration > spans[j][1]:
                return None
            found.append((spans[j][0] + offset, spans[j][0] + offset + duration))
        return found

    def place(self, r: int, companies: list[int]) -> bool:
        """Try once to add a booking (sometimes a weekly series) on resource `r`."""
        rng, info = self.rng, self.cat.resources[r]
        series = not info.approval and rng.random() < 0.04
        occurrences = self.propose(info, rng.randint(3, 8) if series else 1)
        if occurrences is None:
            return False
        company = rng.choice(companies)
        inactive = rng.random() < (0.25 if info.approval else 0.12)
        if not self.fits(r, occurrences, company, not inactive):
            return False
        if not inactive:
            self.hold(r, company, occurrences)
        self.emit(r, self.cat.companies[company], occurrences, inactive)
        return True

    def may_book(self, info: ResourceInfo, company: CompanyInfo) -> bool:
        """`permissions.bookable_by_allows`, as create decides it."""
        return bookable_by_allows(info.bookable_by, is_partner=info.school_id in company.partner_of)

    def request(self, r: int, company: int, count: int) -> int:
        """Up to `count` coming pending requests by `company` on resource `r` (which must
        require approval), at least two days ahead and beyond the notice; returns how many."""
        info, buyer = self.cat.resources[r], self.cat.companies[company]
        if not info.approval or not self.may_book(info, buyer):
            return 0
        first = (self.now_s - self.base_s) // 86400 + 2
        placed = misses = 0
        while placed < count and misses < 200:
            found = self.propose(info, 1, from_day=min(first, len(self.spans[info.profile]) - 1))
            ok = (found is not None and found[0][0] >= self.now_s + info.notice * 60
                  and self.fits(r, found, company, True))
            if not ok or found is None:
                misses += 1
                continue
            self.hold(r, company, found)
            self.emit(r, buyer, found, False, status="pending")
            placed += 1
        return placed

    def hold(self, r: int, company: int, occurrences: list[Span]) -> None:
        """Block the claims of an active booking (buffers, the lab's equipment) and count it."""
        for q in self.claimed(r):
            for start, end in occurrences:
                cs, ce = self.claims(q, start, end)
                self.blocked[q].block(cs, ce)
                self.blocked[q].used[self.week(start)] += ce - cs
        for start, end in occurrences:
            self.quota[r, company, self.week(start)] += end - start

    def status(self, info: ResourceInfo, start: int, inactive: bool) -> str:
        future = start >= self.now_s
        roll = self.rng.random()
        if inactive:
            if not info.approval:
                return "cancelled"
            if future:
                return "declined" if roll < 0.5 else "cancelled"
            return "declined" if roll < 0.35 else "expired" if roll < 0.7 else "cancelled"
        return "pending" if info.approval and future and roll < 0.45 else "confirmed"

    def emit(self, r: int, company: CompanyInfo, occurrences: list[Span], inactive: bool,
             status: str | None = None) -> None:
        """Rows for one booking: the booking, its occurrences, resource and claims."""
        rng, info, now = self.rng, self.cat.resources[r], self.now_s
        first, last = occurrences[0][0], occurrences[-1][1]
        status = status or self.status(info, first, inactive)
        self.statuses[status] += 1
        notice = info.notice * 60
        created = min(first - notice - rng.randint(3600, 21 * 86400), now - rng.randint(600, 86400))
        decided = cancelled = None
        message, changes, updated = "", 0, created
        if status in ("confirmed", "declined") and info.approval:
            decided = min(created + rng.randint(1800, 2 * 86400), now, first)
            decided = max(decided, created + 60)
            changes, updated = 1, decided
            if status == "declined":
                message = rng.choice(DECLINE_MESSAGES)
        elif status == "cancelled":
            cancelled = max(created + 60, min(first, now) - rng.randint(0, 3 * 86400))
            changes, updated = 1, cancelled
        elif status == "expired":
            changes, updated = 1, first
        cls = customer_class_for(
            str(company.id), str(info.school_id),
            {(str(company.id), str(s)) for s in company.partner_of}, company.sme)
        price = line_amount(rate_for(info.rates, cls), sum(e - s for s, e in occurrences))
        capacity = max(info.capacity, 1)
        employees = rng.randint(1, max(1, capacity * 2 // 3))
        students = rng.randint(0, capacity - employees) if rng.random() < 0.3 else 0
        booking = new_id(rng)
        self.rows["bookings"].append((
            booking, company.id, rng.choice(company.bookers), rng.choice(info.spec.titles),
            status, students, employees, price, CURRENCY,
            f"FREQ=WEEKLY;COUNT={len(occurrences)}" if len(occurrences) > 1 else None,
            instant(first), instant(last), 1 + changes, changes, message,
            instant(decided) if decided else None, instant(cancelled) if cancelled else None,
            instant(created), instant(updated)))
        self.rows["booking_resources"].append((new_id(rng), booking, info.id))
        active = status in ("pending", "confirmed")
        for position, (start, end) in enumerate(occurrences):
            occurrence = new_id(rng)
            self.rows["occurrences"].append(
                (occurrence, booking, position, instant(start), instant(end), "active"))
            for q in self.claimed(r):
                self.rows["claims"].append((
                    new_id(rng), booking, occurrence, self.cat.resources[q].id,
                    *self.claims(q, start, end), active))

    def generate(self, per_resource: float) -> None:
        """About `per_resource` × (number of resources) bookings; labs get fewer than equipment,
        whose calendars also carry their lab's claims. Stops a resource when it is full."""
        resources = self.cat.resources
        weight = [0.6 if info.is_lab else 1.0 for info in resources]
        companies = [self.candidates(info) if info.bookable_by != "internal" else []
                     for info in resources]
        bookable = [i for i in range(len(resources)) if companies[i]]
        total_weight = sum(weight[i] for i in bookable) or 1.0
        scale = per_resource * len(resources) / total_weight
        order = sorted(bookable, key=lambda i: (not resources[i].is_lab, self.rng.random()))
        for r in order:
            target = int(scale * weight[r] + self.rng.random())
            placed = misses = 0
            while placed < target and misses < 60 + 8 * target:
                if self.place(r, companies[r]):
                    placed += 1
                else:
                    misses += 1

    def requests(self) -> None:
        """The catalogue's planned pending requests (see `SchoolSpec.requests`), placed before
        the random bookings so that they always find room."""
        for r, company, count in self.cat.requests:
            self.request(r, company, count)

    def inductions(self) -> None:
        """The companies that book a lab needing a safety induction (those interested in it,
        its school's partners) have done it, a few months ago, so they can book it at once; the
        two demo accounts' companies have done every induction, so a newcomer can try any lab."""
        demo = {i for i, c in enumerate(self.cat.companies) if c.name in DEMO_COMPANIES}
        for info in self.cat.resources:
            if not (info.is_lab and info.spec.induction) or info.bookable_by == "internal":
                continue
            for company in sorted(set(self.candidates(info)) | demo):
                completed = self.now_s - self.rng.randint(30, 300) * 86400
                self.cat.data.add("inductions", id=new_id(self.rng),
                                  organisation=self.cat.companies[company].id,
                                  resource=info.id, completed_at=instant(completed),
                                  recorded_by=None)

    def write(self) -> None:
        """Hand the rows to the dataset; claims sorted by resource and time (cheap to check)."""
        data = self.cat.data
        data.batch("bookings", BOOKING_COLUMNS).rows.extend(self.rows["bookings"])
        data.batch("occurrences", OCCURRENCE_COLUMNS).rows.extend(self.rows["occurrences"])
        data.batch("booking_resources", BOOKING_RESOURCE_COLUMNS).rows.extend(
            self.rows["booking_resources"])
        claims = sorted(self.rows["claims"], key=lambda c: (str(c[3]), c[4]))
        data.batch("claims", CLAIM_COLUMNS).rows.extend(claims)
