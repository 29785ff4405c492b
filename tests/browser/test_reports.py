"""The coordinator sees the demo region at a glance in Chromium: charts that are images with a
title and description, data tables beside them, downloads that answer, a heat map, no serious
accessibility violations; a company planner sees only its own use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_coordinator_sees_the_region_at_a_glance(page: Page) -> None:
    login(page, "coordinator@regio.test")
    page.goto("/reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportages")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    for i in range(3):
        chart = charts.nth(i)
        assert (chart.locator("title").first.text_content() or "").strip()
        assert (chart.locator("desc").first.text_content() or "").strip()
        assert chart.bounding_box() is not None and chart.bounding_box()["width"] > 300
    weeks = page.locator("#weekly-table tbody tr")
    assert weeks.count() >= 8  # eight weeks, the first and last clipped
    booked = [float(v or 0) for v in page.locator(
        "#weekly-table tbody td:nth-of-type(2)").evaluate_all(
        "cells => cells.map(c => c.dataset.value)")]
    assert sum(booked) > 0, "the demo region has bookings in the past weeks"
    assert page.locator("#schools-table tbody tr").count() >= 3
    assert_accessible(page)

    csv_link = page.locator("#weekly a[download]")
    href = csv_link.get_attribute("href") or ""
    answer = page.request.get(href)
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    assert answer.text().splitlines()[0].startswith("key,label,open_hours,booked_hours")

    page.locator("#top-table a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/resources/[0-9a-f-]{36}"))
    expect(page.locator("svg.chart--heat")).to_be_visible()
    expect(page.locator("#heat-table tbody tr")).to_have_count(7)
    assert_accessible(page)


def test_a_planner_sees_only_its_companys_use(page: Page) -> None:
    login(page, "planner@acme.test")
    page.goto("/reports")
    expect(page.locator(".page-head")).to_contain_text("Acme Metaal BV")
    expect(page.locator(".page-head")).to_contain_text("eigen organisatie")
    firms = page.locator("#companies-table tbody th")
    if firms.count():
        assert {t.strip() for t in firms.all_text_contents()} == {"Acme Metaal BV"}
