"""RRULE expansion in local time across the DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.domain.errors import RuleViolation
from booking.domain.intervals import Interval
from booking.domain.recurrence import expand_rrule

AMS = "Europe/Amsterdam"
# Monday 22 March 2027 08:30–12:30 CET (the spring change is on Sunday 28 March)
SPRING_MONDAY = Interval(datetime(2027, 3, 22, 7, 30, tzinfo=UTC),
                         datetime(2027, 3, 22, 11, 30, tzinfo=UTC))


def hours_utc(items: list[Interval]) -> list[tuple[int, int]]:
    return [(i.start.hour, i.start.minute) for i in items]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=WEEKLY;COUNT=3", "RRULE:FREQ=WEEKLY;COUNT=3", "rrule:freq=weekly;count=3"],
)
def test_weekly_keeps_local_time_across_spring(rule: str) -> None:
    items = expand_rrule(rule, SPRING_MONDAY, AMS)
    assert hours_utc(items) == [(7, 30), (6, 30), (6, 30)]  # 08:30 local every week
    assert all(i.duration == timedelta(hours=4) for i in items)


def test_weekly_across_autumn() -> None:
    first = Interval(datetime(2027, 10, 25, 6, 30, tzinfo=UTC),
                     datetime(2027, 10, 25, 10, 30, tzinfo=UTC))  # 08:30 CEST
    assert hours_utc(expand_rrule("FREQ=WEEKLY;COUNT=2", first, AMS)) == [(6, 30), (7, 30)]


def test_daily_over_the_spring_night_keeps_wall_clock_length() -> None:
    # Saturday 01:00–04:00 local daily: Sunday's occurrence is only two real hours
    first = Interval(datetime(2027, 3, 27, 0, tzinfo=UTC), datetime(2027, 3, 27, 3, tzinfo=UTC))
    items = expand_rrule("FREQ=DAILY;COUNT=3", first, AMS)
    assert [i.duration for i in items] == [timedelta(hours=h) for h in (3, 2, 3)]


@pytest.mark.parametrize(
    ("rule", "count"),
    [
        ("FREQ=WEEKLY;UNTIL=20270405T063000Z", 3),  # UTC UNTIL, inclusive of 5 April 08:30 CEST
        ("FREQ=WEEKLY;UNTIL=20270405", 3),  # a bare date counts the whole day
        ("FREQ=WEEKLY;UNTIL=20270405T083000", 3),  # floating local UNTIL
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=4", 4),  # every other week
        ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5", 5),  # twice a week
    ],
)
def test_bounded_rules(rule: str, count: int) -> None:
    assert len(expand_rrule(rule, SPRING_MONDAY, AMS)) == count


def test_until_parameter_bounds_an_open_rule() -> None:
    until = datetime(2027, 4, 30, tzinfo=UTC)
    assert len(expand_rrule("FREQ=WEEKLY", SPRING_MONDAY, AMS, until=until)) == 6


@pytest.mark.parametrize(
    ("rule", "limit"),
    [
        ("FREQ=SOMETIMES", 200),  # unparsable
        ("", 200),  # empty
        ("FREQ=WEEKLY", 200),  # never ends
        ("FREQ=DAILY;COUNT=201", 200),  # too many occurrences
        ("FREQ=WEEKLY;COUNT=11", 10),  # over a smaller limit
        ("FREQ=HOURLY;COUNT=3", 200),  # four-hour occurrences every hour overlap
        ("DTSTART:20270101T000000\nRRULE:FREQ=DAILY;COUNT=2", 200),  # not a single RRULE
    ],
)
def test_invalid_rules(rule: str, limit: int) -> None:
    with pytest.raises(RuleViolation) as caught:
        expand_rrule(rule, SPRING_MONDAY, AMS, limit=limit)
    assert caught.value.field_name == "recurrence.rrule"
    assert [r.code for r in caught.value.reasons] == ["invalid_rrule"]


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number of at least 1"),
        ("FREQ=WEEKLY;COUNT=-1", "COUNT must be a whole number of at least 1"),
        ("FREQ=WEEKLY;COUNT=x", "COUNT must be a whole number of at least 1"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "INTERVAL must be a whole number of at least 1"),
        ("FREQ=WEEKLY;UNTIL=20200101T000000Z", "the rule ends (UNTIL) before the first"),
        ("FREQ=WEEKLY;UNTIL=20270321", "the rule ends (UNTIL) before the first"),
        ("FREQ=WEEKLY;COUNT", "'COUNT' is not NAME=VALUE"),
        ("FREQ=WEEKLY;;COUNT=2", "'' is not NAME=VALUE"),
        ("FREQ=WEEKLY;COLOUR=RED;COUNT=2", "unknown rule part COLOUR"),
        ("FREQ=WEEKLY;COUNT=2;COUNT=3", "COUNT appears twice"),
        ("COUNT=2", "FREQ is missing"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270405", "not both"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=2", "cannot read the recurrence rule: invalid 'BYDAY'"),
        ("FREQ=WEEKLY;UNTIL=2027;COUNT", "is not NAME=VALUE"),
        ("FREQ=WEEKLY;UNTIL=99991231T235959Z", "cannot read the recurrence rule"),
    ],
)
def test_refusals_say_why_in_words(rule: str, says: str) -> None:
    """Rules that would give no occurrence, or that dateutil misreads, are refused with a
    sentence a planner understands — never a Python message ("not enough values to unpack")."""
    with pytest.raises(RuleViolation) as caught:
        expand_rrule(rule, SPRING_MONDAY, AMS, limit=10_000)
    assert caught.value.field_name == "recurrence.rrule"
    (reason,) = caught.value.reasons
    assert reason.code == "invalid_rrule" and says in reason.message, reason.message
    assert "unpack" not in reason.message and "Error" not in reason.message


def test_exactly_limit_is_fine() -> None:
    assert len(expand_rrule("FREQ=DAILY;COUNT=200", SPRING_MONDAY, AMS)) == 200
