"""Imported timetables and holiday calendars, as the closures a school would expect."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from booking.domain.intervals import Interval
from booking.ical import (
    SKIP_MESSAGES,
    IcsFormatError,
    ImportedEvent,
    content_fingerprint,
    parse_import,
    read_import,
)

AMS = ZoneInfo("Europe/Amsterdam")
ICS = Path(__file__).parent / "ics"
AUTUMN = Interval(datetime(2027, 10, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A wall-clock time in Amsterdam as the UTC instant the importer returns."""
    return datetime(y, mo, d, h, mi, tzinfo=AMS).astimezone(UTC)


def calendar(*events: str, header: str = "") -> str:
    """A VCALENDAR around VEVENT bodies given one property per line."""
    vevents = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{vevents}END:VCALENDAR\n"
    return text.replace("\n", "\r\n")


def spans(events: list[ImportedEvent]) -> list[tuple[datetime, datetime]]:
    return [(e.interval.start, e.interval.end) for e in events]


def test_outlook_timetable_expands_exdate_moves_and_cancellations() -> None:
    events = parse_import((ICS / "timetable.ics").read_bytes(), AUTUMN)
    assert [(e.interval.start, e.interval.end, e.summary) for e in events] == [
        # 08:30 local every Monday: 06:30Z in summer time, 07:30Z after the autumn change
        (local(2027, 10, 18, 8, 30), local(2027, 10, 18, 10, 0), "Lassen MBO-2, groep LAS2A"),
        # 2027-10-19 transparent "vrije inloop": does not block a timetable
        (local(2027, 10, 20, 9, 0), local(2027, 10, 20, 12, 0), "PLC practicum (onder voorbehoud)"),
        # 2027-10-25 cancelled instance dropped
        (local(2027, 11, 1, 8, 30), local(2027, 11, 1, 10, 0), "Lassen MBO-2, groep LAS2A"),
        # 2027-11-08 excluded; 2027-11-15 moved to Tuesday afternoon
        (
            local(2027, 11, 16, 13, 0),
            local(2027, 11, 16, 14, 30),
            "Lassen MBO-2, groep LAS2A (verplaatst)",
        ),
        (local(2027, 11, 22, 8, 30), local(2027, 11, 22, 10, 0), "Lassen MBO-2, groep LAS2A"),
    ]
    assert events[0].interval.start == utc(2027, 10, 18, 6, 30)
    assert events[2].interval.start == utc(2027, 11, 1, 7, 30)


def test_results_are_utc_and_clipped_to_the_window() -> None:
    window = Interval(datetime(2027, 10, 18, 9, tzinfo=AMS), datetime(2027, 11, 1, 9, tzinfo=AMS))
    events = parse_import((ICS / "timetable.ics").read_text("utf-8"), window)
    assert spans(events) == [
        (local(2027, 10, 18, 9, 0), local(2027, 10, 18, 10, 0)),
        (local(2027, 10, 20, 9, 0), local(2027, 10, 20, 12, 0)),
        (local(2027, 11, 1, 8, 30), local(2027, 11, 1, 9, 0)),
    ]
    assert all(e.interval.start.tzinfo is UTC for e in events)


HOLIDAYS = calendar(
    """UID:herfst-zondag
SUMMARY:Wintertijd-zondag
DTSTART;VALUE=DATE:20271031
DTEND;VALUE=DATE:20271101
TRANSP:TRANSPARENT""",
    """UID:lente-zondag
SUMMARY:Zomertijd-zondag
DTSTART;VALUE=DATE:20270328
TRANSP:TRANSPARENT""",
    """UID:kerst
SUMMARY:Kerstvakantie
DTSTART;VALUE=DATE:20271225
DURATION:P9D""",
)
YEAR = Interval(utc(2027, 1, 1), utc(2028, 6, 1))


