"""Changing bookings in Chromium, on a fresh demo database: the facility manager's closure
over a company's booking shows the booking before anything changes and keeps it with a mark on
the board; a planner changes a booking with the week picker and sees the new price first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.test_booker_journey import (
    book_first_free_slot,
    find_cnc_lab_free_next_week,
    next_monday,
)

pytestmark = pytest.mark.browser

MANAGER = "facility@roc-demo.test"
BOOKER = "planner@acme.test"


@pytest.fixture
def no_js_page(browser: Browser, live_server: str) -> Iterator[Page]:
    ctx = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False,
                              viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def _close_the_day(page: Page, resource_url: str, day: date) -> None:
    """Fill in the resource's closure form for the whole `day` and send it."""
    page.goto(resource_url)
    page.fill("#f-start_date", day.isoformat())
    page.fill("#f-start_time", "00:00")
    page.fill("#f-end_date", (day + timedelta(days=1)).isoformat())
    page.fill("#f-end_time", "00:00")
    page.fill("#f-reason", "Stroomstoring")
    page.get_by_role("button", name="Sluiting toevoegen").click()


def test_closure_shows_the_bookings_in_the_way_before_it_changes_anything(page: Page) -> None:
    login(page, MANAGER)
    monday = next_monday() + timedelta(days=7)
    found = None
    for offset in range(5):  # the first weekday of the week after next with a confirmed booking
        day = monday + timedelta(days=offset)
        page.goto(f"/manage/board?view=day&day={day.isoformat()}")
        blocks = page.locator("a.b.bc")
        if blocks.count():
            found = day, blocks.first
            break
    assert found, "the demo has confirmed bookings in the coming weeks"
    day, block = found
    booking = (block.get_attribute("href") or "").removeprefix("/bookings/")
    label = block.get_attribute("aria-label") or ""
    when, company = label.split(" · ")[:2]
    row = block.locator("xpath=ancestor::li[contains(@class,'br')][1]/a[@class='br-name']")
    resource_url = row.first.get_attribute("href") or ""

    _close_the_day(page, resource_url, day)

    # the question: who is in the way, when and with how many — nothing changed yet
    expect(page.locator("h1")).to_have_text("Boekingen in de weg")
    table = page.locator("[data-testid=affected]")
    expect(table).to_contain_text(company)
    expect(table).to_contain_text(when.split("–")[0])
    assert_accessible(page)
    page.get_by_role("link", name="Terug zonder iets te veranderen").click()
    expect(page.locator("#closures")).not_to_contain_text("Stroomstoring")
    page.goto(f"/bookings/{booking}")
    expect(page.locator(".badge").first).to_have_text("Bevestigd")

    _close_the_day(page, resource_url, day)
    page.get_by_role("button", name="Laten staan en ze inlichten").click()
    expect(page.locator(".flashes")).to_contain_text("blijven staan")
    expect(page.locator("#closures")).to_contain_text("Stroomstoring")

    page.goto(f"/manage/board?view=day&day={day.isoformat()}")
    marked = page.locator(f'a.bi[href="/bookings/{booking}"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("aria-label", re.compile("in een sluiting$"))
    assert_accessible(page)


def test_planner_changes_a_booking_and_sees_the_new_price_first(
    page: Page, no_js_page: Page
) -> None:
    lab = find_cnc_lab_free_next_week(page)
    login(no_js_page, BOOKER)
    book_first_free_slot(no_js_page, lab, "Te wijzigen training")
    no_js_page.locator(".booking", has_text="Te wijzigen training").get_by_role(
        "link", name="Te wijzigen training").click()
    before = no_js_page.locator(".occurrences").inner_text()
    no_js_page.get_by_role("link", name="Wijzigen", exact=True).click()
    expect(no_js_page.locator("h1")).to_have_text("Te wijzigen training wijzigen")
    free = no_js_page.locator("a.block--free")
    expect(free.first).to_be_visible()
    free.last.click()  # another free hour of the same week
    expect(no_js_page).to_have_url(re.compile(r"/change\?resource="))
    no_js_page.get_by_role("button", name="Nieuwe prijs bekijken").click()
    expect(no_js_page.locator("[data-testid=new-price]")).to_contain_text("€")
    expect(no_js_page.locator(".occurrences")).to_have_count(0)  # still the form: not changed
    no_js_page.get_by_role("button", name="Wijziging bevestigen").click()
    expect(no_js_page.locator(".flashes")).to_contain_text("Gewijzigd: “Te wijzigen training”.")
    assert no_js_page.locator(".occurrences").inner_text() != before
    page.goto(no_js_page.url)
    login(page, BOOKER)
    page.goto(no_js_page.url.replace("#form", "") + "/change")
    assert_accessible(page)
