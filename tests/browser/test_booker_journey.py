"""A visitor finds a CNC lab free next week; a company planner books it, sees it, cancels it.

Runs in Chromium against a live server on a fresh demo database; booking works without
JavaScript, so the planner's browser has it switched off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, login

BOOKER = "planner@acme.test"


def next_monday(today: date | None = None) -> date:
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def no_js_page(browser: Browser, live_server: str) -> Iterator[Page]:
    ctx = browser.new_context(
        base_url=live_server, locale="nl-NL", java_script_enabled=False,
        viewport={"width": 1280, "height": 860},
    )
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def find_cnc_lab_free_next_week(page: Page) -> str:
    """Through the landing page and the catalogue's free-time filter; returns the lab's URL."""
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="cnc", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/resources\?tag=cnc"))
    monday = next_monday()
    page.select_option("#f-kind", "lab")
    page.fill("#f-hours", "2")
    page.fill("#f-free_from", monday.isoformat())
    page.fill("#f-free_to", (monday + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Toon resultaten").click()
    expect(page.locator(".result-count")).to_contain_text("genoeg vrije tijd")
    assert_accessible(page)
    first = page.locator(".resource-card h3 a").first
    expect(first).to_be_visible()
    assert f"?week={monday.isoformat()}" in (first.get_attribute("href") or "")
    first.click()  # opens the searched week, where the free window is
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#week-title")).to_contain_text(str(monday.day))
    return page.url.split("?")[0]


def book_first_free_slot(page: Page, lab_url: str, title: str) -> None:
    monday = next_monday()
    page.goto(f"{lab_url}?week={monday.isoformat()}")
    free = page.locator("a.block--free")
    expect(free.first).to_be_visible()
    free.nth(min(3, free.count() - 1)).click()
    expect(page).to_have_url(re.compile(r"/book\?"))
    page.fill("#f-title", title)
    page.fill("#f-employees", "6")
    page.get_by_role("button", name="Controleer prijs en beschikbaarheid").click()
    expect(page.locator(".summary .total")).to_contain_text("€")
    expect(page.locator(".price-lines tr.price-line").first).to_contain_text("€")  # the lines
    expect(page.locator(".price-lines tfoot")).to_contain_text("Btw 21%")
    page.locator("button[name=action][value=confirm]").click()


def test_visitor_finds_a_cnc_lab_free_next_week(page: Page) -> None:
    lab = find_cnc_lab_free_next_week(page)
    assert "/resources/" in lab
    free = page.locator("a.block--free")
    assert free.count() > 0
    href = free.first.get_attribute("href") or ""
    assert href.startswith("/book?resource=") and "start=" in href and "end=" in href
    expect(page.locator(".policy-list")).to_contain_text("Boeken kan vanaf")
    assert_accessible(page)


def test_booker_books_the_lab_and_sees_it_in_my_bookings(page: Page, no_js_page: Page) -> None:
    lab = find_cnc_lab_free_next_week(page)
    login(no_js_page, BOOKER)
    book_first_free_slot(no_js_page, lab, "Omscholing CNC groep A")
    expect(no_js_page).to_have_url(re.compile(r"/my-bookings"))
    expect(no_js_page.locator(".flashes")).to_contain_text("Geboekt")
    booking = no_js_page.locator(".booking", has_text="Omscholing CNC groep A")
    expect(booking).to_be_visible()
    expect(booking.locator(".badge")).to_have_text(re.compile("Bevestigd|Wacht op goedkeuring"))
    no_js_page.reload()
    expect(no_js_page.locator(".flashes")).to_have_count(0)  # a flash is shown once


def test_booker_cancels(page: Page, no_js_page: Page) -> None:
    lab = find_cnc_lab_free_next_week(page)
    login(no_js_page, BOOKER)
    book_first_free_slot(no_js_page, lab, "Te annuleren training")
    booking = no_js_page.locator(".booking", has_text="Te annuleren training")
    booking.locator("details.confirm summary").click()  # first step: only asks
    question = booking.locator(".confirm-panel")
    expect(question).to_be_visible()
    expect(question).to_contain_text("‘Te annuleren training’ annuleren?")
    expect(no_js_page.locator(".flashes")).not_to_contain_text("Geannuleerd")
    question.get_by_role("button", name=re.compile("Ja, annuleren")).click()
    expect(no_js_page.locator(".flashes")).to_contain_text("Geannuleerd")
    expect(no_js_page.locator(".booking", has_text="Te annuleren training")).to_have_count(0)
    no_js_page.get_by_role("link", name="Geannuleerd").click()
    cancelled = no_js_page.locator(".booking", has_text="Te annuleren training")
    expect(cancelled.locator(".badge")).to_have_text("Geannuleerd")


def test_a_new_calendar_link_survives_no_reload(no_js_page: Page) -> None:
    """Post/Redirect/Get: the link is shown once at /my-bookings; a reload makes no second one."""
    login(no_js_page, BOOKER)
    no_js_page.goto("/my-bookings")
    no_js_page.locator("form[action='/my-bookings/feed'] button").click()
    expect(no_js_page).to_have_url(re.compile(r"/my-bookings#calendar$"))
    link = no_js_page.locator("#feed-url")
    expect(link).to_have_value(re.compile(r"/feeds/.+\.ics$"))
    no_js_page.reload()
    expect(no_js_page.locator("#feed-url")).to_have_count(0)


def test_my_bookings_with_the_cancel_question_open_is_accessible(page: Page) -> None:
    """axe needs JavaScript, so this runs in the ordinary page (the journeys above have none)."""
    login(page, BOOKER)
    page.goto("/my-bookings")
    summary = page.locator(".booking details.confirm summary")
    expect(summary.first).to_be_visible()
    summary.first.click()
    expect(page.locator(".booking .confirm-panel").first).to_be_visible()
    assert_accessible(page)
