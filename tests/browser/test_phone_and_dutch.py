"""Every page a visitor, booker, planner, facility manager, coordinator and admin can reach by
following links holds at 360 px (no horizontal scroll in Chromium) and reads Dutch: no common
English UI words outside code, values and the language switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

WIDTH = 360
MAX_PAGES = 45
ROLES = (
    None,  # a visitor
    "planner@acme.test",  # a company booker
    "facility@roc-demo.test",
    "coordinator@regio.test",
    "admin@labshare.test",
)
SKIP = re.compile(
    r"^/(logout|lang/|api/|static/|healthz|feeds?/)|\.(csv|json|ics|svg|png|jpe?g|webp)$")
AXE_ON = re.compile(r"^/(reports|manage|book|my-bookings|coordinator|admin)")
"""Pages also checked with axe at phone width (scroll boxes must be reachable by keyboard)."""
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
ENGLISH = re.compile(
    r"\b(the|must|should|cannot|please|your|which|this|that|with|from|and|or|not|are|"
    r"Resources?|Errors?|Errno|Not found|Cancel|Save|Delete|Submit|Settings|Invalid|required|"
    r"Loading|Booking|Bookings|Request|Requests|Approve|Decline|Week of|Sign in|Sign out)\b"
)
# Visible text, without code, values typed by people (inputs) and the switch to English.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('code, pre, kbd, samp, script, style, template, .mono, [lang=en], '
    + '[translate=no], a[href^="/lang/"], form[action^="/lang/"], [hreflang]')
    .forEach(e => e.remove());
  const said = [...body.querySelectorAll('[aria-label], [title], [alt], [placeholder]')]
    .map(e => ['aria-label', 'title', 'alt', 'placeholder']
      .map(a => e.getAttribute(a) || '').join('\\n'));
  const drawn = [...document.querySelectorAll('svg title, svg desc, svg text')]
    .map(e => e.textContent);
  return [body.innerText, ...said, ...drawn].join('\\n');
}"""
WIDE = """(limit) => {
  const clipped = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > limit + 1)
    .filter(e => !clipped(e)).slice(-4)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
      + ' ' + (e.textContent || '').trim().slice(0, 30));
}"""


def _key(path: str) -> str:
    return ID.sub(":id", path)


def _walk(page: Page, base: str) -> Iterator[str]:
    """Same-site page paths reachable by links from the landing page, one per route shape."""
    queue, seen = [page.url], set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if _key(parts.path) in seen:
            continue
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.add(_key(parts.path))
        yield url
        for href in page.locator("a[href]:not([download])").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"):
            target = urljoin(url, href.split("#")[0])
            split = urlsplit(target)
            if (target.startswith(base) and not SKIP.search(split.path)
                    and _key(split.path) not in seen):
                queue.append(target)


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "visitor")
def test_every_reachable_page_fits_a_phone_and_reads_dutch(
        browser: Browser, live_server: str, who: str | None) -> None:
    ctx = browser.new_context(base_url=live_server, locale="nl-NL",
                              viewport={"width": WIDTH, "height": 760}, is_mobile=True)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    try:
        if who:
            login(page, who)
        else:
            page.goto("/")
        too_wide, english, visited = [], [], []
        for url in _walk(page, live_server):
            path = url.removeprefix(live_server)
            visited.append(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                too_wide.append(f"{path}: {width}px {page.evaluate(WIDE, WIDTH)}")
            text = page.evaluate(VISIBLE_TEXT)
            words = sorted({m.group(0) for m in ENGLISH.finditer(text)})
            if words:
                line = next(ln for ln in text.splitlines() if ENGLISH.search(ln))
                english.append(f"{path}: {words} in {line.strip()[:120]!r}")
        assert len(visited) >= (3 if who is None else 5), visited
        for path in visited:
            if AXE_ON.search(path):
                page.goto(path)
                assert_accessible(page)
        assert not too_wide and not english, (
            "wider than the phone:\n" + "\n".join(too_wide)
            + "\nEnglish in the Dutch pages:\n" + "\n".join(english))
    finally:
        ctx.close()


def test_the_english_check_finds_english(browser: Browser, live_server: str) -> None:
    """The same check on the English page finds plenty: the word list is not blind."""
    ctx = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = ctx.new_page()
        page.goto("/resources")
        found = {m.group(0) for m in ENGLISH.finditer(page.evaluate(VISIBLE_TEXT))}
        assert len(found) >= 3, found
    finally:
        ctx.close()


def test_a_long_unbroken_title_does_not_widen_my_bookings(
        browser: Browser, live_server: str) -> None:
    """A booker may type one 300-letter word as a title: it breaks inside the card."""
    ctx = browser.new_context(base_url=live_server, locale="nl-NL",
                              viewport={"width": WIDTH, "height": 760}, is_mobile=True)
    try:
        page = ctx.new_page()
        login(page, "planner@acme.test")
        page.goto("/my-bookings")
        titles = page.locator("main h3 a")
        assert titles.count() > 0, "the demo planner has bookings"
        titles.first.evaluate("(a, word) => { a.textContent = word; }", "Lasopleiding" * 25)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        box = titles.first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
        page.goto(titles.first.get_attribute("href") or "/my-bookings")
        page.locator("h1").evaluate("(h, word) => { h.textContent = word; }", "Lasopleiding" * 25)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        ctx.close()
