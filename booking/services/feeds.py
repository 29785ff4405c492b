"""Calendar feeds (DESIGN §6): secret-URL tokens and the feed a token serves.

Tokens carry 256 bits from `secrets`; only their SHA-256 is stored and looked up, and the
fetched hash is compared with `hmac.compare_digest`. Logs show tokens masked (`abcd…`).
A revoked token serves an empty calendar for `GRACE` (clients then delete the events), then
is gone (410). Serving never renders to answer a conditional request: `open_feed` derives the
validator from a change watermark (a few indexed queries); `FeedHandle.body()` renders on a
miss, shares one render between concurrent requests and keeps recent bodies in a small cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from booking.db import feeds_store as store
from booking.db.catalogue_store import get_resource, get_school
from booking.db.engine import transaction
from booking.db.feeds_store import FeedTokenRecord, Scope
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.permissions import can_see_resource
from booking.domain.roles import Actor, Role
from booking.ical import empty_feed, render_feed
from booking.services.actors import load_actor
from booking.services.calendars import valid_id
from booking.services.feed_cache import BodyCache, single_flight
from booking.services.feed_events import to_event

log = logging.getLogger(__name__)

SCOPES = ("me", "resource", "school")
GRACE = timedelta(days=7)
WINDOW_PAST = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=365)
MAX_EVENTS = 2000
MAX_BYTES = 1_000_000
REFRESH = timedelta(hours=1)
RENDER_VERSION = 1  # bump when the feed's rendering changes, so validators change too
_THREAD_ABOVE = 200  # render larger feeds in a worker thread, off the event loop
_MEMBER_ROLES = (Role.BOOKER, Role.STAFF, Role.FACILITY_MANAGER)

_bodies = BodyCache(max_bytes=32 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class FeedView:
    """A feed as its owner lists it (never the token: only its hash is stored)."""

    id: str
    scope: str
    target_id: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A created (or rotated) feed with its secret URL: shown once."""

    feed: FeedView
    url: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mask_token(token: str) -> str:
    """What logs may show of a token."""
    return token[:4] + "…"


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/feeds/{token}.ics"


def _view(rec: FeedTokenRecord) -> FeedView:
    target = rec.resource_id if rec.scope == "resource" else rec.organisation_id
    return FeedView(rec.id, rec.scope, target, rec.created_at, rec.revoked_at)


def _invalid(field_name: str, message: str, code: str = "invalid") -> RuleViolation:
    return RuleViolation([Reason(code, message)], field_name=field_name)


async def _target(actor: Actor, scope: str, target_id: str | None) -> tuple[str | None, str | None]:
    """(organisation_id, resource_id) a new feed of `scope` covers; raises when not allowed."""
    if scope == "me":
        orgs = sorted({m.organisation_id for m in actor.memberships if m.role in _MEMBER_ROLES})
        if target_id is not None:
            if target_id not in orgs:
                raise _invalid("id", "not one of your companies or schools")
            return target_id, None
        if len(orgs) != 1:
            raise _invalid("id", "say which of your organisations (id)" if orgs
                           else "you belong to no company or school")
        return orgs[0], None
    if target_id is None:
        raise _invalid("id", f"a {scope} feed needs the {scope}'s id")
    if scope == "school":
        school_id = valid_id(target_id)
        if actor.is_admin or school_id in actor.staff_school_ids:
            return school_id, None
        if await get_school(school_id) is None:
            raise NotFound("no such school")
        raise NotAllowed("only the school's staff may subscribe to its calendar")
    rec = await get_resource(valid_id(target_id))
    if rec is None or not can_see_resource(actor, rec.resource):
        raise NotFound("no such resource")
    return None, rec.resource.id


async def create_feed(
    actor: Actor, scope: str, target_id: str | None = None, *, base_url: str, now: datetime
) -> NewFeed:
    """A new secret feed URL of `scope` ("me": one of the actor's organisations; "resource";
    "school": its staff). NotAllowed when anonymous; RuleViolation for a bad scope or id."""
    if actor.is_anonymous or actor.user_id is None:
        raise NotAllowed("sign in first")
    if scope not in SCOPES:
        raise _invalid("scope", "scope must be me, resource or school")
    org_id, resource_id = await _target(actor, scope, target_id)
    token = new_token()
    rec = await store.insert_token(
        user_id=actor.user_id, scope=scope, organisation_id=org_id, resource_id=resource_id,
        token_hash=hash_token(token), now=now,
    )
    log.info("feed %s (%s) created, token %s", rec.id, scope, mask_token(token))
    return NewFeed(_view(rec), feed_url(base_url, token))


async def list_feeds(actor: Actor) -> list[FeedView]:
    """The actor's own feeds, newest first, revoked ones included."""
    if actor.user_id is None:
        raise NotAllowed("sign in first")
    return [_view(r) for r in await store.tokens_of(actor.user_id)]


async def _own(actor: Actor, feed_id: str) -> FeedTokenRecord:
    rec = await store.get_token(valid_id(feed_id))
    if rec is None or (rec.user_id != actor.user_id and not actor.is_admin):
        raise NotFound("no such feed")
    return rec


async def revoke_feed(actor: Actor, feed_id: str, now: datetime) -> FeedView:
    """Revoke the feed: its URL serves an empty calendar for `GRACE`, then 410. Idempotent."""
    rec = await _own(actor, feed_id)
    await store.revoke_token(rec.id, now)
    found = await store.get_token(rec.id)
    assert found is not None
    return _view(found)


