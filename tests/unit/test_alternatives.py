"""Nearest free times that fit a refused request (booking.domain.alternatives)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking.domain.alternatives import nearest_fits
from booking.domain.intervals import Interval

TZ = "Europe/Amsterdam"


def at(day: int, hour: float) -> datetime:  # March 2027 is CET (UTC+1) before the 28th
    return datetime(2027, 3, day, tzinfo=UTC) + timedelta(hours=hour - 1)


def test_nearest_windows_where_the_length_fits_in_time_order() -> None:
    wanted = Interval(at(9, 10), at(9, 12))  # Tuesday 10:00-12:00, booked
    free = [
        Interval(at(8, 8), at(8, 18)),  # Monday: its nearest is 16:00-18:00
        Interval(at(9, 8), at(9, 10)),  # Tuesday morning: exactly two hours before
        Interval(at(9, 12), at(9, 13)),  # too short
        Interval(at(9, 13), at(9, 18)),  # Tuesday afternoon from 13:00
        Interval(at(11, 8), at(11, 18)),  # Thursday: further away
    ]
    assert nearest_fits(free, wanted, TZ, 30) == [  # the nearest three, Thursday left out
        Interval(at(8, 16), at(8, 18)),
        Interval(at(9, 8), at(9, 10)),
        Interval(at(9, 13), at(9, 15)),
    ]


def test_starts_fall_on_slot_boundaries_and_never_repeat_the_request() -> None:
    wanted = Interval(at(9, 10.25), at(9, 11.25))  # 10:15-11:15
    assert nearest_fits([Interval(at(9, 9), at(9, 17))], wanted, TZ, 60) == [
        Interval(at(9, 10), at(9, 11))]
    assert nearest_fits([Interval(at(9, 8), at(9, 12))], Interval(at(9, 9), at(9, 10)),
                        TZ, 30) == []
    assert nearest_fits([], wanted, TZ, 30) == []
