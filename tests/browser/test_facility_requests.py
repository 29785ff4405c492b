"""On a fresh demo the facility manager of ROC Demo has requests to approve (without switching
on approval first), and opens a booking on the school's resource from its own page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login

MANAGER = "facility@roc-demo.test"


def test_the_demo_school_has_requests_from_acme_and_beta(page: Page) -> None:
    login(page, MANAGER)
    page.goto("/manage/requests")
    requests = page.locator(".request")
    expect(requests.first).to_be_visible()
    text = " ".join(requests.all_inner_texts())
    assert "Acme Metaal BV" in text and "Beta Robotics BV" in text
    assert any(name in text for name in ("VR-ruimte", "Zorgsimulatie-afdeling", "lasrobot"))


def test_the_manager_opens_a_booking_of_the_school(page: Page) -> None:
    login(page, MANAGER)
    page.goto("/manage/requests")
    anchor = page.locator(".request").first.get_attribute("id") or ""
    booking_id = anchor.removeprefix("r-")
    assert re.fullmatch(r"[0-9a-f-]{36}", booking_id), anchor
    response = page.goto(f"/bookings/{booking_id}")
    assert response is not None and response.status == 200
    expect(page.locator(".badge")).to_have_text("Wacht op goedkeuring")
    expect(page.get_by_role("link", name="Goedkeuren of afwijzen")).to_have_attribute(
        "href", f"/manage/requests#r-{booking_id}")
    expect(page.locator("details.confirm summary")).to_be_visible()
    expect(page.get_by_role("link", name="Rapportages")).to_be_visible()
    assert_accessible(page)
