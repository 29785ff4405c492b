"""Wall-clock ↔ UTC conversion and local slot alignment in the DST weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from booking.domain.localtime import (
    align_down,
    align_up,
    is_aligned,
    local_instant,
    slot_boundaries,
    wall_instants,
)

AMS = "Europe/Amsterdam"
SPRING, AUTUMN = date(2027, 3, 28), date(2027, 10, 31)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "minute", "latest", "expected"),
    [
        (SPRING, 8 * 60, False, utc(SPRING, 6)),  # 08:00 CEST
        (SPRING, 150, False, utc(SPRING, 1)),  # 02:30 does not exist: the moment of the jump
        (SPRING, 150, True, utc(SPRING, 1)),  # same for a closing time
        (AUTUMN, 150, False, utc(AUTUMN, 0, 30)),  # repeated 02:30: first reading (CEST)
        (AUTUMN, 150, True, utc(AUTUMN, 1, 30)),  # repeated 02:30: last reading (CET)
        (AUTUMN, 24 * 60, True, utc(date(2027, 10, 31), 23)),  # 24:00 = next local midnight
    ],
)
def test_local_instant(day: date, minute: int, latest: bool, expected: datetime) -> None:
    assert local_instant(AMS, day, minute, latest) == expected


def test_wall_instants_count() -> None:
    assert wall_instants(AMS, SPRING, 150) == ()  # skipped
    assert len(wall_instants(AMS, AUTUMN, 150)) == 2  # repeated
    assert len(wall_instants(AMS, AUTUMN, 12 * 60)) == 1


def test_slot_boundaries_follow_the_wall_clock() -> None:
    # a 23-hour day has 46 half-hour boundaries, a 25-hour day 50
    assert len(slot_boundaries(AMS, SPRING, 30)) == 46
    assert len(slot_boundaries(AMS, AUTUMN, 30)) == 50
    assert len(slot_boundaries(AMS, date(2027, 3, 29), 30)) == 48


@pytest.mark.parametrize(
    ("at", "slot", "up", "down"),
    [
        (utc(SPRING, 6, 10), 30, utc(SPRING, 6, 30), utc(SPRING, 6)),  # ordinary CEST morning
        (utc(SPRING, 0, 45), 60, utc(SPRING, 1), utc(SPRING, 0)),  # 01:45 CET → 03:00 CEST
        (utc(AUTUMN, 0, 50), 60, utc(AUTUMN, 1), utc(AUTUMN, 0)),  # 02:50 CEST → 02:00 CET
        (utc(AUTUMN, 1, 10), 30, utc(AUTUMN, 1, 30), utc(AUTUMN, 1)),  # inside repeated hour
        (utc(SPRING, 22, 50), 30, utc(SPRING, 23), utc(SPRING, 22, 30)),  # crosses midnight
    ],
)
def test_align(at: datetime, slot: int, up: datetime, down: datetime) -> None:
    assert align_up(at, AMS, slot) == up
    assert align_down(at, AMS, slot) == down
    assert is_aligned(up, AMS, slot) and is_aligned(down, AMS, slot)
    assert not is_aligned(at, AMS, slot)
