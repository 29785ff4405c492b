"""Opening hours: parsing, weekly rules, exceptions and DST weeks in Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.domain.intervals import Interval, total_duration
from booking.domain.openinghours import (
    OpeningException,
    OpeningRule,
    format_hhmm,
    open_intervals,
    parse_hhmm,
)

AMS = "Europe/Amsterdam"
SPRING, AUTUMN = date(2027, 3, 28), date(2027, 10, 31)  # both Sundays


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def around(day: date) -> Interval:
    """A generous UTC window around one local day."""
    return Interval(utc(day, 0) - timedelta(hours=6), utc(day, 0) + timedelta(hours=30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30", time(8, 30)),  # ordinary
        ("00:00", time(0, 0)),  # midnight
        ("24:00", time(0, 0)),  # end of day
        (" 17:05 ", time(17, 5)),  # surrounding blanks tolerated
    ],
)
def test_parse_hhmm(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["8:30", "24:01", "12:60", "1230", "", "noon"])
def test_parse_hhmm_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hhmm(text)


def test_format_round_trips_closing_midnight() -> None:
    assert format_hhmm(time(0, 0), is_close=True) == "24:00"
    assert format_hhmm(time(0, 0)) == "00:00"
    assert parse_hhmm(format_hhmm(time(9, 5))) == time(9, 5)


@pytest.mark.parametrize(
    ("weekday", "opens", "closes"),
    [
        (0, time(8), time(17)),  # weekday below 1
        (8, time(8), time(17)),  # weekday above 7
        (1, time(17), time(8)),  # closes before opens
        (1, time(8), time(8)),  # empty
        (1, time(8, 0, 30), time(17)),  # seconds
    ],
)
def test_rule_validation(weekday: int, opens: time, closes: time) -> None:
    with pytest.raises(ValueError):
        OpeningRule(weekday, opens, closes)


@pytest.mark.parametrize("day", [SPRING, AUTUMN])
def test_dst_sunday_is_nine_real_hours(day: date) -> None:
    # a Sunday 08:00–17:00 rule stays 08:00–17:00 on the wall clock, nine real hours
    rule = OpeningRule(7, time(8), time(17))
    (span,) = open_intervals([rule], [], around(day), AMS)
    offset = 2 if day == SPRING else 1
    assert span == Interval(utc(day, 8 - offset), utc(day, 17 - offset))
    assert span.duration == timedelta(hours=9)


@pytest.mark.parametrize(
    ("day", "opens", "closes", "hours"),
    [
        (SPRING, time(2), time(3), 0),  # the skipped hour: open never
        (SPRING, time(2, 30), time(4), 1),  # opens when the clock jumps to 03:00
        (SPRING, time(0), time(0), 23),  # whole day is 23 real hours
        (AUTUMN, time(2), time(3), 2),  # the repeated hour counts twice
        (AUTUMN, time(0), time(0), 25),  # whole day is 25 real hours
    ],
)
def test_dst_night_hours(day: date, opens: time, closes: time, hours: int) -> None:
    spans = open_intervals([OpeningRule(7, opens, closes)], [], around(day), AMS)
    assert total_duration(spans) == timedelta(hours=hours)


def test_exceptions_replace_or_close_a_day() -> None:
    rules = [OpeningRule(wd, time(8), time(17)) for wd in range(1, 6)]
    week = Interval(utc(date(2027, 3, 22), 0), utc(date(2027, 3, 27), 0))
    exceptions = [
        OpeningException(date(2027, 3, 23), None, None),  # Tuesday closed
        OpeningException(date(2027, 3, 24), time(10), time(12)),  # Wednesday short
        OpeningException(date(2027, 3, 24), time(13), time(15)),  # … plus an afternoon
    ]
    spans = open_intervals(rules, exceptions, week, AMS)
    starts = [s.start for s in spans]
    assert utc(date(2027, 3, 23), 7) not in starts
    assert Interval(utc(date(2027, 3, 24), 9), utc(date(2027, 3, 24), 11)) in spans
    assert Interval(utc(date(2027, 3, 24), 12), utc(date(2027, 3, 24), 14)) in spans
    assert total_duration(spans) == timedelta(hours=3 * 9 + 4)


def test_validity_dates_are_inclusive() -> None:
    rule = OpeningRule(1, time(8), time(12), date(2027, 3, 29), date(2027, 4, 5))
    window = Interval(utc(date(2027, 3, 20), 0), utc(date(2027, 4, 20), 0))
    spans = open_intervals([rule], [], window, AMS)
    assert [s.start.date() for s in spans] == [date(2027, 3, 29), date(2027, 4, 5)]


def test_midnight_to_midnight_days_join_and_clip_to_window() -> None:
    rules = [OpeningRule(wd, time(0), time(0)) for wd in (6, 7)]  # whole weekend
    window = Interval(utc(SPRING, 3), utc(date(2027, 3, 29), 12))
    spans = open_intervals(rules, [], window, AMS)
    assert spans == [Interval(utc(SPRING, 3), utc(SPRING, 22))]  # Monday 00:00 CEST = 22:00 UTC


def test_empty_window_and_no_rules() -> None:
    assert open_intervals([OpeningRule(1, time(8), time(9))], [], around(SPRING), AMS) == []
    assert open_intervals([], [], Interval(utc(SPRING, 5), utc(SPRING, 5)), AMS) == []


def test_thousand_resources_over_two_weeks_across_the_spring_change() -> None:
    """The speed of this is measured in benchmarks/availability.py, not asserted here."""
    rule_sets = [
        [OpeningRule(wd, time(7 + i % 3, 15 * (i % 4)), time(16 + i % 5)) for wd in range(1, 6)]
        + [OpeningRule(6, time(9), time(13))]
        for i in range(1000)
    ]
    window = Interval(utc(date(2027, 3, 22), 0), utc(date(2027, 4, 5), 0))  # spring DST inside
    closed = [OpeningException(date(2027, 3, 29), None, None)]
    open_intervals(rule_sets[0], closed, window, AMS)  # warm the conversion cache
    total = sum(len(open_intervals(rs, closed, window, AMS)) for rs in rule_sets)
    assert total == 1000 * 11  # 9 weekdays + 2 Saturdays each