def test_all_day_holidays_are_local_whole_days_of_23_or_25_hours() -> None:
    events = parse_import(HOLIDAYS, YEAR, kind="holidays")
    by_name = {e.summary: e.interval for e in events}
    assert by_name["Zomertijd-zondag"] == Interval(local(2027, 3, 28), local(2027, 3, 29))
    assert by_name["Zomertijd-zondag"].duration == timedelta(hours=23)
    assert by_name["Wintertijd-zondag"] == Interval(utc(2027, 10, 30, 22), utc(2027, 10, 31, 23))
    assert by_name["Wintertijd-zondag"].duration == timedelta(hours=25)
    assert by_name["Kerstvakantie"] == Interval(local(2027, 12, 25), local(2028, 1, 3))


def test_all_day_events_follow_the_site_zone() -> None:
    (event, *_) = parse_import(HOLIDAYS, YEAR, kind="holidays", tz="Europe/London")
    assert event.interval == Interval(utc(2027, 3, 28), utc(2027, 3, 28, 23))


def test_transparent_events_block_for_holidays_but_not_for_timetables() -> None:
    assert [e.summary for e in parse_import(HOLIDAYS, YEAR, kind="holidays")] == [
        "Zomertijd-zondag",
        "Wintertijd-zondag",
        "Kerstvakantie",
    ]
    assert [e.summary for e in parse_import(HOLIDAYS, YEAR, kind="timetable")] == ["Kerstvakantie"]


def test_floating_times_are_local_to_x_wr_timezone_else_the_site_zone() -> None:
    event = "UID:f\nSUMMARY:Les\nDTSTART:20271101T083000\nDTEND:20271101T100000"
    london = calendar(event, header="X-WR-TIMEZONE:Europe/London\n")
    assert spans(parse_import(london, AUTUMN)) == [(utc(2027, 11, 1, 8, 30), utc(2027, 11, 1, 10))]
    assert spans(parse_import(calendar(event), AUTUMN)) == [
        (utc(2027, 11, 1, 7, 30), utc(2027, 11, 1, 9)),
    ]
    assert spans(parse_import(calendar(event), AUTUMN, tz="Europe/Lisbon")) == [
        (utc(2027, 11, 1, 8, 30), utc(2027, 11, 1, 10)),
    ]


def test_x_wr_timezone_rules_expand_in_local_time_across_dst() -> None:
    body = calendar(
        "UID:w\nSUMMARY:Les\nDTSTART:20271025T083000\nDTEND:20271025T100000\n"
        "RRULE:FREQ=WEEKLY;COUNT=2",
        header="X-WR-TIMEZONE:Europe/Amsterdam\n",
    )
    assert [s for s, _ in spans(parse_import(body, AUTUMN, tz="UTC"))] == [
        utc(2027, 10, 25, 6, 30),
        utc(2027, 11, 1, 7, 30),
    ]


def test_unknown_x_wr_timezone_falls_back_to_the_site_zone() -> None:
    body = calendar(
        "UID:f\nDTSTART:20271101T083000\nDTEND:20271101T100000",
        header="X-WR-TIMEZONE:Mars/Olympus\n",
    )
    assert spans(parse_import(body, AUTUMN)) == [(utc(2027, 11, 1, 7, 30), utc(2027, 11, 1, 9))]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        # DURATION instead of DTEND
        ("DTSTART:20271102T080000Z\nDURATION:PT2H", (utc(2027, 11, 2, 8), utc(2027, 11, 2, 10))),
        # all-day without DTEND: one local day
        ("DTSTART;VALUE=DATE:20271102", (local(2027, 11, 2), local(2027, 11, 3))),
        # all-day whose DTEND repeats DTSTART: still one day
        (
            "DTSTART;VALUE=DATE:20271102\nDTEND;VALUE=DATE:20271102",
            (local(2027, 11, 2), local(2027, 11, 3)),
        ),
        # timed without DTEND or DURATION: zero length, blocks nothing
        ("DTSTART:20271102T080000Z", None),
    ],
    ids=["duration", "all-day-no-end", "all-day-same-end", "timed-no-end"],
)
def test_events_without_dtend(props: str, expected: tuple[datetime, datetime] | None) -> None:
    got = spans(parse_import(calendar(f"UID:x\nSUMMARY:x\n{props}"), AUTUMN, kind="holidays"))
    assert got == ([expected] if expected else [])


