"""Calendar feeds: `POST/GET /api/v1/feeds`, revoke, rotate, and the secret `GET/HEAD
/feeds/{token}.ics` that calendar clients poll.

The feed answers conditional requests from validators computed without rendering (see
`booking.services.feed_serving`); the body is never compressed (Outlook) and carries no BOM.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response, delete, get, post, route
from litestar.enums import HttpMethod
from litestar.openapi.datastructures import ResponseSpec

from api.errors import problem, problem_response
from api.schemas import UUIDStr, problems
from booking.domain.errors import NotFound
from booking.domain.roles import Actor
from booking.services import feed_serving, feeds
from booking.services.feeds import FeedView, mask_token
from booking.settings import get_settings
from booking.timefmt import to_local

log = logging.getLogger("labshare.feeds")

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
CALENDAR_TYPE = "text/calendar"  # Litestar appends "; charset=utf-8" to text/* types
CACHE_CONTROL = "private, max-age=300"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


class FeedIn(msgspec.Struct, forbid_unknown_fields=True):
    """Which bookings the feed shows: `me` (your organisation's; `id` picks one when you belong
    to several), `resource` (`id` required), or `school` (`id` required; its staff only)."""

    scope: Literal["me", "resource", "school"]
    id: UUIDStr | None = None


class FeedOut(msgspec.Struct):
    id: str
    scope: str
    target_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class FeedCreated(msgspec.Struct):
    """The secret URL is shown only here: only its hash is stored."""

    id: str
    url: str
    scope: str
    target_id: str | None
    created_at: datetime


class FeedList(msgspec.Struct):
    items: list[FeedOut]
    next_cursor: str | None = None


def _out(view: FeedView) -> FeedOut:
    revoked = to_local(view.revoked_at) if view.revoked_at else None
    return FeedOut(view.id, view.scope, view.target_id, to_local(view.created_at), revoked)


def _created(made: feeds.NewFeed) -> FeedCreated:
    f = made.feed
    return FeedCreated(f.id, made.url, f.scope, f.target_id, to_local(f.created_at))


def base_url(request: Request[Any, Any, Any]) -> str:
    """The site's public base URL: `LABSHARE_BASE_URL`, else the request's own."""
    settings = getattr(request.app.state, "settings", None) or get_settings()
    return (settings.base_url or str(request.base_url)).rstrip("/")


@post("/api/v1/feeds", tags=["calendars"], security=SECURITY, status_code=201,
      responses={201: ResponseSpec(FeedCreated, description="The new secret feed URL"),
                 **problems(401, 403, 404)})
async def create_feed(
    request: Request[Any, Any, Any], member: Actor, now: datetime, data: FeedIn
) -> FeedCreated:
    """A new secret calendar URL (`…/feeds/<token>.ics`) for calendar clients to subscribe to."""
    made = await feeds.create_feed(member, data.scope, data.id, base_url=base_url(request),
                                   now=now)
    return _created(made)


@get("/api/v1/feeds", tags=["calendars"], security=SECURITY, responses=problems(401))
async def list_feeds(member: Actor) -> FeedList:
    """Your feeds (without their secret URLs), revoked ones included."""
    return FeedList([_out(v) for v in await feeds.list_feeds(member)])


@delete("/api/v1/feeds/{feed_id:uuid}", tags=["calendars"], security=SECURITY,
         status_code=204, responses=problems(401, 404))
async def revoke_feed(member: Actor, now: datetime, feed_id: UUID) -> None:
    """Revoke: the URL serves an empty calendar for 7 days (clients clear it), then 410."""
    await feeds.revoke_feed(member, str(feed_id), now)


@post("/api/v1/feeds/{feed_id:uuid}/rotate", tags=["calendars"], security=SECURITY,
      status_code=201, responses={201: ResponseSpec(FeedCreated, description="The new URL"),
                                  **problems(401, 403, 404)})
async def rotate_feed(
    request: Request[Any, Any, Any], member: Actor, now: datetime, feed_id: UUID
) -> FeedCreated:
    """A new secret URL for the same feed; the old URL is revoked as by DELETE."""
    made = await feeds.rotate_feed(member, str(feed_id), base_url=base_url(request), now=now)
    return _created(made)


def _http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC).replace(microsecond=0), usegmt=True)


def is_fresh(request: Request[Any, Any, Any], etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison) wins; else If-Modified-Since."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if ims is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


@route("/feeds/{filename:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD],
       tags=["calendars"], media_type=CALENDAR_TYPE, include_in_schema=True,
       responses={200: ResponseSpec(None, description="The calendar (RFC 5545)",
                                    media_type=CALENDAR_TYPE),
                  304: ResponseSpec(None, description="Not modified"),
                  **problems(404, 410)})
async def serve_feed(
    request: Request[Any, Any, Any], now: datetime, filename: str
) -> Response[Any]:
    """The calendar behind a secret token; unknown → 404, revoked → empty for 7 days, then 410."""
    token = filename.removesuffix(".ics")
    if not filename.endswith(".ics") or not _TOKEN.match(token):
        raise NotFound("no such feed")
    handle = await feed_serving.open_feed(token, now, site_url=base_url(request))
    if handle.state == "gone":
        log.info("feed token %s: gone", mask_token(token))
        return problem_response(problem(410, "this calendar URL was revoked; subscribe anew"))
    headers = {"ETag": handle.etag, "Cache-Control": CACHE_CONTROL,
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    if handle.last_modified is not None:
        headers["Last-Modified"] = _http_date(handle.last_modified)
    if is_fresh(request, handle.etag, handle.last_modified):
        return Response(content=b"", status_code=304, headers=headers, media_type=CALENDAR_TYPE)
    body = await handle.body()
    headers["Content-Disposition"] = 'inline; filename="labshare.ics"'
    if request.method == HttpMethod.HEAD:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(content=body, status_code=200, headers=headers, media_type=CALENDAR_TYPE)


ROUTES: list[Any] = [create_feed, list_feeds, revoke_feed, rotate_feed, serve_feed]
