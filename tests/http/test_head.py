"""HEAD answers like GET without a body, on pages and JSON endpoints alike (link checkers and
calendar clients send HEAD)."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import make_resource, make_school, make_site


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
