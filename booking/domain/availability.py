"""Free and busy time of a resource, and every reason a requested interval cannot be booked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from booking.domain.closures import public_reason
from booking.domain.errors import Reason
from booking.domain.intervals import Interval, clip, merge, subtract
from booking.domain.localtime import align_down, align_up, is_aligned, local_date, local_instant
from booking.domain.resources import Policy, Resource


@dataclass(frozen=True, slots=True)
class ClosureSpan:
    """A time the resource is closed (holiday, maintenance, imported event) and why; `kind`
    as stored (closure | maintenance | holiday | timetable) decides its public label."""

    interval: Interval
    reason: str = ""
    kind: str = "closure"

    @property
    def label(self) -> str:
        """What visitors and other organisations read (`closures.public_reason`)."""
        return public_reason(self.kind, self.reason)


@dataclass(frozen=True, slots=True)
class Busy:
    """Held time as anyone may see it: `kind` "booking" (never who) or "closure" (with reason)."""

    interval: Interval
    kind: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ResourceCalendar:
    """Everything availability needs about one resource, supplied by the store.

    `claims` are the active claims as stored (widened by the buffers of the resource they were
    made on) on this resource and on related ones (its equipment if a lab, its lab if equipment).
    """

    resource: Resource
    open: tuple[Interval, ...]
    closures: tuple[ClosureSpan, ...]
    claims: tuple[Interval, ...]


def blocked_for_request(cal: ResourceCalendar) -> list[Interval]:
    """Where a new booking `[s, e)` of this resource may not lie, merged.

    A new claim is `[s − before, e + after)`; it overlaps a claim `[cs, ce)` exactly when
    `[s, e)` overlaps `[cs − after, ce + before)`, with this resource's buffers.
    """
    before, after = _buffers(cal.resource.policy)
    if not (before or after):
        return merge(cal.claims)
    return merge(claim.widen(after, before) for claim in cal.claims)


def earliest_start(policy: Policy, now: datetime) -> datetime:
    """The first instant a booking may start: `now` plus the minimum notice."""
    return now + timedelta(minutes=policy.min_notice_minutes)


def latest_end(policy: Policy, tz: str, now: datetime) -> datetime:
    """The instant no booking may end after: the local (`tz`) end of the day
    `max_advance_days` after today."""
    last_day = local_date(now, tz) + timedelta(days=policy.max_advance_days)
    return local_instant(tz, last_day, 24 * 60)


def reach(policy: Policy, tz: str, now: datetime) -> Interval:
    """Where a booking made `now` may lie, by notice and horizon alone (the one home of both):
    from `earliest_start` to `latest_end`. Availability, `check_request` and the week grid's
    "too soon" / "too far" shading all use it."""
    return Interval(earliest_start(policy, now), latest_end(policy, tz, now))


def free_windows(cal: ResourceCalendar, window: Interval, now: datetime) -> list[Interval]:
    """Maximal bookable windows within `window` (UTC), sorted.

    Open time minus closures and claims (buffers included), within notice and horizon, shrunk to
    the resource's local slot boundaries and kept only if at least max(slot, minimum duration) long.
    """
    resource = cal.resource
    policy, tz, slot = resource.policy, resource.timezone, resource.policy.slot_minutes
    allowed = reach(policy, tz, now)
    bounds = Interval(max(window.start, allowed.start), min(window.end, allowed.end))
    if bounds.is_empty:
        return []
    cuts = [c.interval for c in cal.closures] + blocked_for_request(cal)
    need = timedelta(minutes=max(slot, policy.min_duration_minutes))
    result: list[Interval] = []
    for piece in subtract(clip(cal.open, bounds), cuts):  # subtract merges both sides
        start, end = align_up(piece.start, tz, slot), align_down(piece.end, tz, slot)
        if end - start >= need:
            result.append(Interval(start, end))
    return result


def busy(cal: ResourceCalendar, window: Interval, *, details: bool = False) -> list[Busy]:
    """Claims (merged, kind "booking", no reason) and closures (kind "closure") within `window`;
    a closure's reason is its public label unless `details` (the school's own people)."""
    items = [Busy(iv, "booking") for iv in merge(clip(cal.claims, window))]
    for closure in cal.closures:
        part = closure.interval.intersect(window)
        if part is not None:
            items.append(Busy(part, "closure", closure.reason if details else closure.label))
    return sorted(items, key=lambda b: (b.interval.start, b.interval.end, b.kind))


def check_request(
    cal: ResourceCalendar,
    request: Interval,
    now: datetime,
    *,
    may_book: bool = True,
    has_induction: bool = True,
    quota_used_minutes: int = 0,
) -> list[Reason]:
    """Every reason `request` cannot be booked on this resource; an empty list means bookable.

    Durations are real elapsed minutes; `quota_used_minutes` is what the company already holds in
    the request's local ISO week. Does not check who else claims related resources beyond `cal`.
    """
    policy, tz = cal.resource.policy, cal.resource.timezone
    minutes = int(request.duration.total_seconds() // 60)
    reasons: list[Reason] = []
    if not may_book:
        reasons.append(Reason("not_allowed", "not allowed: your organisation may not book this"))
    if policy.induction_required and not has_induction:
        reasons.append(Reason("induction_required", "a safety induction is required first"))
    notice, allowed = policy.min_notice_minutes, reach(policy, tz, now)
    if request.start < allowed.start:
        reasons.append(Reason(
            "too_soon", f"too soon: {_amount(notice)} notice required",
            params={"hours": notice // 60, "minutes": notice},
        ))
    if request.end > allowed.end:
        days = policy.max_advance_days
        reasons.append(Reason(
            "too_far", f"too far ahead: at most {days} days in advance", params={"days": days}
        ))
    if minutes < policy.min_duration_minutes:
        least = policy.min_duration_minutes
        reasons.append(Reason(
            "too_short", f"too short: at least {_amount(least)}", params={"minutes": least}
        ))
    if minutes > policy.max_duration_minutes:
        most = policy.max_duration_minutes
        reasons.append(Reason(
            "too_long", f"too long: at most {_amount(most)}", params={"minutes": most}
        ))
    slot = policy.slot_minutes
    if not (is_aligned(request.start, tz, slot) and is_aligned(request.end, tz, slot)):
        reasons.append(Reason(
            "not_aligned", f"start and end must fall on {slot}-minute steps (local time)",
            params={"minutes": slot},
        ))
    if not request.is_empty:
        reasons.extend(_clashes(cal, request))
    quota = policy.quota_hours_per_week
    if quota is not None and quota_used_minutes + minutes > quota * 60:
        reasons.append(Reason(
            "quota", f"over the quota of {quota} h per week",
            params={"hours": quota, "used_minutes": quota_used_minutes, "minutes": minutes},
        ))
    return reasons


def _clashes(cal: ResourceCalendar, request: Interval) -> list[Reason]:
    """`closed`, `closure` and `booked` reasons for a non-empty request."""
    reasons = [
        Reason("closed", "closed: outside opening hours", gap.start, gap.end)
        for gap in subtract([request], cal.open)
    ]
    for closure in cal.closures:
        if closure.interval.overlaps(request):  # the public label: bookers read this
            label = closure.label
            message = f"closed — {label}" if label else "closed"
            reasons.append(Reason("closure", message, closure.interval.start,
                                  closure.interval.end, params={"reason": label}))
    for held in blocked_for_request(cal):
        clash = held.intersect(request)
        if clash is not None:
            reasons.append(Reason("booked", "already booked at this time", clash.start, clash.end))
    return reasons


def _buffers(policy: Policy) -> tuple[timedelta, timedelta]:
    return (
        timedelta(minutes=policy.buffer_before_minutes),
        timedelta(minutes=policy.buffer_after_minutes),
    )


def _amount(minutes: int) -> str:
    """"48 h" for whole hours, else "90 min"."""
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes else f"{minutes} min"


Span = tuple[int, int]
"""`[start, end)` in whole epoch seconds (UTC)."""


def has_free_span(
    resource: Resource,
    open_spans: Sequence[Span],
    closed: Sequence[Span],
    claims: Sequence[Span],
    window: Interval,
    now: datetime,
    need: timedelta,
) -> bool:
    """Whether `free_windows` over `window` would hold a window of at least `need` — the same
    answer, computed in epoch seconds (`open_spans`, `closed` and the claims as held, any order)
    so that a search over a whole catalogue makes a datetime only to align a candidate piece.
    """
    least = max(need, _shortest(resource.policy))
    return any(
        _aligned(start, end, resource)[2] >= least
        for start, end in _free_pieces(resource, open_spans, closed, claims, window, now,
                                       least.total_seconds())
    )


def free_spans(
    resource: Resource,
    open_spans: Sequence[Span],
    closed: Sequence[Span],
    claims: Sequence[Span],
    window: Interval,
    now: datetime,
) -> list[Interval]:
    """`free_windows` computed in epoch seconds from the same inputs (see `has_free_span`):
    equal results, with datetimes made only for the windows returned."""
    least = _shortest(resource.policy)
    found: list[Interval] = []
    for start, end in _free_pieces(resource, open_spans, closed, claims, window, now,
                                   least.total_seconds()):
        a, b, length = _aligned(start, end, resource)
        if length >= least:
            found.append(Interval(a, b))
    return found


def _shortest(policy: Policy) -> timedelta:
    return timedelta(minutes=max(policy.slot_minutes, policy.min_duration_minutes))


def _free_pieces(
    resource: Resource,
    open_spans: Sequence[Span],
    closed: Sequence[Span],
    claims: Sequence[Span],
    window: Interval,
    now: datetime,
    least_s: float,
) -> Iterator[Span]:
    """The maximal pieces of open time within notice, horizon and `window`, minus closures
    and the claims widened by this resource's buffers (as `free_windows` computes them),
    skipping those shorter than `least_s` seconds before alignment. Bounds with fractions of a
    second round inward, which changes no slot boundary."""
    policy = resource.policy
    allowed = reach(policy, resource.timezone, now)
    lo = max(_ceil_epoch(window.start), _ceil_epoch(allowed.start))
    hi = min(int(window.end.timestamp()), int(allowed.end.timestamp()))
    if lo >= hi:
        return
    before, after = policy.buffer_before_minutes * 60, policy.buffer_after_minutes * 60
    cuts = _merged([*closed, *((s - after, e + before) for s, e in claims)])
    j = 0
    for open_start, open_end in _merged(open_spans):
        start, end = max(open_start, lo), min(open_end, hi)
        if start >= end:
            continue
        while j < len(cuts) and cuts[j][1] <= start:
            j += 1
        k = j
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > start and cuts[k][0] - start >= least_s:
                yield start, cuts[k][0]
            start = max(start, cuts[k][1])
            if start >= end:
                break
            k += 1
        if start < end and end - start >= least_s:
            yield start, end


def _merged(spans: Iterable[Span]) -> list[list[int]]:
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def _aligned(start: int, end: int, resource: Resource) -> tuple[datetime, datetime, timedelta]:
    tz, slot = resource.timezone, resource.policy.slot_minutes
    a = align_up(datetime.fromtimestamp(start, UTC), tz, slot)
    b = align_down(datetime.fromtimestamp(end, UTC), tz, slot)
    return a, b, b - a


def _ceil_epoch(at: datetime) -> int:
    seconds = at.timestamp()
    whole = int(seconds)
    return whole if whole == seconds else whole + 1
