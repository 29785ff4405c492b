"""The facility manager's day: a company's request for the VR room (the demo school approves
those itself, and Acme and Beta have asked), approve it, and find it on the schedule board;
the coordinator looks at the region.

Runs in Chromium against a live server on a fresh demo database; axe-core checks each page of
the school side for serious or critical violations.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

MANAGER = "facility@roc-demo.test"
BOOKER = "planner@acme.test"
COORDINATOR = "coordinator@regio.test"
LAB = "VR-ruimte"


def test_manager_approves_a_request_and_sees_it_on_the_board(page: Page) -> None:
    login(page, MANAGER)
    page.goto("/manage")
    expect(page.locator("h1")).to_have_text("Je school in één oogopslag")
    assert_accessible(page)
    page.get_by_role("link", name=LAB, exact=True).click()
    expect(page.locator("h1")).to_have_text(LAB)
    assert_accessible(page)

    page.goto("/manage/requests")
    item = page.locator(".request", has_text="Acme Metaal BV").filter(has_text=LAB).first
    expect(item).to_be_visible()
    booking_id = (item.get_attribute("id") or "").removeprefix("r-")
    when = re.search(r"\d\d:\d\d–\d\d:\d\d", item.locator(".request-when").inner_text())
    assert when, item.inner_text()
    title = item.locator("h2 .muted").inner_text().removeprefix("· ").strip()
    assert_accessible(page)
    day_link = item.get_by_role("link", name="Die dag tonen").get_attribute("href") or ""
    item.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(page.locator(".alert--success")).to_contain_text(
        f"Goedgekeurd: Acme Metaal BV, {title}")
    expect(page.locator(f"#r-{booking_id}")).to_have_count(0)

    # The day: time and company in the block, the whole text as its name and tooltip.
    page.goto(day_link)
    track = page.locator("a.br-name", has_text=re.compile(f"^{LAB}$")).locator(
        "xpath=following-sibling::div[1]")
    block = track.locator(f'a.bc[href="/bookings/{booking_id}"]')
    expect(block).to_have_count(1)
    expect(block).to_contain_text(f"{when.group(0)[:5]} Acme Metaal BV")
    expect(block).to_have_attribute("aria-label", re.compile(
        f"^{when.group(0)} · Acme Metaal BV · .* · bevestigd · hele lab geboekt$"))
    assert_accessible(page)

    # The week: the company's initials, readable; the full text on hover.
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator(".board--week")).to_be_visible()
    block = track.locator(f'a.bc[href="/bookings/{booking_id}"]')
    expect(block).to_have_text("AM")
    box = block.bounding_box()
    assert box and box["width"] >= 18, box  # two letters fit in two hours of a week
    block.hover()
    tooltip = block.evaluate("b => getComputedStyle(b, '::after').content")
    assert "Acme Metaal BV" in tooltip and when.group(0) in tooltip, tooltip
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
