"""Report measures against hand-computed values, DST weeks and closures included."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule, open_intervals
from booking.domain.reports import (
    FlowCounts,
    Measures,
    OccurrenceUse,
    Row,
    flow,
    hour_of_week,
    last_days,
    open_seconds,
    periods,
    split_seconds,
    top_and_idle,
    usage_table,
    uses_of,
    utilisation,
)

AMS = "Europe/Amsterdam"
TZ = ZoneInfo(AMS)
H = 3600


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ, fold=fold)


def iv(a: datetime, b: datetime) -> Interval:
    return Interval(a, b)


WEEKDAYS_8_18 = [OpeningRule(d, time(8), time(18)) for d in range(1, 6)]
ALL_DAY = [OpeningRule(d, time(0), time(0)) for d in range(1, 8)]


@pytest.mark.parametrize(
    ("booked", "open_", "expected"),
    [
        (0, 0, 0.0),  # nothing open, nothing booked
        (2 * H, 0, 0.0),  # booked outside opening hours with nothing open: 0, not a division error
        (5 * H, 10 * H, 0.5),
        (10 * H, 10 * H, 1.0),
    ],
)
def test_utilisation(booked: int, open_: int, expected: float) -> None:
    assert utilisation(booked, open_) == expected


# (window start, window end, unit, [(key, label, real hours)])
PERIOD_CASES = [
    # spring change on Sunday 28 March 2027: that ISO week has 167 real hours
    (local(2027, 3, 22), local(2027, 4, 5), "week",
     [("2027-W12", "2027-03-22", 167), ("2027-W13", "2027-03-29", 168)]),
    # autumn change on Sunday 31 October 2027: 169 hours
    (local(2027, 10, 25), local(2027, 11, 1), "week", [("2027-W43", "2027-10-25", 169)]),
    # a window starting mid-week is clipped: Wednesday 12:00 to the next Monday
    (local(2027, 3, 24, 12), local(2027, 3, 29), "week", [("2027-W12", "2027-03-22", 107)]),
    # months: March 2027 loses an hour, October gains one; the year boundary rolls over
    (local(2027, 3, 1), local(2027, 4, 1), "month", [("2027-03", "2027-03", 31 * 24 - 1)]),
    (local(2027, 10, 1), local(2027, 11, 1), "month", [("2027-10", "2027-10", 31 * 24 + 1)]),
    (local(2027, 12, 1), local(2028, 1, 15), "month",
     [("2027-12", "2027-12", 31 * 24), ("2028-01", "2028-01", 14 * 24)]),
]


@pytest.mark.parametrize(("start", "end", "unit", "expected"), PERIOD_CASES)
def test_periods_cut_at_local_midnights(
    start: datetime, end: datetime, unit: str, expected: list[tuple[str, str, int]]
) -> None:
    found = periods(iv(start, end), AMS, unit)  # type: ignore[arg-type]
    assert [(p.key, p.label, p.interval.duration.total_seconds() / H) for p in found] == expected
    assert found[0].interval.start == start and found[-1].interval.end == end


def test_open_hours_of_a_dst_week_follow_the_wall_clock() -> None:
    window = iv(local(2027, 3, 22), local(2027, 4, 5))
    weeks = [p.interval for p in periods(window, AMS, "week")]
    every_hour = open_intervals(ALL_DAY, [], window, AMS)
    assert split_seconds(every_hour, weeks) == [167 * H, 168 * H]
    office = open_intervals(WEEKDAYS_8_18, [], window, AMS)
    assert split_seconds(office, weeks) == [50 * H, 50 * H]  # 08-18 local is 10 h either side


def test_sunday_night_opening_loses_the_skipped_hour() -> None:
    window = iv(local(2027, 3, 28), local(2027, 3, 29))
    night = open_intervals([OpeningRule(7, time(1), time(4))], [], window, AMS)
    assert open_seconds(night, [], [window]) == [2 * H]


@pytest.mark.parametrize(
    ("closures", "expected"),
    [
        ([], [50 * H, 50 * H]),
        # Wednesday 12:00-20:00 removes 12-18 only: 6 h
        ([iv(local(2027, 3, 24, 12), local(2027, 3, 24, 20))], [44 * H, 50 * H]),
        # overlapping closures are merged, not subtracted twice: Wed 10-14 and 12-16 → 6 h
        ([iv(local(2027, 3, 24, 10), local(2027, 3, 24, 14)),
          iv(local(2027, 3, 24, 12), local(2027, 3, 24, 16))], [44 * H, 50 * H]),
        # Friday 26th 17:00 to Tuesday 30th 09:00 spans both weeks: 1 h + 10 h + 1 h
        ([iv(local(2027, 3, 26, 17), local(2027, 3, 30, 9))], [49 * H, 39 * H]),
        # a closure wider than the window closes everything
        ([iv(local(2027, 1, 1), local(2028, 1, 1))], [0, 0]),
    ],
)
def test_open_seconds_minus_closures(closures: list[Interval], expected: list[int]) -> None:
    window = iv(local(2027, 3, 22), local(2027, 4, 5))
    weeks = [p.interval for p in periods(window, AMS, "week")]
    office = open_intervals(WEEKDAYS_8_18, [], window, AMS)
    assert open_seconds(office, closures, weeks) == expected


# A hand-worked example, reused by the integration tests on both databases:
# resources A, B at school S1 and C at S2; companies X and Y.
WINDOW = iv(local(2027, 3, 22, 8), local(2027, 4, 5))
EXAMPLE = [
    # b1: X books A and C together (two schools), Mon 22 Mar 09-12, 10 students, 2 employees
    OccurrenceUse("b1", "X", "A", iv(local(2027, 3, 22, 9), local(2027, 3, 22, 12)), 10, 2),
    OccurrenceUse("b1", "X", "C", iv(local(2027, 3, 22, 9), local(2027, 3, 22, 12)), 10, 2),
    # b2: Y books A as a series, Tue 23 Mar 14-16 and Tue 30 Mar 14-16, 4 students
    OccurrenceUse("b2", "Y", "A", iv(local(2027, 3, 23, 14), local(2027, 3, 23, 16)), 4, 0),
    OccurrenceUse("b2", "Y", "A", iv(local(2027, 3, 30, 14), local(2027, 3, 30, 16)), 4, 0),
    # b3: X books B Mon 07-09, starting an hour before the window: 1 h counts
    OccurrenceUse("b3", "X", "B", iv(local(2027, 3, 22, 7), local(2027, 3, 22, 9)), 0, 0),
]
SCHOOL_OF = {"A": "S1", "B": "S1", "C": "S2"}


def _table(key_of: dict[str, str] | None, keys: list[tuple[str, str]],
           bounds: dict[str, Interval]) -> list[tuple[object, ...]]:
    table = usage_table(keys, {}, uses_of(EXAMPLE, bounds, key_of))
    return [
        (r.key, r.measures.booked_seconds / H, r.measures.bookings, r.measures.companies,
         r.measures.students, r.measures.employees)
        for r in [*table.rows, Row("total", "", table.totals)]
    ]


def test_usage_per_resource_counts_bundles_for_each_resource() -> None:
    rows = _table({k: k for k in SCHOOL_OF}, [("A", "A"), ("B", "B"), ("C", "C")],
                  {"": WINDOW})
    assert rows == [
        ("A", 7, 2, 2, 14, 2),
        ("B", 1, 1, 1, 0, 0),
        ("C", 3, 1, 1, 10, 2),
        ("total", 11, 4, 2, 24, 4),  # sums of the rows, except companies: distinct
    ]


def test_usage_per_school_counts_a_booking_once_per_school() -> None:
    rows = _table(SCHOOL_OF, [("S1", "S1"), ("S2", "S2")], {"": WINDOW})
    assert rows == [("S1", 8, 3, 2, 14, 2), ("S2", 3, 1, 1, 10, 2), ("total", 11, 4, 2, 24, 4)]


def test_usage_per_week_clips_each_occurrence_to_its_week() -> None:
    weeks = periods(WINDOW, AMS, "week")
    rows = _table(None, [(p.key, p.label) for p in weeks], {p.key: p.interval for p in weeks})
    assert rows == [
        ("2027-W12", 9, 3, 2, 14, 2),  # b1 on A and C is one booking in the week row
        ("2027-W13", 2, 1, 1, 4, 0),
        ("total", 11, 4, 2, 18, 2),  # b2 meets both weeks: counted in each, so twice here
    ]


def test_totals_are_the_sums_of_the_rows_whatever_the_grouping() -> None:
    """API.md Reports: "`totals` is the sum of the rows, except `companies`, which counts
    distinct companies." — for every grouping, so a series counted in each week row it meets
    is counted once per row in the week totals too: the totals of the groupings differ."""
    weeks = periods(WINDOW, AMS, "week")
    for key_of, keys, bounds in [
        ({k: k for k in SCHOOL_OF}, [("A", ""), ("B", ""), ("C", "")], {"": WINDOW}),
        (SCHOOL_OF, [("S1", ""), ("S2", "")], {"": WINDOW}),
        (None, [(p.key, "") for p in weeks], {p.key: p.interval for p in weeks}),
    ]:
        table = usage_table(keys, {k: 10 * H for k, _ in keys}, uses_of(EXAMPLE, bounds, key_of))
        for measure in ("open_seconds", "booked_seconds", "bookings", "students", "employees"):
            assert getattr(table.totals, measure) == sum(
                getattr(r.measures, measure) for r in table.rows), (keys, measure)
        assert table.totals.companies == 2  # X and Y, not the rows' sum
    week_rows = _table(None, [(p.key, "") for p in weeks], {p.key: p.interval for p in weeks})
    # b2 meets both weeks: 3 + 1 bookings, 14 + 4 students, though only 3 distinct bookings
    assert week_rows[-1] == ("total", 11, 4, 2, 18, 2)


def test_usage_table_utilisation_and_unlisted_keys() -> None:
    uses = uses_of(EXAMPLE, {"": WINDOW}, {k: k for k in SCHOOL_OF})
    table = usage_table([("A", "Lab A")], {"A": 14 * H}, uses)  # B and C: outside the scope
    assert table.rows[0].measures.utilisation == 0.5
    assert table.totals == Measures(14 * H, 7 * H, 2, 2, 14, 2)
    assert usage_table([], {}, uses).totals == Measures()


def test_top_and_idle() -> None:
    rows = [
        Row("a", "Lathe", Measures(100 * H, 50 * H)),
        Row("b", "Mill", Measures(100 * H, 9 * H)),
        Row("c", "Robot", Measures(100 * H, 0)),
        Row("d", "Never open", Measures(0, 0)),
        Row("e", "Printer", Measures(100 * H, 10 * H)),  # exactly 10 %: not idle
    ]
    top, idle = top_and_idle(rows, n=2)
    assert [r.key for r in top] == ["a", "e"]
    assert [r.key for r in idle] == ["c", "b"]


def test_flow_rates_and_times() -> None:
    counts = FlowCounts(
        by_status={"confirmed": 6, "cancelled": 2, "expired": 1, "declined": 1},
        lead_seconds=10 * 48 * H,  # ten requests, two days ahead on average
        decided=4,  # 3 approved (confirmed) + 1 declined
        decision_seconds=4 * 3 * H,
    )
    result = flow(counts)
    assert result.requested == 10
    assert result.cancellation_rate == 0.2
    assert result.expiry_rate == 0.2  # 1 of the 5 requests that awaited a decision
    assert result.decline_rate == 0.25
    assert result.mean_lead_hours == 48
    assert result.mean_decision_hours == 3
    empty = flow(FlowCounts())
    assert (empty.requested, empty.cancellation_rate, empty.mean_lead_hours) == (0, 0.0, 0.0)


def test_hour_of_week_in_the_spring_change_night() -> None:
    # Sunday 28 March 2027 01:30 → 03:30 local is one real hour: 30 min at 01, 30 min at 03
    cells = hour_of_week([iv(local(2027, 3, 28, 1, 30), local(2027, 3, 28, 3, 30))], AMS)
    assert (cells[6][1], cells[6][2], cells[6][3]) == (1800, 0, 1800)
    assert sum(map(sum, cells)) == H


def test_hour_of_week_counts_the_repeated_autumn_hour_twice() -> None:
    # Sunday 31 October 2027 02:00 (summer) → 03:00 (winter) is two real hours, both at 02:xx
    start = local(2027, 10, 31, 2, 0, fold=0)
    cells = hour_of_week([iv(start, local(2027, 10, 31, 3))], AMS)
    assert cells[6][2] == 2 * H and sum(map(sum, cells)) == 2 * H


def test_hour_of_week_spans_days_and_other_zones() -> None:
    start = datetime(2027, 5, 3, 22, 0, tzinfo=UTC)  # Tuesday 00:00 in Amsterdam (summer)
    cells = hour_of_week([iv(start, datetime(2027, 5, 4, 0, 30, tzinfo=UTC))], AMS)
    assert (cells[1][0], cells[1][1], cells[1][2]) == (H, H, 1800)
    kolkata = hour_of_week([iv(datetime(2027, 5, 3, 0, 0, tzinfo=UTC),
                               datetime(2027, 5, 3, 1, 0, tzinfo=UTC))], "Asia/Kolkata")
    assert (kolkata[0][5], kolkata[0][6]) == (1800, 1800)  # 05:30-06:30 local


def test_last_days() -> None:
    now = datetime(2027, 3, 31, 12, 0, 0, 500, tzinfo=UTC)
    window = last_days(now)
    assert window.end == datetime(2027, 3, 31, 12, tzinfo=UTC)
    assert window.duration.days == 30
