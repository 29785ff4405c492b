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
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, demo_server, login, shoot

MANAGER = "facility@roc-demo.test"
COORDINATOR = "coordinator@regio.test"


def capture(base: str, day: str | None) -> None:
    """The demo school has requests waiting (Acme and Beta ask for its VR room, care ward and
    welding robot), so the queue and the board show them without any setup."""
    at = f"&day={day}" if day else ""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), args=[*CHROMIUM_ARGS, "--lang=nl-NL"]
        )
        desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="nl-NL")
        page = desk.new_page()
        login(page, base, MANAGER)
        page.goto(f"{base}/manage/board?view=week{at}")
        shoot(page, "20-manage-board-week")
        block = page.locator("a.b.bp").first
        if not block.count():
            block = page.locator("a.b.bc").first
        if block.count():  # the full text of a week block, on hover
            block.scroll_into_view_if_needed()
            block.hover()
            shoot(page, "27-manage-board-week-tooltip", full=False)
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
