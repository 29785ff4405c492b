"""The manager's overview page says, in words, which bookings an import now covers (they stay
booked) and which of its events were skipped and why — in Dutch, and in English on request."""

from __future__ import annotations

import httpx
import pytest

from booking.db.sql import fetch
from booking.services.imports import create_import
from tests.factories import manager
from tests.http.conftest import NOW
from tests.http.test_manage_pages import school, sign_in

__all__ = ["school"]  # the fixture, shared with the board's page tests

TIMETABLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//NL\r\n"
    "BEGIN:VEVENT\r\nUID:les\r\nDTSTART:20260303T090000Z\r\nDTEND:20260303T100000Z\r\n"
    "SUMMARY:Les lassen\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:omgekeerd\r\nDTSTART:20260304T100000Z\r\nDTEND:20260304T090000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_the_overview_names_covered_bookings_and_skipped_events(
    web: httpx.AsyncClient, school: dict[str, str]
) -> None:
    boss = await manager(school["school"])
    await create_import(boss, resource_id=school["lab"], ics=TIMETABLE, kind="timetable",
                        now=NOW)
    (booked,) = await fetch(
        "SELECT CAST(booking AS TEXT) AS id FROM booking_resources WHERE resource = $1",
        school["lab"])
    await sign_in(web)
    page = (await web.get("/manage")).text
    assert "Deze agenda valt nu over 1 lopende boeking." in page
    assert "Een import annuleert nooit een boeking" in page
    assert f'href="/bookings/{booked["id"]}"' in page
    assert "1 afspraak uit deze agenda is overgeslagen:" in page
    assert "het eindigt voordat het begint" in page
    english = (await web.get("/manage", headers={"accept-language": "en"})).text
    assert "This calendar now covers 1 active booking." in english
    assert "it ends before it starts" in english


async def test_a_refused_address_says_why_in_dutch_and_adds_nothing(
    web: httpx.AsyncClient, school: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABSHARE_IMPORT_ALLOW_PRIVATE", raising=False)
    await sign_in(web)
    done = await web.post("/manage/imports", data={
        "url": "http://169.254.169.254/latest/meta-data/", "kind": "timetable",
        "target": f"resource:{school['lab']}", "_csrf": web.cookies.get("labshare_csrf") or ""})
    assert done.status_code == 303
    after = (await web.get(done.headers["location"])).text
    assert "De agenda is niet toegevoegd: het adres is een metadatadienst van een cloud" in after
    assert await fetch("SELECT id FROM calendar_imports") == []
