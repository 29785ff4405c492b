"""Feeds over HTTP: creation with an absolute URL, the headers calendar clients need, 304 on
both validators without rendering, HEAD, no compression, revocation (empty, then 410 after 7
days on the app's clock), rotation, unknown tokens, and the OpenAPI entries."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx
import icalendar
import pytest
from litestar import Litestar

from booking.services import feed_serving
from tests.factories import make_company, make_resource, make_user
from tests.http.conftest import NOW, bearer

SLOT = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


async def _subscribed(client: httpx.AsyncClient) -> tuple[dict[str, str], str, str]:
    """A company booker with one booking made over the API and a `me` feed: (headers, feed
    id, feed path)."""
    company = await make_company(name="Acme Metaal BV")
    headers = await bearer(await make_user(memberships=[(company, "booker")]))
    rid = await make_resource(name="CNC-cel")
    made = await client.post("/api/v1/bookings", headers=headers,
                             json={"resource_ids": [rid], **SLOT, "title": "Frezen"})
    assert made.status_code == 201, made.text
    r = await client.post("/api/v1/feeds", headers=headers, json={"scope": "me"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"].startswith("http://testserver/feeds/") and body["url"].endswith(".ics")
    return headers, body["id"], body["url"].removeprefix("http://testserver")


async def test_feed_headers_and_body(client: httpx.AsyncClient) -> None:
    _, _, path = await _subscribed(client)
    r = await client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-encoding" not in r.headers
    assert r.headers["cache-control"].startswith("private")
    etag = r.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert parsedate_to_datetime(r.headers["last-modified"]) <= NOW
    assert r.content.startswith(b"BEGIN:VCALENDAR\r\n")  # no BOM
    [event] = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Frezen" and event["DTSTART"].to_ical() == b"20260309T090000Z"


async def test_conditional_requests_answer_304_without_rendering(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, path = await _subscribed(client)
    first = await client.get(path)

    def no_render(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a conditional hit must not render")

    monkeypatch.setattr(feed_serving, "render_feed", no_render)
    feed_serving._bodies.clear()
    by_tag = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag.headers["etag"] == first.headers["etag"]
    by_date = await client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_date.status_code == 304
    earlier = format_datetime(parsedate_to_datetime(first.headers["last-modified"])
                              - timedelta(seconds=1), usegmt=True)
    monkeypatch.undo()
    assert (await client.get(path, headers={"If-Modified-Since": earlier})).status_code == 200
    stale = await client.get(path, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


async def test_head_has_the_headers_of_get_and_no_body(client: httpx.AsyncClient) -> None:
    _, _, path = await _subscribed(client)
    got = await client.get(path)
    head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"


async def test_revoked_url_is_empty_for_seven_days_then_gone(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    headers, feed_id, path = await _subscribed(client)
    listed = (await client.get("/api/v1/feeds", headers=headers)).json()
    assert [f["id"] for f in listed["items"]] == [feed_id] and listed["next_cursor"] is None
    assert path.split("/")[-1].removesuffix(".ics") not in str(listed)
    assert (await client.delete(f"/api/v1/feeds/{feed_id}", headers=headers)).status_code == 204
    empty = await client.get(path)
    assert empty.status_code == 200 and b"BEGIN:VEVENT" not in empty.content
    assert b"BEGIN:VCALENDAR" in empty.content
    app.state.clock = lambda: NOW + timedelta(days=7)
    gone = await client.get(path)
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")


async def test_rotation_and_unknown_tokens(client: httpx.AsyncClient) -> None:
    headers, feed_id, path = await _subscribed(client)
    r = await client.post(f"/api/v1/feeds/{feed_id}/rotate", headers=headers)
    assert r.status_code == 201, r.text
    new_path = r.json()["url"].removeprefix("http://testserver")
    assert new_path != path and b"BEGIN:VEVENT" in (await client.get(new_path)).content
    assert b"BEGIN:VEVENT" not in (await client.get(path)).content
    for bad in ("/feeds/" + "A" * 43 + ".ics", "/feeds/short.ics", path.removesuffix(".ics")):
        assert (await client.get(bad)).status_code == 404
    other = await bearer(await make_user(memberships=[(await make_company(), "booker")]))
    assert (await client.delete(f"/api/v1/feeds/{feed_id}", headers=other)).status_code == 404


async def test_feed_input_is_validated(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/feeds", json={"scope": "me"})).status_code == 401
    headers = await bearer(await make_user(memberships=[(await make_company(), "booker")]))
    for body in ({"scope": "galaxy"}, {"scope": "resource"}, {"scope": "me", "id": "nope"}):
        r = await client.post("/api/v1/feeds", headers=headers, json=body)
        assert r.status_code == 422, (body, r.text)


async def test_openapi_documents_the_calendar_endpoints(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/feeds", "/feeds/{filename}", "/api/v1/feeds/{feed_id}/rotate"):
        assert path in doc["paths"], path


@pytest.mark.slow
async def test_a_real_server_sends_the_feed_uncompressed_and_answers_head(server: str) -> None:
    """`labshare serve --workers 2`: what calendar clients meet in production."""
    from booking.services import feeds
    from tests.factories import actor_for

    company = await make_company()
    user = await make_user(memberships=[(company, "booker")])
    made = await feeds.create_feed(await actor_for(user), "me", base_url=server, now=NOW)
    async with httpx.AsyncClient(timeout=30) as c:
        got = await c.get(made.url, headers={"Accept-Encoding": "gzip, br"})
        assert got.status_code == 200 and "content-encoding" not in got.headers
        assert got.headers["content-type"] == "text/calendar; charset=utf-8"
        head = await c.head(made.url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == got.headers["etag"]
        assert head.headers["content-length"] == str(len(got.content))
        again = await c.get(made.url, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
