"""axe-core on every public and booker page (Dutch and English, desktop and phone): no serious
or critical violations; plus the keyboard basics — the skip link and visible focus."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, login

PUBLIC_PAGES = [
    "/",
    "/resources",
    "/resources?kind=lab&tag=cnc&hours=2",
    "/resources?hours=abc&free_from=gisteren",  # with form errors
    "/login",
    "/resources/00000000-0000-0000-0000-000000000000",  # the 404 page
]


def _lab_url(page: Page) -> str:
    page.goto("/resources?tag=cnc&kind=lab")
    return page.locator(".resource-card h3 a").first.get_attribute("href") or ""


def _next_monday() -> str:
    today = date.today()
    return (today + timedelta(days=7 - today.weekday())).isoformat()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(page: Page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def test_resource_page_in_both_languages_and_on_a_phone(page: Page, phone: Page) -> None:
    lab = _lab_url(page)
    page.goto(f"{lab}?week={_next_monday()}")
    assert_accessible(page)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#week-title")).to_contain_text("Week of")
    assert_accessible(page)
    for path in (f"{lab}?week={_next_monday()}", "/", "/resources", "/login"):
        phone.goto(path)
        assert_accessible(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} overflows"


def test_booker_pages(page: Page) -> None:
    lab = _lab_url(page)
    login(page, "planner@acme.test")
    assert_accessible(page)  # my bookings, with the welcome message
    page.goto(f"{lab}?week={_next_monday()}")
    page.locator("a.block--free").first.click()
    assert_accessible(page)  # the form
    page.get_by_role("button", name="Controleer prijs en beschikbaarheid").click()
    assert_accessible(page)  # form errors: the title is missing
    page.fill("#f-title", "Toegankelijkheidstest")
    page.get_by_role("button", name="Controleer prijs en beschikbaarheid").click()
    expect(page.locator(".summary .total")).to_be_visible()
    assert_accessible(page)  # the check step
    page.locator("button[name=action][value=confirm]").click()
    expect(page).to_have_url(re.compile("/my-bookings"))
    for tab in ("coming", "pending", "past", "cancelled"):
        page.goto(f"/my-bookings?tab={tab}")
        assert_accessible(page)
    page.goto("/my-bookings")
    page.locator(".booking h3 a").first.click()
    expect(page).to_have_url(re.compile("/bookings/"))
    assert_accessible(page)
    page.goto("/my-bookings")
    page.get_by_role("button", name=re.compile("agenda-link")).click()
    expect(page.locator("#feed-url")).to_have_value(re.compile(r"/feeds/.+\.ics$"))
    assert_accessible(page)


def test_forbidden_page_helps(browser: Browser, live_server: str) -> None:
    ctx = browser.new_context(base_url=live_server, locale="nl-NL")
    page = ctx.new_page()
    login(page, "facility@roc-demo.test")
    response = page.goto("/my-bookings")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_contain_text("niet open voor jouw account")
    assert_accessible(page)
    ctx.close()


def test_skip_link_and_focus_ring(page: Page) -> None:
    page.goto("/resources")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"
