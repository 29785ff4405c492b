"""Password reset through a real SMTP server (aiosmtpd on loopback): the mail's link works once,
within the hour, and afterwards no old session or API token gets in; no account enumeration."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from booking.domain.roles import Role
from booking.services import accounts
from booking.services.outbox_worker import deliver_due
from booking.settings import Settings
from tests.factories import make_company
from tests.http.conftest import NOW
from tests.integration.smtp_support import SmtpSink

BASE = "https://labshare.example"
OLD, NEW = "oud-wachtwoord-1", "nieuw-wachtwoord-2"


class Clock:
    def __init__(self) -> None:
        self.now: datetime = NOW


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def reset_app(settings: Settings, clock: Clock) -> Litestar:
    return create_app(settings, clock=lambda: clock.now, own_engine=False,
                      route_packages=("api.controllers", "frontend.pages"))


def _client(app: Litestar, host: str = "203.0.113.20") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(host, 50000)),
                             base_url="http://testserver")


@pytest.fixture
async def anon(reset_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(reset_app) as c:
        yield c


async def _person(email: str = "fatima@acme.example", locale: str = "nl") -> str:
    company = await make_company()
    return await accounts.create_user(email=email, name="Fatima de Vries", password=OLD,
                                      now=NOW, locale=locale,
                                      memberships=[(company, Role.BOOKER)])


async def _deliver(smtp: SmtpSink, clock: Clock) -> list[EmailMessage]:
    settings = Settings(database_url="", smtp_url=smtp.url, base_url=BASE,
                        mail_from="labshare <noreply@labshare.test>")
    await deliver_due(clock.now, settings)
    return smtp.messages()


def _link(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(re.escape(BASE) + r"(/password-reset/[A-Za-z0-9_-]+)", body.get_content())
    assert found, body.get_content()
    return found.group(1)


async def _signed_in(app: Litestar, email: str, password: str) -> tuple[httpx.AsyncClient, str]:
    """A client with a live cookie session, and a bearer token made through it."""
    c = _client(app, "203.0.113.30")
    r = await c.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    r = await c.post("/api/v1/tokens", json={"name": "ERP"},
                     headers={"X-CSRF-Token": r.json()["csrf_token"]})
    assert r.status_code == 201, r.text
    return c, r.json()["token"]


async def test_the_mailed_link_sets_the_password_once_and_ends_every_session_and_token(
    db: Any, reset_app: Litestar, anon: httpx.AsyncClient, smtp: SmtpSink, clock: Clock
) -> None:
    await _person()
    browser, token = await _signed_in(reset_app, "fatima@acme.example", OLD)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await anon.get("/api/v1/me", headers=bearer)).status_code == 200

    r = await anon.post("/api/v1/auth/password-reset", json={"email": "Fatima@Acme.example "})
    assert r.status_code == 202
    [mail] = await _deliver(smtp, clock)
    assert mail["To"].addresses[0].addr_spec == "fatima@acme.example"
    assert "wachtwoord" in mail["Subject"].lower()  # her language: Dutch
    link = _link(mail)

    page = await anon.get(link)
    assert page.status_code == 200 and 'name="password"' in page.text
    api_path = "/api/v1/auth" + link
    assert (await anon.post(api_path, json={"password": NEW})).status_code == 204

    assert (await browser.get("/api/v1/me")).status_code == 401  # the old session is gone
    assert (await anon.get("/api/v1/me", headers=bearer)).status_code == 401  # the token too
    again = await anon.post(api_path, json={"password": "derde-wachtwoord-3"})
    assert again.status_code == 410
    assert (await anon.get(link)).status_code == 410

    old = await anon.post("/api/v1/auth/login",
                          json={"email": "fatima@acme.example", "password": OLD})
    assert old.status_code == 401
    new = await anon.post("/api/v1/auth/login",
                          json={"email": "fatima@acme.example", "password": NEW})
    assert new.status_code == 200
    await browser.aclose()


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    db: Any, anon: httpx.AsyncClient, smtp: SmtpSink, clock: Clock
) -> None:
    await _person()
    known = await anon.post("/api/v1/auth/password-reset", json={"email": "fatima@acme.example"})
    unknown = await anon.post("/api/v1/auth/password-reset", json={"email": "nobody@acme.example"})
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.status_code == 202
    mails = await _deliver(smtp, clock)
    assert [m["To"].addresses[0].addr_spec for m in mails] == ["fatima@acme.example"]


async def test_the_link_expires_after_an_hour(
    db: Any, anon: httpx.AsyncClient, smtp: SmtpSink, clock: Clock
) -> None:
    await _person()
    for _ in range(2):
        await anon.post("/api/v1/auth/password-reset", json={"email": "fatima@acme.example"})
    first, second = (_link(m) for m in await _deliver(smtp, clock))

    clock.now = NOW + timedelta(minutes=59)
    assert (await anon.post("/api/v1/auth" + first, json={"password": NEW})).status_code == 204
    clock.now = NOW + timedelta(minutes=61)
    late = await anon.post("/api/v1/auth" + second, json={"password": "derde-wachtwoord-3"})
    assert late.status_code == 410
    never = await anon.post("/api/v1/auth/password-reset/" + "x" * 43, json={"password": NEW})
    assert never.status_code == 404


async def test_reset_requests_are_throttled_alike_for_known_and_unknown_addresses(
    db: Any, anon: httpx.AsyncClient
) -> None:
    await _person()
    for email in ("fatima@acme.example", "nobody@acme.example"):
        statuses = [
            (await anon.post("/api/v1/auth/password-reset", json={"email": email})).status_code
            for _ in range(accounts.ResetLimits().per_account + 1)
        ]
        assert statuses[:-1] == [202] * accounts.ResetLimits().per_account
        assert statuses[-1] == 429


async def test_a_short_password_is_refused_and_the_link_still_works(
    db: Any, anon: httpx.AsyncClient, smtp: SmtpSink, clock: Clock
) -> None:
    await _person()
    await anon.post("/api/v1/auth/password-reset", json={"email": "fatima@acme.example"})
    [mail] = await _deliver(smtp, clock)
    path = "/api/v1/auth" + _link(mail)
    short = await anon.post(path, json={"password": "kort"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    assert (await anon.post(path, json={"password": NEW})).status_code == 204


async def test_the_pages_from_forgotten_password_to_a_new_one(
    db: Any, anon: httpx.AsyncClient, smtp: SmtpSink, clock: Clock
) -> None:
    await _person(locale="en")
    login = await anon.get("/login")
    assert 'href="/password-reset"' in login.text and "Wachtwoord vergeten?" in login.text
    asked = await anon.post("/password-reset", data={"email": "fatima@acme.example"})
    assert asked.status_code == 200 and "fatima@acme.example" in asked.text
    [mail] = await _deliver(smtp, clock)
    assert "password" in mail["Subject"].lower()  # her language: English
    link = _link(mail)
    differ = await anon.post(link, data={"password": NEW, "password_again": NEW + "x"})
    assert differ.status_code == 422
    done = await anon.post(link, data={"password": NEW, "password_again": NEW})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    r = await anon.post("/api/v1/auth/login", json={"email": "fatima@acme.example",
                                                    "password": NEW})
    assert r.status_code == 200
