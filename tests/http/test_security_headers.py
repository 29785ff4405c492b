"""Security headers on every kind of response, no inline script on any page, no-store on what is
personal, HSTS and Secure cookies behind an https base URL, and /.well-known/security.txt."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api.app import create_app
from booking.domain.roles import Role
from booking.services import accounts
from booking.settings import Settings, get_settings
from tests.factories import make_company, make_resource
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"


@pytest.fixture
async def planner(db: Any) -> str:
    company = await make_company(name="Acme Metaal BV")
    await accounts.create_user(email="planner@acme.test", name="Petra", password=PASSWORD,
                               now=NOW, memberships=[(company, Role.BOOKER)])
    return await make_resource(name="CNC-werkplaats")


async def _sign_in(web: httpx.AsyncClient) -> None:
    r = await web.post("/login", data={"email": "planner@acme.test", "password": PASSWORD,
                                       "next": ""})
    assert r.status_code == 303, r.text


def _assert_hardened(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, (r.url, r.status_code, csp)
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(
        ";")[0]
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("x-frame-options") == "DENY"
    assert r.headers.get("referrer-policy") == "same-origin"
    assert "camera=()" in r.headers.get("permissions-policy", "")


async def test_every_kind_of_response_carries_the_headers(
    web: httpx.AsyncClient, planner: str
) -> None:
    answers = [
        await web.get("/"),  # a page
        await web.get("/resources"),
        await web.get(f"/resources/{planner}"),
        await web.get("/nowhere"),  # the pages' 404
        await web.get("/api/v1/resources"),  # the API
        await web.get("/api/v1/nowhere"),  # a JSON 404
        await web.get("/api/v1/resources/not-a-uuid"),
        await web.get("/api/v1/me"),  # 401
        await web.get("/healthz"),
        await web.get("/schema/openapi.json"),
        await web.get("/static/app.css"),  # static files
        await web.get("/api/v1/resources?q=%00"),  # refused before routing
    ]
    for r in answers:
        _assert_hardened(r)
    assert "hsts" not in " ".join(answers[0].headers.keys()).lower()  # plain http: no HSTS


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


async def test_no_page_needs_inline_script_or_style_elements(
    web: httpx.AsyncClient, planner: str
) -> None:
    pages = ["/", "/resources", f"/resources/{planner}", "/login", "/nowhere"]
    await _sign_in(web)
    pages += ["/my-bookings", f"/book/{planner}"]
    for path in pages:
        r = await web.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert not _INLINE_SCRIPT.search(r.text), path
        assert not _HANDLER.search(r.text), path
        assert "<style" not in r.text, path
        assert "javascript:" not in r.text, path


async def test_personal_answers_are_never_stored(web: httpx.AsyncClient, planner: str) -> None:
    public = await web.get("/resources")
    assert public.headers.get("cache-control") != "no-store"
    r = await web.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                   "password": PASSWORD})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    for path in ("/api/v1/me", "/api/v1/bookings", "/my-bookings", "/api/v1/tokens",
                 f"/api/v1/resources/{planner}", "/"):
        answer = await web.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["cache-control"] == "no-store", path
    assert (await web.get("/static/app.css")).headers.get("cache-control") != "no-store"


async def test_bearer_answers_are_never_stored(client: httpx.AsyncClient, planner: str) -> None:
    uid = (await accounts.authenticate("planner@acme.test", PASSWORD, "t", NOW))
    _, secret = await accounts.create_token(uid, "erp", NOW)
    r = await client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"


@pytest.fixture
def https_base(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LABSHARE_BASE_URL", "https://labshare.example")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def https_web(settings: Settings, https_base: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a TLS proxy: LABSHARE_BASE_URL is https://, requests arrive over http."""
    https_settings = Settings(database_url=settings.database_url, migrate_on_startup=False,
                              base_url="https://labshare.example")
    app: Litestar = create_app(https_settings, clock=lambda: NOW, own_engine=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://labshare.example") as c:
        yield c


async def test_https_base_url_means_hsts_and_secure_cookies(
    https_web: httpx.AsyncClient, planner: str
) -> None:
    for r in (await https_web.get("/"), await https_web.get("/api/v1/resources"),
              await https_web.get("/nowhere")):
        assert r.headers["strict-transport-security"].startswith("max-age=")
    for r in (await https_web.post("/login", data={"email": "planner@acme.test",
                                                   "password": PASSWORD, "next": ""}),
              await https_web.post("/api/v1/auth/login", json={"email": "planner@acme.test",
                                                             "password": PASSWORD})):
        cookies = r.headers.get_list("set-cookie")
        assert cookies and all("Secure" in c for c in cookies), cookies


async def test_forwarded_https_means_secure_cookies_behind_a_trusted_proxy(
    app: Litestar, client: httpx.AsyncClient, planner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABSHARE_TRUST_FORWARDED", "1")
    get_settings.cache_clear()
    try:
        r = await client.post("/api/v1/auth/login", headers={"X-Forwarded-Proto": "https"},
                              json={"email": "planner@acme.test", "password": PASSWORD})
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    session = next(c for c in r.headers.get_list("set-cookie")
                   if c.startswith("labshare_session="))
    assert "Secure" in session


async def test_security_txt_names_the_configured_contact(settings: Settings) -> None:
    configured = Settings(database_url=settings.database_url, migrate_on_startup=False,
                          base_url="https://labshare.example",
                          security_contact="mailto:cert@labshare.example")
    app = create_app(configured, clock=lambda: NOW, own_engine=False,
                     route_packages=("api.controllers",))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as c:
        r = await c.get("/.well-known/security.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    fields = dict(line.split(": ", 1) for line in r.text.splitlines())
    assert fields["Contact"] == "mailto:cert@labshare.example"
    assert fields["Expires"].startswith("2027-03-02")
    assert fields["Canonical"] == "https://labshare.example/.well-known/security.txt"
