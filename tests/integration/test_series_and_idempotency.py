"""Recurring series across the DST change, and Idempotency-Key replays."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.db.sql import fetch
from booking.domain.errors import Conflict, IdempotencyMismatch, RuleViolation
from booking.domain.intervals import Interval
from booking.services import bookings, closures
from booking.services.views import BookingRequest, Recurrence
from tests.conftest import Backend
from tests.factories import booker, make_resource, make_school, make_site, manager

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
FIRST = datetime(2027, 3, 15, 8, 30, tzinfo=AMS)  # Monday; clocks go forward on 28 March
RULE = "FREQ=WEEKLY;COUNT=4"


def series(rid: str, on_conflict: str = "fail", **kw: object) -> BookingRequest:
    return BookingRequest(
        [rid], FIRST, FIRST + timedelta(hours=2), title="Lasles",
        recurrence=Recurrence(RULE, on_conflict), **kw,  # type: ignore[arg-type]
    )


def local_starts(starts: list[datetime]) -> list[str]:
    return [s.astimezone(AMS).strftime("%m-%d %H:%M") for s in starts]


async def test_weekly_series_keeps_local_time_across_dst(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    b = (await bookings.create_booking(a, series(rid), NOW)).booking
    assert b is not None and [o.outcome for o in b.occurrences] == ["created"] * 4
    starts = [o.start for o in b.occurrences]
    assert local_starts(starts) == ["03-15 08:30", "03-22 08:30", "03-29 08:30", "04-05 08:30"]
    assert [s.astimezone(UTC).hour for s in starts] == [7, 7, 6, 6]
    rows = await fetch("SELECT starts_at FROM occurrences ORDER BY position")
    assert [r["starts_at"] for r in rows] == starts
    again = await bookings.get_booking(a, b.id)
    assert [o.start for o in again.occurrences] == starts and again.rrule == RULE


async def test_series_fail_and_skip_report_each_occurrence(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    rid = await make_resource(site_id=site)
    other, _ = await booker()
    taken = datetime(2027, 3, 29, 9, 0, tzinfo=AMS)  # third occurrence, after the change
    await bookings.create_booking(
        other, BookingRequest([rid], taken, taken + timedelta(hours=1)), NOW
    )
    fm = await manager(school)
    holiday = datetime(2027, 4, 5, tzinfo=AMS)
    await closures.add_closure(fm, rid, Interval(holiday, holiday + timedelta(days=1)),
                                "Tweede paasdag")
    a, _ = await booker()
    with pytest.raises(RuleViolation) as refused:  # fail mode: policy first (422)
        await bookings.create_booking(a, series(rid), NOW)
    assert {r.code for r in refused.value.reasons} == {"closure"}
    result = await bookings.create_booking(a, series(rid, "skip"), NOW)
    b = result.booking
    assert b is not None
    assert [o.outcome for o in b.occurrences] == ["created", "created", "skipped", "refused"]
    assert b.occurrences[2].conflicts[0].start == taken
    assert b.occurrences[3].reasons[0].code == "closure"
    assert b.start == FIRST and b.end == datetime(2027, 3, 22, 10, 30, tzinfo=AMS)
    rows = await fetch("SELECT COUNT(*) AS n FROM occurrences WHERE booking = $1", b.id)
    assert rows[0]["n"] == 2


async def test_series_fail_mode_conflict_lists_intervals(db: Backend) -> None:
    rid = await make_resource()
    other, _ = await booker()
    for week in (1, 2):
        start = FIRST + timedelta(weeks=week)
        await bookings.create_booking(
            other, BookingRequest([rid], start, start + timedelta(hours=1)), NOW
        )
    a, _ = await booker()
    with pytest.raises(Conflict) as info:
        await bookings.create_booking(a, series(rid), NOW)
    assert len(info.value.conflicts) == 2


async def test_skip_with_nothing_left_is_a_conflict(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    await bookings.create_booking(a, series(rid), NOW)
    with pytest.raises(Conflict):
        await bookings.create_booking(a, series(rid, "skip"), NOW)


async def test_idempotency_replays_and_refuses_another_body(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    req = BookingRequest([rid], FIRST, FIRST + timedelta(hours=2), title="x")

    def render(view: object) -> bytes:
        return json.dumps({"id": view.id}).encode()  # type: ignore[attr-defined]

    first = await bookings.create_booking(a, req, NOW, "key-1", request_fingerprint="fp1",
                                          render=render)
    assert first.booking is not None and not first.replayed
    again = await bookings.create_booking(a, req, NOW, "key-1", request_fingerprint="fp1",
                                          render=render)
    assert again.replayed and again.status_code == 201 and again.booking is None
    assert json.loads(again.body or b"") == {"id": first.booking.id}
    with pytest.raises(IdempotencyMismatch):
        await bookings.create_booking(a, req, NOW, "key-1", request_fingerprint="fp2")
    rows = await fetch("SELECT COUNT(*) AS n FROM bookings")
    assert rows[0]["n"] == 1
    b, _ = await booker()  # the same key from another organisation is unrelated
    later = BookingRequest([rid], FIRST + timedelta(hours=3), FIRST + timedelta(hours=4))
    other = await bookings.create_booking(b, later, NOW, "key-1", request_fingerprint="fp1")
    assert other.booking is not None and not other.replayed


async def test_idempotent_error_is_replayed(db: Backend) -> None:
    rid = await make_resource()
    a, company = await booker()
    bad = BookingRequest([rid], NOW, NOW + timedelta(hours=1))  # too soon
    with pytest.raises(RuleViolation):
        await bookings.create_booking(a, bad, NOW, "k", request_fingerprint="fp")
    await bookings.record_idempotent_error(company, "k", "fp", 422, b'{"status": 422}')
    replay = await bookings.create_booking(a, bad, NOW, "k", request_fingerprint="fp")
    assert replay.replayed and replay.status_code == 422 and replay.body == b'{"status": 422}'


async def test_failed_request_releases_its_key(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    bad = BookingRequest([rid], NOW, NOW + timedelta(hours=1))
    with pytest.raises(RuleViolation):
        await bookings.create_booking(a, bad, NOW, "k2", request_fingerprint="fp")
    with pytest.raises(RuleViolation):  # runs again, not "in progress"
        await bookings.create_booking(a, bad, NOW, "k2", request_fingerprint="fp")


async def test_a_running_key_answers_in_progress_then_is_taken_over_after_60_s(
    db: Backend,
) -> None:
    from booking.domain.errors import IdempotencyInProgress
    from booking.services import idempotency

    rid = await make_resource()
    a, company = await booker()
    req = BookingRequest([rid], FIRST, FIRST + timedelta(hours=2), title="x")
    fingerprint = "fp-running"
    # the first request committed its `running` record and is still working (or crashed)
    owner = await idempotency.begin(company, "k-run", idempotency.request_hash_of(fingerprint),
                                    NOW)
    assert owner is None
    for later in (timedelta(0), timedelta(seconds=59)):
        with pytest.raises(IdempotencyInProgress):
            await bookings.create_booking(a, req, NOW + later, "k-run",
                                          request_fingerprint=fingerprint)
    with pytest.raises(IdempotencyMismatch):  # another body is refused even while running
        await bookings.create_booking(a, req, NOW, "k-run", request_fingerprint="other")
    rows = await fetch("SELECT state FROM idempotency_records")
    assert [r["state"] for r in rows] == ["running"]  # the refusals left it alone
    taken = await bookings.create_booking(a, req, NOW + timedelta(seconds=61), "k-run",
                                          request_fingerprint=fingerprint)
    assert taken.booking is not None and not taken.replayed
    replay = await bookings.create_booking(a, req, NOW + timedelta(seconds=62), "k-run",
                                           request_fingerprint=fingerprint)
    assert replay.replayed and replay.status_code == 201
    rows = await fetch("SELECT COUNT(*) AS n FROM bookings")
    assert rows[0]["n"] == 1


async def test_only_one_of_two_takers_over_wins(db: Backend) -> None:
    from booking.db import idempotency_store
    from booking.services import idempotency

    _, company = await booker()
    await idempotency.begin(company, "k-two", "h", NOW)
    record = await idempotency_store.get_record(company, "k-two")
    assert record is not None
    late = NOW + timedelta(seconds=90)
    assert await idempotency_store.take_over(record, "h", late)
    assert not await idempotency_store.take_over(record, "h", late)  # the stale read lost
