"""The facility manager's pages over HTTP: the schedule board speaks Dutch through and through
(also the texts built in Python and the flash after approving), every link on it answers (GET
and HEAD), a pending block leads to its request, and the queue is paged."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from booking.db.sql import execute
from booking.domain.roles import Role
from booking.services import accounts
from tests.factories import make_company, make_resource, make_school, make_site
from tests.http.conftest import NOW
from tests.integration.test_board import hold

PASSWORD = "correct horse battery"
MANAGER = "beheer@roc.test"
WEEK = "/manage/board?view=week&day=2026-03-03"
DAY = "/manage/board?view=day&day=2026-03-03"

# What the board said in English inside the Dutch page before (QA): whole texts ...
ENGLISH_TEXTS = {
    "Schedule board", "Overview", "Requests", "Today", "Day", "Go to date", "Go",
    "Previous day", "Next day", "Previous week", "Next week", "Lab or machine", "Confirmed",
    "Awaiting approval", "Closed", "Legend", "Period", "Show",
}
# ... and pieces of longer ones (also in aria-labels and titles).
ENGLISH_PIECES = (
    "Held by a booking", "resources", "confirmed", "awaiting approval", "whole lab booked",
    "participants", "no requests waiting", "times in", "closed", "Approved:", "request",
)


@pytest.fixture
async def school(db: Any) -> AsyncIterator[dict[str, str]]:
    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, name="Hoofdlocatie")
    lab = await make_resource(site_id=site, kind="lab", name="Werkplaats")
    lathe = await make_resource(site_id=site, kind="equipment", name="Draaibank", parent_id=lab)
    robot = await make_resource(site_id=site, kind="equipment", name="Robotarm",
                                approval_required=True)
    acme = await make_company(name="Acme Metaal BV")
    await accounts.create_user(email=MANAGER, name="Beheer", password=PASSWORD, now=NOW,
                               memberships=[(school, Role.FACILITY_MANAGER)])
    # Tuesday 3 March 2026 (CET): the lab 09:00–12:00 (its lathe too), the robot asked for
    # 13:00–15:00, and the robot closed for maintenance at the end of the day.
    await hold(acme, [lab], [lathe], datetime(2026, 3, 3, 8, tzinfo=UTC),
               datetime(2026, 3, 3, 11, tzinfo=UTC), title="Draaien voor beginners")
    pending = await hold(acme, [robot], [], datetime(2026, 3, 3, 12, tzinfo=UTC),
                         datetime(2026, 3, 3, 14, tzinfo=UTC), status="pending",
                         title="Robotcursus")
    await execute(
        "INSERT INTO closures (id, resource, site, starts_at, ends_at, reason, kind, source) "
        "VALUES ($1, $2, NULL, $3, $4, 'Onderhoud', 'maintenance', NULL)",
        "0d7c0a55-7c9e-4a43-9a43-3d0c2f1f0001", robot, datetime(2026, 3, 3, 15, tzinfo=UTC),
        datetime(2026, 3, 3, 17, tzinfo=UTC),
    )
    yield {"school": school, "lab": lab, "lathe": lathe, "robot": robot, "pending": pending}
    await execute("DELETE FROM claims")
    await execute("DELETE FROM booking_resources")
    await execute("DELETE FROM resources WHERE parent IS NOT NULL")


async def sign_in(web: httpx.AsyncClient) -> None:
    response = await web.post("/login", data={"email": MANAGER, "password": PASSWORD,
                                              "next": ""})
    assert response.status_code == 303, response.text


def english_on(page: str) -> set[str]:
    """The English texts found in the page's text and its aria-labels and titles."""
    body = page[page.index("<main"):] if "<main" in page else page
    texts = {t.strip() for t in re.split(r"<[^>]+>", body) if t.strip()}
    labels = set(re.findall(r'(?:aria-label|title)="([^"]*)"', body))
    found = (texts | labels) & ENGLISH_TEXTS
    for text in texts | labels:
        found.update(p for p in ENGLISH_PIECES if re.search(rf"\b{re.escape(p)}\b", text))
    return found


