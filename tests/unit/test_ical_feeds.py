"""Published feeds read back by three independent parsers, and checked line by line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

from booking.ical import FeedEvent, empty_feed, feed_uid, render_feed

AMS = ZoneInfo("Europe/Amsterdam")
CHANGED = datetime(2027, 3, 1, 9, 15, 7, tzinfo=UTC)
LONG_DUTCH = (
    "Lasworkshop voor Bedrijf Vlieg & Zoon: één dag café-pauze, coördinatie, € 125,- p.p.; "
    "niveau 2 🔥🛠️ — graag vóór 08:15 melden bij de receptie; ideeën welkom 😀"
)


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS, fold=fold)


def event(uid: str, start: datetime, end: datetime, **kw: object) -> FeedEvent:
    fields: dict[str, object] = {
        "summary": "Lab CNC",
        "status": "CONFIRMED",
        "sequence": 0,
        "last_modified": CHANGED,
    }
    fields.update(kw)
    return FeedEvent(uid, start, end, **fields)  # type: ignore[arg-type]


# (uid, local start, local end, real hours) around the 2027 DST changes in Europe/Amsterdam.
DST_CASES = [
    ("spring-monday", local(2027, 3, 29, 8, 30), local(2027, 3, 29, 12, 0), 3.5),
    ("spring-night", local(2027, 3, 28, 1, 30), local(2027, 3, 28, 3, 30), 1.0),
    ("autumn-monday", local(2027, 11, 1, 8, 30), local(2027, 11, 1, 12, 0), 3.5),
    ("autumn-night", local(2027, 10, 31, 1, 30), local(2027, 10, 31, 3, 30), 3.0),
    ("repeated-hour", local(2027, 10, 31, 2, 15), local(2027, 10, 31, 2, 45, fold=1), 1.5),
]
DST_EVENTS = [event(uid, start, end) for uid, start, end, _ in DST_CASES]
EXPECTED = {uid: (start.astimezone(UTC), end.astimezone(UTC)) for uid, start, end, _ in DST_CASES}


def test_dst_cases_have_the_real_durations_we_claim() -> None:
    for _, start, end, hours in DST_CASES:
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    assert EXPECTED["spring-monday"][0] == datetime(2027, 3, 29, 6, 30, tzinfo=UTC)
    assert EXPECTED["autumn-monday"][0] == datetime(2027, 11, 1, 7, 30, tzinfo=UTC)


def test_icalendar_reads_the_same_instants() -> None:
    cal = Calendar.from_ical(render_feed("Lab", DST_EVENTS))
    got = {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in cal.walk("VEVENT")}
    assert got == EXPECTED


def test_vobject_reads_the_same_instants() -> None:
    cal = vobject.readOne(render_feed("Lab", DST_EVENTS).decode("utf-8"))
    got = {e.uid.value: (e.dtstart.value, e.dtend.value) for e in cal.vevent_list}
    assert got == EXPECTED
    assert all(start.utcoffset() == timedelta(0) for start, _ in got.values())


def test_recurring_ical_events_reads_the_same_instants() -> None:
    cal = Calendar.from_ical(render_feed("Lab", DST_EVENTS))
    window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC))
    got = {str(e["UID"]): (e.start, e.end) for e in recurring_ical_events.of(cal).between(*window)}
    assert got == EXPECTED


def test_times_are_written_in_utc_without_vtimezone() -> None:
    body = render_feed("Lab", DST_EVENTS).decode("utf-8")
    assert "DTSTART:20270329T063000Z\r\n" in body
    assert "DTSTART:20271030T233000Z\r\nDTEND:20271031T023000Z\r\n" in body
    assert "VTIMEZONE" not in body
    assert "TZID" not in body


def validate_structure(body: bytes) -> None:
    """What every client we serve needs of a published feed, checked on the raw bytes."""
    assert not body.startswith(b"\xef\xbb\xbf"), "BOM"
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b""), "bare LF"
    assert b"\r" not in body.replace(b"\r\n", b""), "bare CR"
    physical = body.split(b"\r\n")[:-1]
    for raw in physical:
        assert len(raw) <= 75, raw
        raw.decode("utf-8")  # a fold never splits a UTF-8 sequence
    logical: list[str] = []
    for raw in physical:
        if raw[:1] in (b" ", b"\t"):
            logical[-1] += raw[1:].decode("utf-8")
        else:
            logical.append(raw.decode("utf-8"))
    assert logical[0] == "BEGIN:VCALENDAR"
    assert logical[-1] == "END:VCALENDAR"
    names = [re.split(r"[;:]", line, maxsplit=1)[0] for line in logical]
    assert "METHOD" not in names
    for required in ("VERSION", "PRODID", "NAME", "X-WR-CALNAME", "X-PUBLISHED-TTL"):
        assert names.count(required) == 1, required
    assert "BEGIN:VTIMEZONE" not in logical
    assert not any("TZID" in line.split(":", 1)[0] for line in logical)
    for name, line in zip(names, logical, strict=True):
        if name in {"DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED"}:
            assert re.fullmatch(rf"{name}:\d{{8}}T\d{{6}}Z", line), f"not a UTC time: {line}"
    uids: list[str] = []
    events = "\n".join(logical).split("BEGIN:VEVENT\n")[1:]
    for vevent in events:
        props = {re.split(r"[;:]", line, maxsplit=1)[0] for line in vevent.split("\n")}
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= props
        uids.extend(line[4:] for line in vevent.split("\n") if line.startswith("UID:"))
    assert len(uids) == len(set(uids)) == len(events)


def test_feed_passes_structural_validation_with_long_dutch_text() -> None:
    events = [
        event(
            feed_uid(f"bk{i:04d}", i % 3),
            local(2027, 10, 25 + i % 7, 8, 30),
            local(2027, 10, 25 + i % 7, 10, 0),
            summary=LONG_DUTCH[i % 7 :] * 2,
            description=LONG_DUTCH + "\nRegel twee; met \\ en ,",
            location="Lokaal B.1.€ — Ëindhoven",
            url="https://labshare.example/boekingen/bk0001",
        )
        for i in range(40)
    ]
    body = render_feed("Techniek Ëindhoven — lassen & CNC 😀" * 3, events)
    validate_structure(body)
    validate_structure(empty_feed("Ingetrokken"))


def test_calendar_properties() -> None:
    body = render_feed("Lab", [], refresh=timedelta(hours=1)).decode("utf-8")
    lines = body.split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "CALSCALE:GREGORIAN" in lines
    assert "PRODID:-//labshare//labshare feeds 1.0//EN" in lines
    assert "NAME:Lab" in lines and "X-WR-CALNAME:Lab" in lines
    assert not any(line.startswith(("UID", "METHOD")) for line in lines)


def test_empty_feed_is_a_calendar_without_events() -> None:
    cal = Calendar.from_ical(empty_feed("Ingetrokken", refresh=timedelta(minutes=30)))
    assert cal.walk("VEVENT") == []
    assert str(cal["X-WR-CALNAME"]) == "Ingetrokken"
    assert b"X-PUBLISHED-TTL:PT30M" in empty_feed("x", refresh=timedelta(minutes=30))


def test_event_properties() -> None:
    pending = event(
        "b9-0@labshare",
        local(2027, 5, 3, 9, 0),
        local(2027, 5, 3, 11, 0),
        status="TENTATIVE",
        sequence=4,
        last_modified=datetime(2027, 4, 1, 12, 0, 5, tzinfo=AMS),
    )
    (vevent,) = Calendar.from_ical(render_feed("Lab", [pending])).walk("VEVENT")
    assert vevent["STATUS"] == "TENTATIVE"
    assert vevent["SEQUENCE"] == 4
    assert (
        vevent.decoded("DTSTAMP")
        == vevent.decoded("LAST-MODIFIED")
        == datetime(2027, 4, 1, 10, 0, 5, tzinfo=UTC)
    )
    assert "DESCRIPTION" not in vevent and "URL" not in vevent


def test_rendering_is_deterministic_and_independent_of_input_order() -> None:
    first = render_feed("Lab", DST_EVENTS)
    assert first == render_feed("Lab", DST_EVENTS)
    assert first == render_feed("Lab", list(reversed(DST_EVENTS)))


def test_text_escaping_round_trips_through_vobject() -> None:
    tricky = "Lassen, CNC; pad C:\\temp\\nope\nregel 2\r\nregel 3 — € é 😀"
    body = render_feed(
        "Lab, ; \\ test",
        [
            event(
                "t-0@labshare",
                local(2027, 5, 3, 9),
                local(2027, 5, 3, 10),
                summary=tricky,
                description=tricky,
                location=tricky,
            ),
        ],
    )
    assert b"SUMMARY:Lassen\\, CNC\\; pad C:\\\\temp\\\\nope\\nregel 2\\nregel 3" in body
    cal = vobject.readOne(body.decode("utf-8"))
    expected = tricky.replace("\r\n", "\n")
    assert cal.vevent.summary.value == expected
    assert cal.vevent.description.value == expected
    assert cal.vevent.location.value == expected
    assert cal.x_wr_calname.value == "Lab, ; \\ test"


def test_control_characters_are_dropped_from_text() -> None:
    body = render_feed(
        "Lab",
        [
            event(
                "c-0@labshare",
                local(2027, 5, 3, 9),
                local(2027, 5, 3, 10),
                summary="bel\x07 nul\x00 tab\tok",
                url="https://x.example/a b\r\nX:y",
            ),
        ],
    )
    (vevent,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "bel nul tab\tok"
    assert str(vevent["URL"]) == "https://x.example/abX:y"
    validate_structure(body)


@pytest.mark.parametrize(
    "bad",
    [
        event("n-0@labshare", datetime(2027, 5, 3, 9), datetime(2027, 5, 3, 10)),
        event("e-0@labshare", local(2027, 5, 3, 10), local(2027, 5, 3, 10)),
        event("s-0@labshare", local(2027, 5, 3, 9), local(2027, 5, 3, 10), status="CANCELLED"),
    ],
    ids=["naive", "empty", "cancelled"],
)
def test_invalid_events_are_refused(bad: FeedEvent) -> None:
    with pytest.raises(ValueError):
        render_feed("Lab", [bad])


def test_duplicate_uids_are_refused() -> None:
    twice = [DST_EVENTS[0], event(DST_EVENTS[0].uid, local(2027, 6, 1, 9), local(2027, 6, 1, 10))]
    with pytest.raises(ValueError, match="duplicate"):
        render_feed("Lab", twice)


def test_feed_uid_depends_only_on_booking_and_position() -> None:
    assert feed_uid("b-42", 3) == "b-42-3@labshare"
    assert feed_uid("b-42", 3, domain="school.example") == "b-42-3@school.example"
    assert feed_uid("b-42", 0) != feed_uid("b-42", 1)


def test_two_thousand_events_render_within_the_size_google_reads() -> None:
    """Render time is measured in benchmarks/feeds.py, not asserted here."""
    start = datetime(2027, 1, 4, 7, 30, tzinfo=UTC)
    events = [
        event(
            feed_uid(f"b{i}", 0),
            start + timedelta(hours=5 * i),
            start + timedelta(hours=5 * i + 2),
            summary=f"{LONG_DUTCH} {i}",
        )
        for i in range(2000)
    ]
    body = render_feed("Lab", events)
    assert body.count(b"BEGIN:VEVENT") == 2000
    assert len(body) < 1_000_000 * 2
