"""`labshare demo` shows the admin screens with the demo region: the platform admin sees the
region's schools and companies, opens a school and its people; the pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_the_admin_sees_the_demo_region(page: Page) -> None:
    login(page, "admin@labshare.test")
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.locator("h1")).to_have_text("Organisaties op het platform")
    expect(page.get_by_role("link", name="Acme Metaal BV")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="ROC Demo", exact=True).click()
    expect(page.locator("h1")).to_have_text("ROC Demo")
    expect(page.get_by_role("row", name=re.compile("facility@roc-demo.test"))).to_be_visible()
    expect(page.locator("#invite-email")).to_be_visible()
    assert_accessible(page)


def test_a_facility_manager_manages_people_and_partners(page: Page) -> None:
    login(page, "facility@roc-demo.test")
    page.get_by_role("link", name="Mensen en partners").click()
    expect(page.locator("h1")).to_have_text("ROC Demo")
    expect(page.locator("#partner-kvk")).to_be_visible()
    assert_accessible(page)
    page.goto("/manage/inductions")
    expect(page.locator("h1")).to_have_text("Veiligheidsinstructies")
    assert_accessible(page)


def test_the_sign_up_page_is_accessible(page: Page) -> None:
    page.goto("/signup")
    expect(page.locator("h1")).to_have_text("Meld je bedrijf aan")
    assert_accessible(page)