@pytest.mark.parametrize("path", [WEEK, DAY])
async def test_the_board_in_dutch_has_no_english(
    web: httpx.AsyncClient, school: dict[str, str], path: str
) -> None:
    await sign_in(web)
    page = await web.get(path)
    assert page.status_code == 200
    assert english_on(page.text) == set()
    assert "Planbord" in page.text and "bevestigd" in page.text
    assert "wacht op goedkeuring" in page.text and "hele lab geboekt" in page.text
    assert "3 voorzieningen" in page.text and "Onderhoud" in page.text


async def test_the_board_in_english_says_it_in_english(
    web: httpx.AsyncClient, school: dict[str, str]
) -> None:
    await sign_in(web)
    page = (await web.get(DAY, headers={"accept-language": "en"})).text
    assert "Schedule board" in page and "whole lab booked" in page and "Planbord" not in page


async def test_every_link_on_the_board_answers_and_a_pending_block_opens_its_request(
    web: httpx.AsyncClient, school: dict[str, str]
) -> None:
    await sign_in(web)
    page = (await web.get(WEEK)).text
    links = set(re.findall(r'href="(/(?:manage|bookings)/[^"#]*)"', page))
    for resource in ("lab", "lathe", "robot"):
        assert f"/manage/resources/{school[resource]}" in links
    assert f"/manage/requests/{school['pending']}" in links
    for link in sorted(links):
        url = link.replace("&amp;", "&")
        assert (await web.get(url)).status_code == 200, url
        if url.startswith("/manage/"):  # link checkers ask with HEAD (the school's pages)
            assert (await web.head(url)).status_code == 200, url

    # The lab's booking is drawn once, on the lab; the lathe carries no copy of it.
    lathe_row = re.search(
        rf'href="/manage/resources/{school["lathe"]}">Draaibank</a>'
        r'<div class="br-track">(.*?)</div>', page)
    assert lathe_row and lathe_row.group(1) == ""
    assert page.count('aria-label="09:00–12:00 · Acme Metaal BV · bevestigd · hele lab') == 1

    request = (await web.get(f"/manage/requests/{school['pending']}")).text
    assert request.count('class="card request"') == 1 and "Robotcursus" in request


async def test_approving_says_so_in_dutch(web: httpx.AsyncClient, school: dict[str, str]) -> None:
    await sign_in(web)
    queue = (await web.get("/manage/requests")).text
    version = re.search(r'name="version" value="(\d+)"', queue)
    assert version and f'id="r-{school["pending"]}"' in queue
    done = await web.post(f"/manage/requests/{school['pending']}/approve", data={
        "version": version.group(1), "_csrf": web.cookies.get("labshare_csrf") or ""})
    assert done.status_code == 303
    after = (await web.get(done.headers["location"])).text
    assert "Goedgekeurd: Acme Metaal BV, Robotcursus." in after
    assert "Approved" not in after and "Geen aanvragen open." in after


def test_every_text_of_the_school_side_has_dutch() -> None:
    """Templates and page modules of manage and coordinator: each message id is in manage.po
    (or another Dutch catalogue); the board's words looked up in Python are checked too."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    from booking.i18n import translations

    root = Path(__file__).resolve().parents[2]
    catalogue = translations("nl")._catalog  # type: ignore[attr-defined]
    keywords = {**DEFAULT_KEYWORDS, "Flash": (1,)}
    found: list[tuple[str, Any]] = []
    for folder in ("manage", "coordinator"):
        for path in sorted((root / "frontend" / "templates" / folder).glob("*.html")):
            found += [(path.name, m) for _, m, _, _ in extract_from_file(
                "jinja2.ext:babel_extract", str(path), keywords=keywords,
                options={"extensions": "jinja2.ext.i18n"})]
    for name in ("manage", "manage_board", "manage_common", "manage_forms", "manage_resources",
                 "coordinator"):
        path = root / "frontend" / "pages" / f"{name}.py"
        found += [(path.name, m) for _, m, _, _ in extract_from_file(
            "python", str(path), keywords=keywords)]
    found += [("TrackTexts", m) for m in (
        "awaiting approval", "confirmed", "whole lab booked", "closed")]
    assert len(found) > 150
    missing = [(where, m) for where, m in found
               if ((m[0], 0) if isinstance(m, tuple) else m) not in catalogue]
    assert missing == []