def test_broken_components_are_skipped_not_fatal() -> None:
    body = calendar(
        "UID:bad-date\nDTSTART:notadate\nDTEND:20271101T100000Z",
        "UID:no-start\nSUMMARY:zonder begin",
        "UID:bad-rule\nDTSTART:20271101T080000Z\nDTEND:20271101T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX",
        "UID:runaway\nDTSTART:20271101T080000Z\nDTEND:20271101T080001Z\nRRULE:FREQ=SECONDLY",
        "UID:good\nSUMMARY:goed\nDTSTART:20271103T080000Z\nDTEND:20271103T090000Z",
    )
    assert [e.summary for e in parse_import(body, AUTUMN)] == ["goed"]


def test_a_series_the_expander_chokes_on_does_not_sink_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_of = recurring_ical_events.of

    def choking_of(cal: Calendar, **kw: Any) -> Any:
        if b"poison" in cal.to_ical():
            raise RuntimeError("expander bug")
        return real_of(cal, **kw)

    monkeypatch.setattr(recurring_ical_events, "of", choking_of)
    body = calendar(
        "UID:poison\nDTSTART:20271101T080000Z\nDTEND:20271101T090000Z",
        "UID:good\nSUMMARY:goed\nDTSTART:20271103T080000Z\nDTEND:20271103T090000Z",
        header="X-WR-TIMEZONE:Europe/Amsterdam\n",
    )
    assert spans(parse_import(body, AUTUMN)) == [(utc(2027, 11, 3, 8), utc(2027, 11, 3, 9))]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \r\n",
        b"<!DOCTYPE html>\n<html><head><title>Inloggen - Microsoft 365</title></head></html>",
        b'{"error": "unauthorized"}',
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20271101T080000Z\r\nEND:VEVENT\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2027",  # truncated
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    ],
    ids=["empty", "blank", "html", "json", "binary", "bare-vevent", "truncated", "two-calendars"],
)
def test_non_calendars_are_refused(body: bytes | str) -> None:
    with pytest.raises(IcsFormatError):
        parse_import(body, AUTUMN)


