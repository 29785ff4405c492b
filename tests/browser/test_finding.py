"""Finding in Chromium on the demo: words that find welding, when each result is free, the
true count, the resource's month and the board's month; axe finds nothing serious on them."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login


def test_search_words_find_welding_and_suggest_a_correction(page: Page) -> None:
    page.goto("/")
    page.fill("#q", "lassen")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/resources\?q=lassen"))
    names = page.locator(".resource-card h3 a").all_inner_texts()
    assert names and all(
        any(w in n.lower() for w in ("las", "kemppi", "fronius", "soldamatic")) for n in names)
    expect(page.locator(".result-count")).to_contain_text(f"{len(names)} resultaten")
    assert_accessible(page)
    page.goto("/resources?q=cnc+rotterdam")
    cards = page.locator(".resource-card")
    expect(cards.first).to_be_visible()
    for text in cards.all_inner_texts():
        assert "Rotterdam" in text
    page.goto("/resources?q=lasssen")
    expect(page.locator(".suggestion")).to_contain_text("Bedoelde je")
    page.locator(".suggestion a").click()
    expect(page).to_have_url(re.compile(r"q=lassen"))
    expect(page.locator(".resource-card").first).to_be_visible()


def test_free_results_say_when_and_count_every_match(page: Page) -> None:
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    page.goto(f"/resources?hours=2&free_from={monday}&free_to={monday + timedelta(days=4)}")
    count = page.locator(".result-count").inner_text()
    total = int(re.search(r"\d+", count).group())  # type: ignore[union-attr]
    cards = page.locator(".resource-card")
    assert total >= cards.count() > 0
    first_free = cards.first.locator(".first-free")
    expect(first_free).to_contain_text("Vrij")
    expect(first_free).to_contain_text(re.compile(r"\d\d:\d\d–\d\d:\d\d"))
    assert page.locator(".first-free").count() == cards.count()
    assert_accessible(page)
    if page.locator("nav.pager a").count():
        page.locator("nav.pager a").click()
        expect(page.locator(".result-count")).to_have_text(count)


def test_the_resource_month_and_its_first_bookable_week(page: Page) -> None:
    page.goto("/resources?q=lasstraat")
    page.locator(".resource-card h3 a").first.click()
    expect(page.locator("#week-title")).to_contain_text("Week van")
    assert page.locator(".block--free").count() > 0  # opens on a week with bookable time
    page.get_by_role("link", name=re.compile("Maand")).click()
    expect(page.locator("table.month-grid")).to_be_visible()
    assert page.locator("td.m-free a").count() > 0
    assert_accessible(page)
    page.locator("td.m-free a").first.click()
    expect(page.locator("#week-title")).to_contain_text("Week van")


def test_the_board_by_month(page: Page) -> None:
    login(page, "facility@roc-demo.test")
    page.goto("/manage/board?view=month")
    expect(page.locator("table.mb").first).to_be_visible()
    expect(page.locator("nav.segmented [aria-current=page]")).to_have_text("Maand")
    assert page.locator("td.mb-held").count() > 0
    assert_accessible(page)