async def rotate_feed(actor: Actor, feed_id: str, *, base_url: str, now: datetime) -> NewFeed:
    """A new URL for the same feed; the old one is revoked as by `revoke_feed`."""
    rec = await _own(actor, feed_id)
    target = rec.resource_id if rec.scope == "resource" else rec.organisation_id
    owner = actor if rec.user_id == actor.user_id else await load_actor(rec.user_id)
    async with transaction():
        await store.revoke_token(rec.id, now)
        org_id, resource_id = await _target(owner, rec.scope, target)
        token = new_token()
        new = await store.insert_token(
            user_id=rec.user_id, scope=rec.scope, organisation_id=org_id,
            resource_id=resource_id, token_hash=hash_token(token), now=now,
        )
    log.info("feed %s rotated to %s, token %s", rec.id, new.id, mask_token(token))
    return NewFeed(_view(new), feed_url(base_url, token))


@dataclass
class FeedHandle:
    """What a token serves: `state` live | revoked | gone, validators, and the body on demand."""

    state: str
    etag: str = ""
    last_modified: datetime | None = None
    name: str = ""
    _render: Render | None = field(default=None, repr=False)

    async def body(self) -> bytes:
        """The feed bytes (rendered on a cache miss); empty while revoked; b"" when gone."""
        if self.state == "gone":
            return b""
        if self._render is None:
            return _empty(self.name)
        render = self._render
        key = self.etag
        cached = _bodies.get(key)
        if cached is not None:
            return cached
        body = await single_flight(key, render.run)
        _bodies.put(key, body)
        return body


def _etag(*parts: object) -> str:
    digest = hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()
    return f'"{digest[:40]}"'


def _empty(name: str) -> bytes:
    return empty_feed(name, refresh=REFRESH)


async def open_feed(token: str, now: datetime, *, site_url: str) -> FeedHandle:
    """The feed behind `token` with its validators, without rendering. NotFound for unknown
    tokens. `site_url` is the site's base URL, for links to booking pages."""
    digest = hash_token(token)
    rec = await store.token_by_hash(digest)
    if rec is None or not hmac.compare_digest(rec.token_hash, digest):
        raise NotFound("no such feed")
    if rec.revoked_at is not None and now >= rec.revoked_at + GRACE:
        return FeedHandle("gone")
    viewer = await load_actor(rec.user_id)
    scope, name = await _scope(rec, viewer)
    if rec.revoked_at is not None or scope is None:
        # revoked, or the owner lost access: an empty calendar makes clients drop the events
        changed = rec.revoked_at or rec.created_at
        return FeedHandle("revoked" if rec.revoked_at else "live",
                          _etag("empty", RENDER_VERSION, name), changed, name)
    day = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    start, end = day - WINDOW_PAST, day + WINDOW_AHEAD
    mark = await store.watermark(scope, start, end)
    roles = sorted((m.organisation_id, str(m.role)) for m in viewer.memberships)
    etag = _etag(RENDER_VERSION, rec.id, name, start, mark.bookings, mark.versions,
                 mark.last_change, roles, site_url, rec.owner_locale)
    changed = max(d for d in (mark.last_change, day, rec.created_at) if d is not None)
    render = Render(name, scope, start, end, day, viewer, rec.owner_locale, site_url)
    return FeedHandle("live", etag, changed, name, render)


async def _scope(rec: FeedTokenRecord, viewer: Actor) -> tuple[Scope | None, str]:
    """What the token covers now, and the calendar's name; no scope when the owner lost
    access (left the organisation, the resource became invisible to them, user disabled)."""
    if rec.scope == "resource":
        res = await get_resource(rec.resource_id or "")
        if res is None:
            return None, "labshare"
        name = f"labshare - {res.resource.name}"
        if viewer.is_anonymous or not can_see_resource(viewer, res.resource):
            return None, name
        return Scope(resource_ids=await store.related_resources(res.resource.id)), name
    org_id = rec.organisation_id or ""
    names = {m.organisation_id: m.organisation_name for m in viewer.memberships}
    if org_id not in names:
        found = await store.organisation_name(org_id)
        names[org_id] = found[1] if found else ""
    name = f"labshare - {names[org_id]}"
    if rec.scope == "me" and org_id in viewer.company_ids:
        return Scope(company_id=org_id), name
    if org_id in viewer.staff_school_ids or (rec.scope == "school" and viewer.is_admin):
        return Scope(school_id=org_id), name
    return None, name


@dataclass(frozen=True)
class Render:
    """Everything needed to render one live feed; `run` loads the events and renders."""

    name: str
    scope: Scope
    start: datetime
    end: datetime
    split: datetime
    viewer: Actor
    locale: str
    site_url: str

    async def run(self) -> bytes:
        rows = await store.occurrences(self.scope, self.start, self.end, self.split, MAX_EVENTS)
        booked = await store.booked_resources(sorted({r.booking_id for r in rows}))
        # nearest first: coming events by start, then the past ones backwards
        coming = [r for r in rows if r.ends_at > self.split]
        past = [r for r in reversed(rows) if r.ends_at <= self.split]
        events = [
            to_event(r, booked.get(r.booking_id, []), self.viewer, locale=self.locale,
                     site_url=self.site_url)
            for r in (*coming, *past)
        ]
        while True:
            if len(events) > _THREAD_ABOVE:
                body = await asyncio.to_thread(render_feed, self.name, events, refresh=REFRESH)
            else:
                body = render_feed(self.name, events, refresh=REFRESH)
            if len(body) < MAX_BYTES or not events:
                return body
            log.warning("feed %r is %d bytes: dropping the furthest events", self.name, len(body))
            events = events[: len(events) * 9 // 10]
