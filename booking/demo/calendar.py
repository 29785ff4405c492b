"""Demo time: local days in Europe/Amsterdam as epoch seconds, opening profiles and holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import arrow
from dateutil.easter import easter

TZ = "Europe/Amsterdam"
DAY = timedelta(days=1)

Span = tuple[int, int]
"""A half-open interval `[start, end)` in epoch seconds (UTC)."""


@lru_cache(maxsize=65536)
def local_epoch(day: date, minute: int) -> int:
    """Epoch seconds at which the Amsterdam clock reads `day` + `minute` (1440 = next midnight).

    The demo uses whole hours between 08:00 and 22:00 and midnights, none of them in a DST gap.
    """
    if minute >= 24 * 60:
        day, minute = day + DAY, minute - 24 * 60
    local = arrow.Arrow(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=TZ)
    return local.int_timestamp


def local_day(at: datetime) -> date:
    """The Amsterdam calendar date at the aware instant `at`."""
    return arrow.get(at).to(TZ).date()


def instant(epoch: int) -> datetime:
    """An aware UTC datetime (whole seconds) for epoch seconds."""
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True, slots=True)
class Hours:
    """Open on `weekdays` (1 = Monday) from `opens` to `closes`, in whole hours, local time."""

    weekdays: tuple[int, ...]
    opens: int
    closes: int


PROFILES: dict[str, tuple[Hours, ...]] = {
    "dag": (Hours((1, 2, 3, 4, 5), 8, 17),),
    "lang": (Hours((1, 2, 3, 4, 5), 8, 18),),
    "avond": (Hours((1, 2, 3, 4, 5), 8, 17), Hours((1, 2, 3, 4), 18, 22)),
    "zaterdag": (Hours((1, 2, 3, 4, 5), 8, 18), Hours((6,), 9, 13)),
    "avond-zaterdag": (
        Hours((1, 2, 3, 4, 5), 8, 17),
        Hours((1, 2, 3, 4), 18, 22),
        Hours((6,), 9, 13),
    ),
}
"""Weekly opening hours; the evenings serve re-skilling courses, Saturdays open days."""


def open_spans(profile: str, days: list[date]) -> list[list[Span]]:
    """For each local date, the profile's opening spans in epoch seconds, in order."""
    rules = PROFILES[profile]
    result: list[list[Span]] = []
    for day in days:
        weekday = day.isoweekday()
        spans = [
            (local_epoch(day, h.opens * 60), local_epoch(day, h.closes * 60))
            for h in rules
            if weekday in h.weekdays
        ]
        result.append(sorted(spans))
    return result


SCHOOL_HOLIDAYS: tuple[tuple[str, date, date], ...] = (
    # Region Zuid, inclusive dates; later years approximate.
    ("Herfstvakantie", date(2025, 10, 11), date(2025, 10, 19)),
    ("Kerstvakantie", date(2025, 12, 20), date(2026, 1, 4)),
    ("Voorjaarsvakantie", date(2026, 2, 14), date(2026, 2, 22)),
    ("Meivakantie", date(2026, 4, 25), date(2026, 5, 3)),
    ("Zomervakantie", date(2026, 7, 11), date(2026, 8, 23)),
    ("Herfstvakantie", date(2026, 10, 17), date(2026, 10, 25)),
    ("Kerstvakantie", date(2026, 12, 19), date(2027, 1, 3)),
    ("Voorjaarsvakantie", date(2027, 2, 20), date(2027, 2, 28)),
    ("Meivakantie", date(2027, 4, 24), date(2027, 5, 2)),
    ("Zomervakantie", date(2027, 7, 10), date(2027, 8, 22)),
    ("Herfstvakantie", date(2027, 10, 16), date(2027, 10, 24)),
    ("Kerstvakantie", date(2027, 12, 25), date(2028, 1, 9)),
    ("Voorjaarsvakantie", date(2028, 2, 19), date(2028, 2, 27)),
    ("Meivakantie", date(2028, 4, 22), date(2028, 4, 30)),
    ("Zomervakantie", date(2028, 7, 8), date(2028, 8, 20)),
)


def public_holidays(year: int) -> list[tuple[str, date]]:
    """Dutch public holidays on which the schools close."""
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.isoweekday() == 7:
        kings_day -= DAY
    holidays = [
        ("Nieuwjaarsdag", date(year, 1, 1)),
        ("Goede Vrijdag", easter_sunday - 2 * DAY),
        ("Tweede Paasdag", easter_sunday + DAY),
        ("Koningsdag", kings_day),
        ("Hemelvaartsdag", easter_sunday + 39 * DAY),
        ("Tweede Pinksterdag", easter_sunday + 50 * DAY),
        ("Eerste Kerstdag", date(year, 12, 25)),
        ("Tweede Kerstdag", date(year, 12, 26)),
    ]
    if year % 5 == 0:
        holidays.append(("Bevrijdingsdag", date(year, 5, 5)))
    return holidays


def whole_days(first: date, last: date) -> Span:
    """Local midnight of `first` to local midnight after `last`."""
    return local_epoch(first, 0), local_epoch(last, 24 * 60)


def holiday_closures(
    first: date, last: date, *, public: bool = True, school: bool = False
) -> list[tuple[str, Span]]:
    """Public holidays and/or school holidays (region Zuid) touching `[first, last]`."""
    found: list[tuple[str, Span]] = []
    for year in range(first.year, last.year + 1):
        for reason, day in public_holidays(year):
            if public and first <= day <= last:
                found.append((reason, whole_days(day, day)))
    if school:
        for reason, start, end in SCHOOL_HOLIDAYS:
            if start <= last and first <= end:
                found.append((f"{reason} (regio Zuid)", whole_days(start, end)))
    return found
