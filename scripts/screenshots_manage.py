"""Screenshots of the school side into docs/screenshots/: schedule board, requests, overview,
resource form and the coordinator's region page.

    python scripts/screenshots_manage.py                     # fresh demo database, own server
    python scripts/screenshots_manage.py --base-url http://127.0.0.1:8000 [--day 2027-10-27]

Reuses `scripts/screenshots.py` (demo server, sign-in, Debian's Chromium).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, PASSWORD, demo_server, login, shoot

MANAGER = "facility@roc-demo.test"
COORDINATOR = "coordinator@regio.test"
BOOKER = "planner@acme.test"
MACHINE = "Meta Quest 3-set (12 brillen)"


def pending_request(browser: Browser, page: Page, base: str) -> None:
    """Make the demo's queue show something: the manager requires approval for a VR set and
    Acme asks for two hours of it next week (as tests/browser/test_manage_journey.py does)."""
    page.goto(f"{base}/manage")
    page.get_by_role("link", name=MACHINE).click()
    page.get_by_label("Ik keur elke aanvraag zelf goed").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_load_state("networkidle")
    resource_id = page.url.split("/")[-1].split("?")[0]
    ctx = browser.new_context(base_url=base)
    api = ctx.request
    api.post("/api/v1/auth/login", data={"email": BOOKER, "password": PASSWORD})
    csrf = next(c["value"] for c in ctx.cookies() if c["name"] == "labshare_csrf")
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    free = api.get(f"/api/v1/resources/{resource_id}/availability", params={
        "from": f"{monday}T00:00:00+00:00", "to": f"{monday + timedelta(days=5)}T00:00:00+00:00",
    }).json()["free"]
    start = datetime.fromisoformat(free[0]["start"])
    api.post("/api/v1/bookings", headers={"X-CSRF-Token": csrf}, data={
        "resource_ids": [resource_id], "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(), "title": "VR-veiligheidstraining",
        "participants": {"students": 0, "employees": 8},
    })
    ctx.close()


def capture(base: str, day: str | None) -> None:
    at = f"&day={day}" if day else ""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=[*CHROMIUM_ARGS, "--lang=nl-NL"]
        )
        desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="nl-NL")
        page = desk.new_page()
        login(page, base, MANAGER)
        pending_request(browser, page, base)
        page.goto(f"{base}/manage/board?view=week{at}")
        shoot(page, "20-manage-board-week")
        page.goto(f"{base}/manage/board?view=day{at}")
        shoot(page, "21-manage-board-day")
        page.goto(f"{base}/manage/requests")
        shoot(page, "22-manage-requests")
        page.goto(f"{base}/manage")
        shoot(page, "23-manage-overview")
        first = page.locator("a.resource-link").first
        if first.count():
            first.click()
            page.wait_for_load_state("networkidle")
            shoot(page, "24-manage-resource")
        desk.close()
        coord = browser.new_context(viewport={"width": 1440, "height": 900}, locale="nl-NL")
        page = coord.new_page()
        login(page, base, COORDINATOR)
        page.goto(f"{base}/coordinator")
        shoot(page, "25-coordinator")
        english = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
        page = english.new_page()
        login(page, base, MANAGER)
        page.goto(f"{base}/manage/board?view=week{at}")
        shoot(page, "26-manage-board-english", full=False)
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running labshare demo (default: start one)")
    parser.add_argument("--day", help="the board's day (default: today)")
    args = parser.parse_args()
    if args.base_url:
        capture(re.sub(r"/+$", "", args.base_url), args.day)
        return 0
    with demo_server() as base:
        capture(base, args.day)
    return 0


if __name__ == "__main__":
    sys.exit(main())
