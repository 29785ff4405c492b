"""The facility manager's day: require approval for a machine, receive a company's request,
approve it, and find it on the schedule board; the coordinator looks at the region.

Runs in Chromium against a live server on a fresh demo database; axe-core checks each page of
the school side for serious or critical violations.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, assert_accessible, login

pytestmark = pytest.mark.browser

MANAGER = "facility@roc-demo.test"
BOOKER = "planner@acme.test"
COORDINATOR = "coordinator@regio.test"
MACHINE = "Meta Quest 3-set (12 brillen)"


def request_as_booker(browser: Browser, live_server: str, resource_id: str) -> dict[str, Any]:
    """Acme books the first free two hours of the machine next week through the JSON API."""
    ctx = browser.new_context(base_url=live_server)
    try:
        api = ctx.request
        assert api.post("/api/v1/auth/login",
                        data={"email": BOOKER, "password": DEMO_PASSWORD}).ok
        csrf = next(c["value"] for c in ctx.cookies() if c["name"] == "labshare_csrf")
        monday = date.today() + timedelta(days=7 - date.today().weekday())
        window = api.get(f"/api/v1/resources/{resource_id}/availability", params={
            "from": f"{monday.isoformat()}T00:00:00+00:00",
            "to": f"{(monday + timedelta(days=5)).isoformat()}T00:00:00+00:00",
        }).json()
        free = next(w for w in window["free"] if _hours(w) >= 2)
        start = datetime.fromisoformat(free["start"])
        created = api.post("/api/v1/bookings", headers={"X-CSRF-Token": csrf}, data={
            "resource_ids": [resource_id], "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(), "title": "VR-veiligheidstraining",
            "participants": {"students": 0, "employees": 8},
        })
        assert created.status == 201, created.text()
        body: dict[str, Any] = created.json()
        assert body["status"] == "pending"
        return body
    finally:
        ctx.close()


def _hours(window: dict[str, str]) -> float:
    span = datetime.fromisoformat(window["end"]) - datetime.fromisoformat(window["start"])
    return span.total_seconds() / 3600


def require_approval(page: Page) -> str:
    """Through the overview to the machine's form; returns the machine's id."""
    page.goto("/manage")
    expect(page.locator("h1")).to_have_text("Je school in één oogopslag")
    assert_accessible(page)
    page.get_by_role("link", name=MACHINE).click()
    expect(page.locator("h1")).to_have_text(MACHINE)
    assert_accessible(page)
    page.get_by_label("Ik keur elke aanvraag zelf goed").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator(".alert--success")).to_contain_text(f"Opgeslagen: {MACHINE}")
    return page.url.rstrip("/").split("/")[-1].split("?")[0]


def test_manager_approves_a_request_and_sees_it_on_the_board(
    page: Page, browser: Browser, live_server: str
) -> None:
    login(page, MANAGER)
    resource_id = require_approval(page)
    booking = request_as_booker(browser, live_server, resource_id)

    page.goto("/manage/requests")
    item = page.locator(f"#r-{booking['id']}")
    expect(item).to_contain_text("Acme Metaal BV")
    expect(item).to_contain_text("VR-veiligheidstraining")
    expect(item).to_contain_text("8 medewerkers")
    assert_accessible(page)
    day_link = item.get_by_role("link", name="Die dag tonen").get_attribute("href") or ""
    item.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(page.locator(".alert--success")).to_contain_text("Goedgekeurd: Acme Metaal BV")
    expect(page.locator(f"#r-{booking['id']}")).to_have_count(0)

    page.goto(day_link)
    row = page.locator(".br", has=page.get_by_role("link", name=MACHINE, exact=True))
    block = row.locator(".b--confirmed", has_text="Acme Metaal BV")
    expect(block).to_have_count(1)
    start = datetime.fromisoformat(booking["start"])  # carries the site's local offset
    expect(block).to_contain_text(f"{start:%H:%M}–{start + timedelta(hours=2):%H:%M}")
    assert_accessible(page)

    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator(".board--week")).to_be_visible()
    expect(row.locator(".b--confirmed", has_text="Acme Metaal BV")).to_have_count(1)
    assert_accessible(page)


def test_board_and_pages_of_the_school_side_are_accessible(page: Page) -> None:
    login(page, MANAGER)
    for path in ("/manage/board", "/manage/board?view=day", "/manage/requests",
                 "/manage/resources/new"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_coordinator_sees_the_region(page: Page) -> None:
    login(page, COORDINATOR)
    page.goto("/coordinator")
    expect(page.locator("h1")).to_have_text("De scholen van de regio in één oogopslag")
    expect(page.get_by_role("row", name=re.compile("ROC Demo"))).to_be_visible()
    expect(page.locator("svg.chart title")).to_have_count(1)
    assert_accessible(page)


def test_a_company_planner_cannot_open_the_school_side(page: Page) -> None:
    login(page, BOOKER)
    response = page.goto("/manage/board")
    assert response is not None and response.status == 403
