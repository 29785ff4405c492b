"""A calendar whose address does not answer is reported in Dutch on the manager's pages (the
flash after adding it and the overview), never as the raw network error; the API keeps the
technical text."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from booking.db.sql import fetch
from booking.i18n.fetch_errors import fetch_error_message
from tests.http.test_manage_pages import school, sign_in

__all__ = ["school"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


async def test_an_unreachable_calendar_is_explained_in_dutch(
    web: httpx.AsyncClient, school: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABSHARE_IMPORT_ALLOW_PRIVATE", "1")  # loopback only, nothing outside
    monkeypatch.setenv("LABSHARE_IMPORT_TIMEOUT", "2")
    await sign_in(web)
    url = f"http://127.0.0.1:{_closed_port()}/rooster.ics"
    done = await web.post("/manage/imports", data={
        "url": url, "kind": "timetable", "target": f"resource:{school['lab']}",
        "_csrf": web.cookies.get("labshare_csrf") or ""})
    assert done.status_code == 303
    after = (await web.get(done.headers["location"])).text
    flash = re.findall(r"Toegevoegd[^<]*|De agenda is niet[^<]*", after)
    expected = "Toegevoegd, maar het eerste ophalen mislukte: de server is niet bereikbaar"
    assert expected in after, flash
    (stored,) = await fetch("SELECT last_error FROM calendar_imports")
    assert "ConnectError" in stored["last_error"]  # the technical text stays for the API
    overview = (await web.get("/manage")).text
    shown = overview[overview.index("<main"):]
    assert "de server is niet bereikbaar" in shown
    assert "Errno" not in shown.split('<details class="tech">')[0]
    english = (await web.get("/manage", headers={"accept-language": "en"})).text
    assert "the server could not be reached" in english


def test_known_failures_get_a_sentence_and_unknown_ones_a_general_one() -> None:
    assert fetch_error_message("[Errno -2] Name or service not known", "nl") == (
        "de servernaam bestaat niet")
    assert fetch_error_message("the source answered HTTP 404", "nl") == (
        "de bron antwoordde met HTTP-status 404")
    login_page = "the source sent no calendar but text/html (a login page?)"
    assert fetch_error_message(login_page, "nl") == (
        "de bron stuurde geen agenda maar text/html (een inlogpagina?)")
    assert fetch_error_message("something nobody foresaw", "nl") == "de verbinding is mislukt"
    assert fetch_error_message(None, "nl") == ""
