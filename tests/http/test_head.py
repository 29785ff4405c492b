"""HEAD answers like GET without a body, on pages and JSON endpoints alike (link checkers and
calendar clients send HEAD)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.factories import make_resource, make_school, make_site
from tests.http.conftest import NOW


@pytest.fixture
async def web(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=lambda: NOW, own_engine=False)  # API and pages
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/resources", "/healthz", "/api/v1/resources"])
async def test_head_mirrors_get(web: httpx.AsyncClient, path: str) -> None:
    school = await make_school()
    await make_resource(site_id=await make_site(school_id=school), name="CNC-werkplaats")
    got = await web.get(path)
    head = await web.head(path)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


async def test_head_of_an_unknown_page_is_404(web: httpx.AsyncClient) -> None:
    head = await web.head("/no-such-page", headers={"accept": "text/html"})
    assert head.status_code == 404
    assert head.content == b""