def test_an_empty_calendar_is_no_events() -> None:
    assert parse_import(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", AUTUMN) == []


def test_bom_leading_blank_lines_lf_endings_and_latin1_bytes_are_tolerated() -> None:
    body = calendar("UID:x\nSUMMARY:Caf\xe9\nDTSTART:20271103T080000Z\nDTEND:20271103T090000Z")
    raw = b"\xef\xbb\xbf\r\n" + body.replace("\r\n", "\n").encode("latin-1")
    (event,) = parse_import(raw, AUTUMN)
    assert event.summary.startswith("Caf")


@pytest.mark.parametrize(
    ("kw", "message"), [({"kind": "rooster"}, "kind"), ({"tz": "CET/X"}, "zone")]
)
def test_bad_arguments_are_value_errors(kw: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_import(calendar(), AUTUMN, **kw)


def test_fingerprint_ignores_order_and_external_uids() -> None:
    first = parse_import((ICS / "timetable.ics").read_bytes(), AUTUMN)
    regenerated = (ICS / "timetable.ics").read_text("utf-8").replace("A1B2C3D4", "FFEE0099")
    again = parse_import(regenerated.replace("vrije-studie-1", "x-42"), AUTUMN)
    assert content_fingerprint(first) == content_fingerprint(again)
    assert content_fingerprint(first) == content_fingerprint(list(reversed(first)))


def test_fingerprint_changes_when_a_time_or_title_changes() -> None:
    text = (ICS / "timetable.ics").read_text("utf-8")
    base = content_fingerprint(parse_import(text, AUTUMN))
    moved = text.replace("20271116T143000", "20271116T150000")
    renamed = text.replace("(verplaatst)", "(naar lokaal B2)")
    assert content_fingerprint(parse_import(moved, AUTUMN)) != base
    assert content_fingerprint(parse_import(renamed, AUTUMN)) != base
    assert content_fingerprint([]) != base


instants = st.datetimes(
    min_value=datetime(2027, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(AMS)
)


@given(
    st.lists(st.tuples(instants, st.integers(1, 600), st.text(max_size=8)), max_size=12),
    st.randoms(),
)
def test_fingerprint_depends_on_content_only(
    rows: list[tuple[datetime, int, str]], rnd: random.Random
) -> None:
    events = [ImportedEvent(Interval(s, s + timedelta(minutes=m)), t) for s, m, t in rows]
    as_utc = [
        ImportedEvent(
            Interval(e.interval.start.astimezone(UTC), e.interval.end.astimezone(UTC)), e.summary
        )
        for e in events
    ]
    rnd.shuffle(as_utc)
    assert content_fingerprint(events) == content_fingerprint(as_utc)


GOOD = "UID:good\nDTSTART:20271011T080000Z\nDTEND:20271011T090000Z\nSUMMARY:Les"


@pytest.mark.parametrize(
    ("event", "code"),
    [
        ("UID:rev\nDTSTART:20271011T100000Z\nDTEND:20271011T090000Z", "ends_before_start"),
        ("UID:neg\nDTSTART:20271011T100000Z\nDURATION:-PT1H", "ends_before_start"),
        ("UID:day\nDTSTART;VALUE=DATE:20271012\nDTEND;VALUE=DATE:20271010", "ends_before_start"),
        ("UID:zero\nDTSTART:20271011T100000Z\nDTEND:20271011T100000Z", "empty"),
        ("UID:mars\nDTSTART;TZID=Mars/Olympus:20271011T100000\n"
         "DTEND;TZID=Mars/Olympus:20271011T110000", "unknown_timezone"),
        ("UID:sec\nDTSTART:20271011T100000Z\nDTEND:20271011T100001Z\nRRULE:FREQ=SECONDLY",
         "rule_too_fine"),
        ("UID:min\nDTSTART:20271011T100000Z\nDTEND:20271011T100500Z\nRRULE:FREQ=MINUTELY;"
         "INTERVAL=90", "rule_too_fine"),
        ("UID:open\nDTSTART:20271011T100000Z", "no_end"),
        ("UID:old\nDTSTART:00010101T100000Z\nDTEND:00010101T110000Z", "absurd_date"),
        ("UID:far\nDTSTART:22000101T100000Z\nDTEND:22000101T110000Z", "absurd_date"),
        ("UID:until\nDTSTART:20271011T100000Z\nDTEND:20271011T110000Z\n"
         "RRULE:FREQ=DAILY;UNTIL=99991231T000000Z", "absurd_date"),
        ("UID:nostart\nDTEND:20271011T110000Z", "no_start"),
    ],
    ids=lambda v: v.split("\n")[0] if "\n" in str(v) else str(v),
)
def test_an_event_that_cannot_be_used_is_skipped_with_its_reason(event: str, code: str) -> None:
    got = read_import(calendar(GOOD, event), AUTUMN)
    assert spans(got.events) == [(utc(2027, 10, 11, 8), utc(2027, 10, 11, 9))]
    uid = event.split("\n")[0].removeprefix("UID:")
    assert [(s.uid, s.code) for s in got.skipped] == [(uid, code)]
    assert code in SKIP_MESSAGES


def test_an_all_day_event_without_end_is_one_usable_day() -> None:
    got = read_import(calendar("UID:dag\nDTSTART;VALUE=DATE:20271012\nSUMMARY:Studiedag"), AUTUMN)
    assert spans(got.events) == [(local(2027, 10, 12), local(2027, 10, 13))] and not got.skipped


@pytest.mark.parametrize(("freq", "slot", "skipped"), [
    ("HOURLY", 30, False), ("HOURLY", 60, False), ("HOURLY", 120, True),
    ("HOURLY;INTERVAL=2", 120, False), ("DAILY", 240, False),
])
def test_a_rule_finer_than_the_slot_step_is_skipped(freq: str, slot: int, skipped: bool) -> None:
    rule = ("UID:r\nDTSTART:20271011T080000Z\nDTEND:20271011T083000Z\n"
            f"RRULE:FREQ={freq};COUNT=3")
    got = read_import(calendar(rule), AUTUMN, slot_minutes=slot)
    assert bool(got.skipped) is skipped and bool(got.events) is not skipped
