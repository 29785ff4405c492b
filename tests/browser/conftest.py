"""Browser fixtures: a live labshare on a fresh demo database, Chromium through Playwright, axe.

Reusable by every page test:
- `live_server` (session): base URL of `labshare serve` in a subprocess on a free port, on a new
  SQLite file filled by `booking.demo.create_demo` (the same data as `labshare demo`).
- `browser` (per module), `context` and `page` (per test; Dutch, 1280×860, `base_url` set, so
  `page.goto("/resources")` works). `phone` is a page with a phone-sized viewport.
- `login(page, email)` signs in through the form (demo password); `logout(page)`.
- `assert_accessible(page)` runs axe-core and fails on serious or critical violations.
Every test in this folder is marked `browser`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

DEMO_PASSWORD = "labshare-demo"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--lang=nl-NL",
]
SERIOUS = frozenset({"serious", "critical"})
STARTUP_SECONDS = 120

_CREATE_DEMO = textwrap.dedent("""
    import asyncio
    from datetime import UTC, datetime
    from booking.db import engine as db_engine
    from booking.db.migrate import migrate
    from booking.demo import create_demo
    from booking.settings import get_settings

    async def main() -> None:
        engine = db_engine.configure()
        await db_engine.open_engine(engine)
        try:
            await migrate()
            await create_demo(now=datetime.now(UTC).replace(microsecond=0),
                              photos_dir=get_settings().photos_dir)
        finally:
            await db_engine.close_engine(engine)

    asyncio.run(main())
""")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"labshare serve exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"labshare serve did not answer within {STARTUP_SECONDS}s")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a server on a fresh demo database (no trailing slash)."""
    data = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "LABSHARE_DATABASE_URL": f"sqlite:///{data / 'demo.sqlite3'}",
        "LABSHARE_DATA_DIR": str(data),
        "LABSHARE_SECRET_KEY": "browser-tests",
    }
    subprocess.run([sys.executable, "-c", _CREATE_DEMO], env=env, check=True, timeout=300)
    port = _free_port()
    log = data / "server.log"
    labshare = str(Path(sys.executable).with_name("labshare"))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [labshare, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    """Per module, not per session: a live sync Playwright holds an event loop in this thread,
    which would break the asyncio tests that run after the browser tests."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    launched = playwright_driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": 1280, "height": 860},
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    ctx = browser.new_context(
        base_url=live_server, locale="nl-NL", viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )
    yield ctx.new_page()
    ctx.close()


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form and wait for the page it lands on."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert "/login" not in page.url, f"sign-in as {email} failed"


def logout(page: Page) -> None:
    page.click(".account summary")
    with page.expect_navigation():
        page.click("form[action='/logout'] button[type=submit]")


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe on {page.url}:\n{details}"
