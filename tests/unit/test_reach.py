"""Notice and horizon have one home (`availability.reach`): the checks, the free windows and the
week grid's "too soon" / "too far" shading start and end at the same instants."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from booking.domain.availability import ResourceCalendar, check_request, free_windows, reach
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date
from booking.domain.openinghours import OpeningRule, open_intervals
from booking.domain.resources import Policy, Resource, ResourceKind
from booking.services.views import AvailabilityView
from frontend.weekview import build_week

AMS = "Europe/Amsterdam"
RULES = [OpeningRule(wd, time(0), time(0)) for wd in range(1, 8)]  # open around the clock


def resource(notice: int, days: int) -> Resource:
    policy = replace(Policy(), min_notice_minutes=notice, max_advance_days=days,
                     slot_minutes=30, min_duration_minutes=30, max_duration_minutes=24 * 60)
    return Resource("r", "s", "site", ResourceKind.EQUIPMENT, "Robot", policy=policy)


@pytest.mark.parametrize(
    ("now", "notice", "days", "start", "end"),
    [
        # morning: notice 2 h; the horizon is the local end of the day 3 days on, not now + 72 h
        (datetime(2027, 3, 1, 7, tzinfo=UTC), 120, 3,
         datetime(2027, 3, 1, 9, tzinfo=UTC), datetime(2027, 3, 4, 23, tzinfo=UTC)),
        # late evening local (23:30 CET): today is still 1 March, so the horizon too
        (datetime(2027, 3, 1, 22, 30, tzinfo=UTC), 0, 2,
         datetime(2027, 3, 1, 22, 30, tzinfo=UTC), datetime(2027, 3, 3, 23, tzinfo=UTC)),
        # after local midnight (00:30 CET on 2 March, still 1 March in UTC)
        (datetime(2027, 3, 1, 23, 30, tzinfo=UTC), 24 * 60, 1,
         datetime(2027, 3, 2, 23, 30, tzinfo=UTC), datetime(2027, 3, 3, 23, tzinfo=UTC)),
        # across the spring change: the last day ends at 24:00 CEST = 22:00 UTC
        (datetime(2027, 3, 26, 12, tzinfo=UTC), 60, 2,
         datetime(2027, 3, 26, 13, tzinfo=UTC), datetime(2027, 3, 28, 22, tzinfo=UTC)),
    ],
)
def test_checks_free_windows_and_the_week_grid_share_notice_and_horizon(
    now: datetime, notice: int, days: int, start: datetime, end: datetime
) -> None:
    r = resource(notice, days)
    assert reach(r.policy, AMS, now) == Interval(start, end)
    window = Interval(now - timedelta(days=1), now + timedelta(days=days + 3))
    cal = ResourceCalendar(r, tuple(open_intervals(RULES, [], window, AMS)), (), ())
    slot = timedelta(minutes=30)
    last, first = Interval(end - slot, end), Interval(start, start + slot)
    assert check_request(cal, last, now) == [] and check_request(cal, first, now) == []
    assert [x.code for x in check_request(cal, Interval(end, end + slot), now)] == ["too_far"]
    assert "too_soon" in [x.code for x in check_request(cal, Interval(start - slot, start), now)]
    windows = free_windows(cal, window, now)
    assert windows[-1].end == end and windows[0].start >= start
    shaded: dict[str, list[Interval]] = {}
    days_shown = {local_date(now, AMS) - timedelta(days=1), local_date(end, AMS)}
    for monday in {d - timedelta(days=d.weekday()) for d in days_shown}:
        view = AvailabilityView("r", AMS, [], [])
        week = build_week(view, monday, rules=RULES, now=now, min_minutes=30,
                          max_minutes=600, reach=reach(r.policy, AMS, now))
        for day in week.days:
            for block in day.blocks:
                shaded.setdefault(block.kind, []).append(Interval(block.start, block.end))
    assert min(iv.start for iv in shaded["far"]) == end
    if notice:
        assert max(iv.end for iv in shaded["notice"]) == start
