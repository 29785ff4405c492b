"""Screenshots of the main pages into docs/screenshots/ (desktop and phone).

    python scripts/screenshots.py                      # fresh demo database, own server
    python scripts/screenshots.py --base-url http://127.0.0.1:8000   # a running demo

Uses Debian's Chromium (Playwright's browser download does not work here).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
]
BOOKER = "planner@acme.test"
MANAGER = "facility@roc-demo.test"
PASSWORD = "labshare-demo"


@contextmanager
def demo_server() -> Iterator[str]:
    """`labshare demo` on a fresh SQLite file and a free port; yields the base URL."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LABSHARE_DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
               "LABSHARE_DATA_DIR": tmp}
        labshare = str(Path(sys.executable).with_name("labshare"))
        proc = subprocess.Popen(
            [labshare, "demo", "--port", str(port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError("labshare demo exited") from None
                    time.sleep(0.5)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(page: Page, name: str, *, full: bool = True) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"docs/screenshots/{name}.png")


def first_cnc_lab(page: Page, base: str) -> str:
    page.goto(f"{base}/resources?tag=cnc&kind=lab")
    link = page.locator(".resource-card h3 a").first
    href = link.get_attribute("href") or ""
    return base + href


def capture(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=[*CHROMIUM_ARGS, "--lang=nl-NL"]
        )
        desk = browser.new_context(viewport={"width": 1360, "height": 900}, locale="nl-NL")
        page = desk.new_page()
        page.goto(base + "/")
        shoot(page, "01-home")
        page.goto(base + "/resources")
        shoot(page, "02-catalogue")
        page.goto(base + "/resources?tag=cnc&hours=3")
        shoot(page, "03-catalogue-free-search")
        lab = first_cnc_lab(page, base)
        page.goto(lab)
        next_week = page.locator("a[rel=next]").get_attribute("href") or ""
        page.goto(lab + next_week.split("#")[0])
        shoot(page, "04-resource-week")
        page.goto(base + "/login")
        shoot(page, "05-login", full=False)
        login(page, base, BOOKER)
        page.goto(lab + next_week.split("#")[0])
        slot = page.locator("a.block--free").nth(3)
        slot.click()
        page.wait_for_load_state("networkidle")
        page.fill("#f-title", "Omscholing CNC-operators groep 2")
        page.fill("#f-employees", "6")
        shoot(page, "06-booking-form")
        page.click("button[name=action][value=check]")
        page.wait_for_load_state("networkidle")
        shoot(page, "07-booking-check")
        page.click("button[name=action][value=confirm]")
        page.wait_for_load_state("networkidle")
        shoot(page, "08-my-bookings")
        page.locator(".booking details.confirm summary").first.click()
        shoot(page, "13-my-bookings-cancel-confirm", full=False)
        page.click("form[action='/my-bookings/feed'] button")
        page.wait_for_load_state("networkidle")
        shoot(page, "14-my-bookings-calendar-link")
        page.goto(base + "/resources/00000000-0000-0000-0000-000000000000")
        shoot(page, "09-not-found", full=False)
        page.goto(lab)  # this week: days that are over or inside the notice, not "closed"
        shoot(page, "15-resource-this-week")
        desk.close()

        school = browser.new_context(viewport={"width": 1360, "height": 900}, locale="nl-NL")
        page = school.new_page()
        login(page, base, MANAGER)
        page.goto(base + "/manage/requests")
        request = page.locator(".request").first.get_attribute("id") or ""
        page.goto(f"{base}/bookings/{request.removeprefix('r-')}")
        shoot(page, "16-booking-for-the-school", full=False)
        school.close()

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
            has_touch=True, locale="nl-NL",
        )
        page = phone.new_page()
        page.goto(base + "/")
        shoot(page, "10-phone-home", full=False)
        page.goto(lab + next_week.split("#")[0])
        shoot(page, "11-phone-resource")
        english = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
        page = english.new_page()
        page.goto(lab + next_week.split("#")[0])
        shoot(page, "12-resource-english", full=False)
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running labshare demo (default: start one)")
    args = parser.parse_args()
    if args.base_url:
        capture(re.sub(r"/+$", "", args.base_url))
        return 0
    with demo_server() as base:
        capture(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
