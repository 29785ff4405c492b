"""A facility manager adds a photo with its description in Chromium (a real file input, a
multipart form with CSRF); a visitor then sees it, with that alt text, on the resource page and
as the thumbnail of its catalogue card."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, login, logout

pytestmark = pytest.mark.browser

MANAGER = "facility@roc-demo.test"
ALT = "Werkbank met bankschroef en gereedschapsbord"


def _picture() -> bytes:
    image = Image.new("RGB", (900, 600), (230, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 300, 750, 380), fill=(120, 80, 40))
    draw.ellipse((380, 120, 520, 260), fill=(200, 60, 40))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def test_manager_uploads_a_photo_and_visitors_see_it(page: Page) -> None:
    login(page, MANAGER)
    page.goto("/manage")
    page.locator("a.resource-link").first.click()
    match = re.search(r"/manage/resources/([0-9a-f-]{36})", page.url)
    assert match, page.url
    rid = match.group(1)
    name = page.locator("h1").inner_text()
    while page.locator(".photo-admin form button").count():  # the demo's drawing goes first
        with page.expect_navigation():
            page.locator(".photo-admin form button").first.click()
        expect(page.get_by_text("Foto verwijderd.")).to_be_visible()
    page.set_input_files("#photo-file", files=[
        {"name": "werkbank.jpg", "mimeType": "image/jpeg", "buffer": _picture()}])
    page.fill("#photo-alt", ALT)
    with page.expect_navigation():
        page.get_by_role("button", name="Foto toevoegen").click()
    expect(page.get_by_text("Foto toegevoegd.")).to_be_visible()
    expect(page.locator(f".photo-admin img[alt='{ALT}']")).to_be_visible()
    logout(page)

    page.goto(f"/resources/{rid}")
    photo = page.locator(f".photos img[alt='{ALT}']")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") > 0  # the file loads
    assert_accessible(page)
    page.goto(f"/resources?q={name}")
    card = page.locator(f".resource-card:has(a[href^='/resources/{rid}'])")
    thumb = card.locator(".card-photo")
    expect(thumb).to_have_attribute("alt", ALT)
    assert thumb.evaluate("img => img.complete && img.naturalWidth") > 0
