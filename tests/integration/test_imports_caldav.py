"""An import from a real CalDAV server: Radicale on 127.0.0.1 (no auth, files in tmp), filled
with the `caldav` client; Radicale serves the whole collection as one ICS on GET. A weekly
timetable with a cancelled (EXDATE) and a moved (RECURRENCE-ID) lesson becomes closures that the
resource's availability shows; a change in the collection is followed by the background re-fetch."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import caldav
import httpx
import pytest

from booking.domain.intervals import Interval
from booking.services import catalogue, imports
from booking.services.ics_fetch import FetchPolicy
from tests.conftest import Backend
from tests.factories import make_resource, make_school, make_site, manager

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
POLICY = FetchPolicy(timeout=5.0, allow_private=True)

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

TIMETABLE = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//school//rooster//NL
{VTIMEZONE}
BEGIN:VEVENT
UID:cnc-les@rooster.school
DTSTAMP:20270101T000000Z
DTSTART;TZID=Europe/Amsterdam:20270308T083000
DTEND;TZID=Europe/Amsterdam:20270308T100000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Amsterdam:20270322T083000
SUMMARY:Les CNC-frezen
END:VEVENT
BEGIN:VEVENT
UID:cnc-les@rooster.school
DTSTAMP:20270101T000000Z
RECURRENCE-ID;TZID=Europe/Amsterdam:20270329T083000
DTSTART;TZID=Europe/Amsterdam:20270329T130000
DTEND;TZID=Europe/Amsterdam:20270329T143000
SUMMARY:Les CNC-frezen (verplaatst)
END:VEVENT
END:VCALENDAR
"""

EXTRA = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//school//rooster//NL
{VTIMEZONE}
BEGIN:VEVENT
UID:extra@rooster.school
DTSTAMP:20270101T000000Z
DTSTART;TZID=Europe/Amsterdam:20270331T100000
DTEND;TZID=Europe/Amsterdam:20270331T120000
SUMMARY:Extra les
END:VEVENT
END:VCALENDAR
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Radicale server without authentication, storing in a temp dir."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("radicale")
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts",
         f"127.0.0.1:{port}", "--auth-type", "none", "--storage-filesystem-folder",
         str(Path(folder) / "collections"), "--logging-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/.web/", timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("Radicale did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _new_collection(base: str, name: str) -> caldav.Calendar:
    client = caldav.DAVClient(url=base + "/", username="rooster", password="x")
    return client.principal().make_calendar(name=name, cal_id=name)


async def test_timetable_from_caldav_blocks_the_resource_and_follows_changes(
    db: Backend, radicale: str
) -> None:
    name = f"rooster-{db.name}"
    collection = await asyncio.to_thread(_new_collection, radicale, name)
    await asyncio.to_thread(collection.save_event, TIMETABLE)
    school = await make_school()
    resource = await make_resource(site_id=await make_site(school_id=school))
    boss = await manager(school)
    monday = Interval(datetime(2027, 3, 29, 6, 0, tzinfo=UTC), datetime(2027, 3, 29, 16, 0,
                                                                        tzinfo=UTC))
    before = await catalogue.availability(boss, resource, monday, NOW)
    assert not [b for b in before.busy if b.kind == "closure"]

    url = f"http://rooster:x@127.0.0.1:{radicale.rsplit(':', 1)[1]}/rooster/{name}/"
    view = await imports.create_import(boss, resource_id=resource, url=url, kind="timetable",
                                       now=NOW, policy=POLICY)
    assert (view.status, view.events) == ("ok", 5)  # 6 weekly lessons, one cancelled

    after = await catalogue.availability(boss, resource, monday, NOW)
    moved = [(b.start, b.end, b.reason) for b in after.busy if b.kind == "closure"]
    # moved from 08:30 to 13:00 local; CEST since the night before: 11:00Z
    assert moved == [(datetime(2027, 3, 29, 11, 0, tzinfo=UTC),
                      datetime(2027, 3, 29, 12, 30, tzinfo=UTC), "Les CNC-frezen (verplaatst)")]
    assert all(not (f.start < moved[0][1] and moved[0][0] < f.end) for f in after.free)
    cancelled = Interval(datetime(2027, 3, 22, 7, 30, tzinfo=UTC),
                         datetime(2027, 3, 22, 9, 0, tzinfo=UTC))
    that_day = await catalogue.availability(boss, resource, cancelled, NOW)
    assert not [b for b in that_day.busy if b.kind == "closure"]

    await asyncio.to_thread(collection.save_event, EXTRA)
    assert await imports.refresh_due(NOW + timedelta(minutes=30), policy=POLICY) == 0  # not due
    assert await imports.refresh_due(NOW + imports.PERIOD, policy=POLICY) == 1
    [followed] = await imports.list_imports(boss)
    assert (followed.status, followed.events) == ("ok", 6)
    wednesday = Interval(datetime(2027, 3, 31, 6, 0, tzinfo=UTC),
                         datetime(2027, 3, 31, 16, 0, tzinfo=UTC))
    extra = await catalogue.availability(boss, resource, wednesday, NOW)
    assert [(b.start, b.reason) for b in extra.busy if b.kind == "closure"] == [
        (datetime(2027, 3, 31, 8, 0, tzinfo=UTC), "Extra les")
    ]
