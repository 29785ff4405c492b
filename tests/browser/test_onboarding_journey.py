"""A region goes live through the pages, from an empty database (SQLite and PostgreSQL):
the admin creates a region, a school with a site and a lab, and invites its facility manager,
who sets the opening hours; a company signs up, confirms by mail and invites a colleague; the
school makes it a partner; the colleague books at the partner price. Every mail goes through
a real SMTP server (aiosmtpd) and its link is followed in the browser."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import _free_port, _wait_until_up, login, logout
from tests.conftest import PG_ADMIN_URL, _with_database
from tests.http.onboarding_support import link_in, mails_to, valid_kvk
from tests.integration.smtp_support import SmtpSink

PASSWORD = "een-lang-wachtwoord"
ADMIN = "ada@labshare.test"

_DELIVER = textwrap.dedent("""
    import asyncio, os
    from datetime import UTC, datetime
    from booking.db import engine as db_engine
    from booking.services.outbox_worker import deliver_due
    from booking.settings import Settings

    async def main() -> None:
        engine = db_engine.configure()
        await db_engine.open_engine(engine)
        try:
            await deliver_due(datetime.now(UTC), Settings(
                database_url=os.environ["LABSHARE_DATABASE_URL"],
                smtp_url=os.environ["LABSHARE_SMTP_URL"],
                base_url=os.environ["LABSHARE_BASE_URL"]))
        finally:
            await db_engine.close_engine(engine)

    asyncio.run(main())
