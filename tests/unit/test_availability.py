"""Free windows, busy time and request checks, in the DST weeks, with hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.domain.availability import (
    Busy,
    ClosureSpan,
    ResourceCalendar,
    blocked_for_request,
    busy,
    check_request,
    free_windows,
)
from booking.domain.intervals import Interval, merge, subtract
from booking.domain.localtime import align_up, is_aligned
from booking.domain.openinghours import OpeningRule, open_intervals
from booking.domain.resources import Policy, Resource, ResourceKind

AMS = "Europe/Amsterdam"
WEEK = Interval(datetime(2027, 3, 22, tzinfo=UTC), datetime(2027, 3, 29, tzinfo=UTC))
NOW = datetime(2027, 3, 19, 12, tzinfo=UTC)  # Friday before the spring change
RULES = [OpeningRule(wd, time(8), time(17)) for wd in range(1, 8)]


def utc(d: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2027, month, d, hour, minute, tzinfo=UTC)


def lab(**policy: object) -> Resource:
    return Resource("lab-1", "school-1", "site-1", ResourceKind.LAB, "CNC-lab",
                    policy=replace(Policy(), **policy))  # type: ignore[arg-type]


def calendar(resource: Resource, *, closures: tuple[ClosureSpan, ...] = (),
             claims: tuple[Interval, ...] = (), window: Interval = WEEK) -> ResourceCalendar:
    opened = tuple(open_intervals(RULES, [], window, resource.timezone))
    return ResourceCalendar(resource, opened, closures, claims)


def codes(reasons: list[object]) -> list[str]:
    return [r.code for r in reasons]  # type: ignore[attr-defined]


# --- blocked and busy --------------------------------------------------------------------

def test_blocked_widens_claims_by_this_resources_buffers() -> None:
    # new claim = [s − 30 min, e + 15 min); a claim 10–12 blocks requests in [09:45, 12:30)
    cal = calendar(lab(buffer_before_minutes=30, buffer_after_minutes=15),
                   claims=(Interval(utc(23, 10), utc(23, 12)),))
    assert blocked_for_request(cal) == [Interval(utc(23, 9, 45), utc(23, 12, 30))]


def test_busy_shows_merged_claims_and_closures_with_reason_only() -> None:
    claims = (Interval(utc(23, 8), utc(23, 10)), Interval(utc(23, 8), utc(23, 10)))  # lab + kit
    holiday = ClosureSpan(Interval(utc(24, 0), utc(25, 0)), "Open dag")
    items = busy(calendar(lab(), closures=(holiday,), claims=claims), WEEK)
    assert items == [
        Busy(Interval(utc(23, 8), utc(23, 10)), "booking", None),
        Busy(Interval(utc(24, 0), utc(25, 0)), "closure", "Open dag"),
    ]


# --- check_request -----------------------------------------------------------------------

CLAIM = Interval(utc(23, 9), utc(23, 11))  # Tuesday 10:00–12:00 CET
KERST = ClosureSpan(Interval(utc(24, 0), utc(25, 0)), "Kerstvakantie")


@pytest.mark.parametrize(
    ("start", "end", "kwargs", "expected"),
    [
        (utc(22, 8), utc(22, 10), {}, []),  # Monday 09:00–11:00 local: bookable
        (utc(22, 6), utc(22, 8), {}, ["closed"]),  # 07:00–09:00 starts before opening
        (utc(24, 8), utc(24, 10), {}, ["closure"]),  # Wednesday is a closure day
        (utc(23, 10), utc(23, 12), {}, ["booked"]),  # 11:00–13:00 clashes with the claim
        (utc(23, 7), utc(23, 9), {}, []),  # 08:00–10:00 adjacent to the claim: fine
        (utc(20, 8), utc(20, 10), {}, ["too_soon", "closed"]),  # Saturday 20th within 24 h notice
        (utc(22, 8), utc(22, 8, 30), {}, ["too_short"]),  # 30 min < 60 min minimum
        (utc(22, 7), utc(22, 16), {}, ["too_long"]),  # 9 h > 8 h maximum
        (utc(22, 8, 10), utc(22, 10), {}, ["not_aligned"]),  # 09:10 is off the 30-min grid
        (utc(22, 8), utc(22, 10), {"may_book": False}, ["not_allowed"]),  # policy says no
        (utc(22, 8), utc(22, 10), {"quota_used_minutes": 500}, ["quota"]),  # 500 + 120 > 600
    ],
)
def test_check_request(start: datetime, end: datetime, kwargs: dict[str, object],
                       expected: list[str]) -> None:
    cal = calendar(lab(quota_hours_per_week=10), closures=(KERST,), claims=(CLAIM,))
    assert codes(check_request(cal, Interval(start, end), NOW, **kwargs)) == expected  # type: ignore[arg-type]


def test_check_request_messages_and_params() -> None:
    cal = calendar(lab(min_notice_minutes=48 * 60, induction_required=True), closures=(KERST,),
                   claims=(CLAIM,))
    reasons = {r.code: r for r in check_request(
        cal, Interval(utc(20, 9), utc(24, 9)), NOW, has_induction=False)}
    assert reasons["too_soon"].message == "too soon: 48 h notice required"
    assert reasons["too_soon"].params["hours"] == 48
    assert reasons["closure"].message == "closed — Kerstvakantie"
    assert (reasons["closure"].start, reasons["closure"].end) == (utc(24, 0), utc(25, 0))
    assert (reasons["booked"].start, reasons["booked"].end) == (CLAIM.start, CLAIM.end)
    assert "induction_required" in reasons and reasons["too_long"].params["minutes"] == 480


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (datetime(2027, 9, 15, 21, 30, tzinfo=UTC), []),  # ends 23:30 CEST on the last allowed day
        (datetime(2027, 9, 16, 6, 30, tzinfo=UTC), ["too_far"]),  # 08:30 the next morning
    ],
)
def test_horizon_is_local_end_of_day(end: datetime, expected: list[str]) -> None:
    # 180 days after Friday 2027-03-19 is Thursday 2027-09-15 local; bookable through its 24:00
    cal = ResourceCalendar(lab(max_advance_days=180), (Interval(NOW, utc(1, 0, month=12)),), (), ())
    request = Interval(end - timedelta(hours=2), end)
    assert [c for c in codes(check_request(cal, request, NOW)) if c == "too_far"] == expected
    assert free_windows(cal, Interval(NOW, utc(1, 0, month=12)), NOW)[-1].end == utc(
        15, 22, month=9)


# --- free windows ------------------------------------------------------------------------

def test_free_windows_on_the_spring_sunday() -> None:
    # Sunday 28 March 08:00–17:00 CEST = 06:00–15:00 UTC, minus a claim 10:00–11:00 local
    claim = Interval(utc(28, 8), utc(28, 9))
    cal = calendar(lab(), claims=(claim,))
    sunday = Interval(utc(27, 23), utc(28, 22))
    assert free_windows(cal, sunday, NOW) == [
        Interval(utc(28, 6), utc(28, 8)), Interval(utc(28, 9), utc(28, 15))]


def test_free_windows_respect_notice_alignment_and_minimum() -> None:
    # open 07:00–16:00 UTC (CET); now 07:10 + 1 h notice → 08:10, aligned up to 08:30;
    # the claim leaves 15:15–16:00, aligned 15:30–16:00: shorter than the 60-min minimum
    now = utc(22, 7, 10)
    claims = (Interval(utc(22, 10), utc(22, 15, 15)),)
    cal = calendar(lab(min_notice_minutes=60), claims=claims)
    monday = Interval(utc(22, 0), utc(23, 0))
    assert free_windows(cal, monday, now) == [Interval(utc(22, 8, 30), utc(22, 10))]


def test_free_windows_nothing_beyond_horizon_or_before_notice() -> None:
    cal = calendar(lab(max_advance_days=1))
    assert free_windows(cal, WEEK, NOW) == []  # horizon ends Saturday 20th, the week starts 22nd


# --- properties --------------------------------------------------------------------------

BASE = datetime(2027, 3, 26, tzinfo=UTC)  # window Friday–Tuesday across the spring change


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[ResourceCalendar, Interval, datetime]:
    slot = draw(st.sampled_from([15, 30, 60]))
    policy = Policy(
        slot_minutes=slot,
        min_notice_minutes=draw(st.sampled_from([0, 90, 24 * 60])),
        min_duration_minutes=slot * draw(st.integers(1, 4)),
        max_duration_minutes=24 * 60,
        buffer_before_minutes=draw(st.sampled_from([0, 10, 30])),
        buffer_after_minutes=draw(st.sampled_from([0, 15])),
        max_advance_days=draw(st.integers(1, 10)),
    )
    tz = draw(st.sampled_from([AMS, "Europe/London", "America/New_York"]))
    resource = replace(lab(), policy=policy, timezone=tz)
    def quarter(q: int) -> time:  # quarter hours since midnight; 96 is 24:00
        return time(q // 4, 15 * (q % 4)) if q < 96 else time(0)

    rules = [
        OpeningRule(wd, quarter(o), quarter(c))
        for wd, o, c in draw(st.lists(
            st.tuples(st.integers(1, 7), st.integers(0, 80), st.integers(1, 16)).map(
                lambda t: (t[0], t[1], min(96, t[1] + t[2] * 2))), max_size=10))
    ]

    def span() -> Interval:
        start = BASE + timedelta(minutes=5 * draw(st.integers(0, 5 * 288)))
        return Interval(start, start + timedelta(minutes=5 * draw(st.integers(1, 72))))

    horizon = Interval(BASE - timedelta(days=1), BASE + timedelta(days=6))
    cal = ResourceCalendar(
        resource,
        tuple(open_intervals(rules, [], horizon, tz)),
        tuple(ClosureSpan(span(), "dicht") for _ in range(draw(st.integers(0, 3)))),
        tuple(span() for _ in range(draw(st.integers(0, 6)))),
    )
    window = Interval(BASE + timedelta(hours=draw(st.integers(0, 12))), BASE + timedelta(days=5))
    now = BASE - timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return cal, window, now


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_free_windows_are_bookable_and_clear(scenario: tuple[ResourceCalendar, Interval,
                                                              datetime]) -> None:
    cal, window, now = scenario
    policy, tz = cal.resource.policy, cal.resource.timezone
    cuts = [c.interval for c in cal.closures] + blocked_for_request(cal)
    free = free_windows(cal, window, now)
    assert free == merge(free)  # sorted and apart
    for w in free:
        assert window.contains(w)
        assert subtract([w], cal.open) == []  # within open time
        assert not any(w.overlaps(c) for c in cuts)  # never on closures or claims (+ buffers)
        assert is_aligned(w.start, tz, policy.slot_minutes)
        assert is_aligned(w.end, tz, policy.slot_minutes)
        assert w.duration >= timedelta(minutes=max(policy.slot_minutes,
                                                   policy.min_duration_minutes))
        first = Interval(w.start, align_up(w.start + timedelta(minutes=policy.min_duration_minutes),
                                           tz, policy.slot_minutes))
        assert w.contains(first)
        assert check_request(cal, first, now) == []


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 5 * 24 * 4))
def test_every_bookable_slot_lies_in_a_free_window(
    scenario: tuple[ResourceCalendar, Interval, datetime], quarter: int
) -> None:
    cal, window, now = scenario
    policy, tz = cal.resource.policy, cal.resource.timezone
    start = align_up(window.start + timedelta(minutes=15 * quarter), tz, policy.slot_minutes)
    end = align_up(start + timedelta(minutes=policy.min_duration_minutes), tz,
                   policy.slot_minutes)
    request = Interval(start, end)
    if window.contains(request) and check_request(cal, request, now) == []:
        assert any(w.contains(request) for w in free_windows(cal, window, now))