""")
_PG = textwrap.dedent("""
    import asyncio, sys
    import asyncpg

    async def main(admin_url: str, sql: str) -> None:
        conn = await asyncpg.connect(admin_url, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


class Live:
    """The server under test and what it mails."""

    def __init__(self, base: str, env: dict[str, str], smtp: SmtpSink) -> None:
        self.base, self.env, self.smtp = base, env, smtp

    def link_to(self, address: str) -> str:
        """Send what the outbox holds; the path of the newest link mailed to `address`."""
        subprocess.run([sys.executable, "-c", _DELIVER], env=self.env, check=True, timeout=60)
        found = mails_to(self.smtp.received, address)
        assert found, f"no mail to {address}"
        kind, token = link_in(found[-1])
        return f"/{kind}/{token}"


def _pg(sql: str) -> None:
    subprocess.run([sys.executable, "-c", _PG, PG_ADMIN_URL, sql], check=True, timeout=60)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("onboard")
    name = f"labshare_onboard_{secrets.token_hex(4)}"
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'empty.sqlite3'}"
    else:
        try:
            _pg(f'CREATE DATABASE "{name}"')
        except subprocess.CalledProcessError:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL} (CI is set)")
            pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}")
        url = _with_database(PG_ADMIN_URL, name)
    smtp = SmtpSink()
    smtp.start()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LABSHARE_DATABASE_URL": url, "LABSHARE_DATA_DIR": str(data),
           "LABSHARE_SECRET_KEY": "onboarding-tests", "LABSHARE_BASE_URL": base,
           "LABSHARE_SMTP_URL": smtp.url, "LABSHARE_BACKGROUND_JOBS": "0"}
    labshare = str(Path(sys.executable).with_name("labshare"))
    subprocess.run([labshare, "create-user", "--email", ADMIN, "--name", "Ada Beheer",
                    "--password", PASSWORD, "--role", "admin"], env=env, check=True, timeout=120)
    log = data / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([labshare, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, proc, log)
        yield Live(base, env, smtp)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        smtp.stop()
        if request.param == "postgresql":
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def onboard_page(browser: object, live: Live) -> Iterator[Page]:
    ctx = browser.new_context(base_url=live.base, locale="nl-NL",  # type: ignore[attr-defined]
                              viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _accept_as_new(page: Page, live: Live, address: str, name: str) -> None:
    page.goto(live.link_to(address))
    page.fill("#f-name", name)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Uitnodiging aannemen").click()
    _flash(page, "Welkom! Je bent nu lid.")


def test_a_region_goes_live_through_the_pages(onboard_page: Page, live: Live) -> None:
    page = onboard_page
    login(page, ADMIN, PASSWORD)
    expect(page.locator("h1")).to_have_text("Organisaties op het platform")

    # the admin: a region, a school in it with a site, and a lab
    page.select_option("#f-kind", "region")
    page.fill("#f-name", "Regio Brainport")
    page.get_by_role("button", name="Aanmaken").click()
    _flash(page, "Regio Brainport is aangemaakt.")
    page.goto("/admin")
    page.select_option("#f-kind", "school")
    page.fill("#f-name", "Techniek College")
    page.fill("#f-city", "Eindhoven")
    page.fill("#f-brin", "25LX")
    page.select_option("#f-region_id", label="Regio Brainport")
    page.get_by_role("button", name="Aanmaken").click()
    _flash(page, "Techniek College is aangemaakt.")
    school_url = page.url
    page.fill("#site-name", "Campus Noord")
    page.fill("#site-address", "Kastanjelaan 2")
    page.fill("#site-postcode", "5616lz")
    page.fill("#site-city", "Eindhoven")
    page.get_by_role("button", name="Locatie toevoegen").click()
    expect(page.get_by_role("row", name=re.compile("Campus Noord"))).to_contain_text("5616 LZ")
    school_id = school_url.rstrip("/").split("/")[-1]
    page.goto(f"/manage/resources/new?school={school_id}")
    page.select_option("#f-kind", "lab")
    page.fill("#f-name", "Laslab")
    page.select_option("#f-bookable_by", "partners")
    page.fill("#f-rate_standard", "100")
    page.fill("#f-rate_partner", "60")
    page.locator("form.card button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Laslab")
    lab_url = page.url.split("?")[0]
    lab_id = lab_url.rstrip("/").split("/")[-1]

    # ... invites the facility manager, who sets the opening hours
    page.goto(school_url)
    page.fill("#invite-email", "fatima@techniek.test")
    page.select_option("#invite-role", "facility_manager")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    _flash(page, "De uitnodiging is verstuurd.")
    logout(page)
    _accept_as_new(page, live, "fatima@techniek.test", "Fatima de Vries")
    page.goto(lab_url)
    for first, days in ((0, ("1", "2", "3")), (3, ("4", "5"))):  # the editor adds blank rows
        for i, day in enumerate(days, start=first):
            page.select_option(f"#rule-{i}-weekday", day)
            page.fill(f"#rule-{i}-opens", "08:00")
            page.fill(f"#rule-{i}-closes", "17:00")
        page.get_by_role("button", name="Openingstijden opslaan").click()
        expect(page.locator(f"#rule-{first + len(days) - 1}-weekday")).to_have_value(days[-1])
    logout(page)

    # a company signs up, confirms and invites a colleague
    kvk = valid_kvk(30_000_000)
    page.goto("/login")
    page.get_by_role("link", name="Meld je bedrijf aan").click()
    page.fill("#f-company_name", "Acme Metaal BV")
    page.fill("#f-kvk", kvk)
    page.fill("#f-name", "Piet Planner")
    page.fill("#f-email", "piet@acme.test")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("h1")).to_have_text("Kijk in je mailbox")
    page.goto(live.link_to("piet@acme.test"))
    page.get_by_role("button", name="Bevestigen en inloggen").click()
    _flash(page, "Je bedrijf staat op labshare.")
    page.fill("#invite-email", "kim@acme.test")
    page.select_option("#invite-role", "booker")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    _flash(page, "De uitnodiging is verstuurd.")
    logout(page)
    _accept_as_new(page, live, "kim@acme.test", "Kim Jansen")
    logout(page)

    # the school makes the company a partner
    login(page, "fatima@techniek.test", PASSWORD)
    page.goto(school_url)
    page.fill("#partner-kvk", kvk)
    page.get_by_role("button", name="Partner maken").click()
    _flash(page, "Het bedrijf is nu partner.")
    expect(page.get_by_role("row", name=re.compile("Acme Metaal BV"))).to_contain_text("Actief")
    logout(page)

    # the colleague books at the partner price
    login(page, "kim@acme.test", PASSWORD)
    tuesday = date.today() + timedelta(days=8 - date.today().weekday())
    page.goto(f"/book?resource={lab_id}&date={tuesday.isoformat()}&start=10:00&end=12:00")
    page.fill("#f-title", "Lascursus")
    page.get_by_role("button", name="Controleer prijs en beschikbaarheid").click()
    expect(page.locator(".price-lines")).to_contain_text("120,00")  # 2 h at the partner rate
    expect(page.locator(".summary .total")).to_contain_text("145,20")  # with 21 % VAT
    page.locator("button[name=action][value=confirm]").click()
    _flash(page, "Geboekt")
    expect(page.locator(".booking", has_text="Lascursus")).to_be_visible()
