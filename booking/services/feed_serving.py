"""Serving a feed token: validators without rendering, the body on demand (DESIGN §6).

`open_feed` reads the token, its owner's memberships and the latest change to any booking in one
query, then the scope's change watermark (count, version sum and latest change of the bookings
in scope and window). That aggregate is memoised per process under the global change stamp: as
long as no booking anywhere changed (and the last change is older than `STAMP_MARGIN`, so clock
skew between writers or two changes in one second cannot hide behind it), the memo is reused;
otherwise it is recomputed. The ETag is a hash of everything the body depends on, so equal
ETags mean equal bytes. `FeedHandle.body()` renders on a miss, one render per key at a time,
and keeps recent bodies in a small cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from booking.db import feeds_store as store
from booking.db.feeds_store import OpenedToken, Scope, Watermark
from booking.domain.errors import NotFound
from booking.domain.organisations import partnership_day
from booking.domain.permissions import can_see_resource
from booking.domain.resources import Resource, ResourceKind, Visibility
from booking.domain.roles import Actor, Membership, OrgKind, Role
from booking.ical import empty_feed, render_feed
from booking.services.feed_cache import BodyCache, single_flight
from booking.services.feed_events import to_event
from booking.services.feeds import GRACE, hash_token

log = logging.getLogger(__name__)

WINDOW_PAST = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=365)
MAX_EVENTS = 2000
MAX_BYTES = 1_000_000
REFRESH = timedelta(hours=1)
RENDER_VERSION = 1  # bump when the rendering changes, so that validators change too
STAMP_MARGIN = timedelta(seconds=10)
_THREAD_ABOVE = 200  # render larger feeds in a worker thread, off the event loop
_MEMO_SIZE = 10_000

_bodies = BodyCache(max_bytes=32 * 1024 * 1024)
_marks: OrderedDict[tuple[Scope, datetime], tuple[datetime, Watermark]] = OrderedDict()


@dataclass
class FeedHandle:
    """What a token serves: `state` live | revoked | gone, validators, and the body on demand.
    An owner who lost access gets a live but empty calendar."""

    state: str
    etag: str = ""
    last_modified: datetime | None = None
    name: str = ""
    render: Render | None = field(default=None, repr=False)

    async def body(self) -> bytes:
        """The feed bytes (rendered on a cache miss); empty without events; b"" when gone."""
        if self.state == "gone":
            return b""
        if self.render is None:
            return empty_feed(self.name, refresh=REFRESH)
        cached = _bodies.get(self.etag)
        if cached is None:
            cached = await single_flight(self.etag, self.render.run)
            _bodies.put(self.etag, cached)
        return cached


def _etag(*parts: object) -> str:
    digest = hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()
    return f'"{digest[:40]}"'


def _viewer(opened: OpenedToken) -> Actor:
    if not opened.memberships:
        return Actor()  # inactive owner (or no memberships): sees nothing
    members = tuple(
        Membership(org, OrgKind(kind), Role(role), name)
        for org, kind, role, name in opened.memberships
    )
    return Actor(user_id=opened.token.user_id, memberships=members)


async def open_feed(token: str, now: datetime, *, site_url: str) -> FeedHandle:
    """The feed behind `token` with its validators, without rendering. NotFound for unknown
    tokens. `site_url` is the site's base URL, for links to booking pages."""
    digest = hash_token(token)
    opened = await store.open_token(digest)
    if opened is None or not hmac.compare_digest(opened.token.token_hash, digest):
        raise NotFound("no such feed")
    rec = opened.token
    if rec.revoked_at is not None and now >= rec.revoked_at + GRACE:
        return FeedHandle("gone")
    viewer = _viewer(opened)
    scope, name = await _scope(opened, viewer, now)
    if rec.revoked_at is not None or scope is None:
        changed = rec.revoked_at or rec.created_at
        return FeedHandle("revoked" if rec.revoked_at else "live",
                          _etag("empty", RENDER_VERSION, name), changed, name)
    day = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    start, end = day - WINDOW_PAST, day + WINDOW_AHEAD
    mark = await _watermark(scope, start, end, opened.bookings_changed_at, now)
    etag = _etag(RENDER_VERSION, rec.id, name, start, mark.bookings, mark.versions,
                 mark.last_change, sorted(opened.memberships), site_url, rec.owner_locale)
    changed = max(d for d in (mark.last_change, day, rec.created_at) if d is not None)
    render = Render(name, scope, start, end, day, viewer, rec.owner_locale, site_url)
    return FeedHandle("live", etag, changed, name, render)


async def _watermark(
    scope: Scope, start: datetime, end: datetime, stamp: datetime | None, now: datetime
) -> Watermark:
    key = (scope, start)
    memo = _marks.get(key)
    if memo is not None and stamp is not None and memo[0] == stamp:
        _marks.move_to_end(key)
        return memo[1]
    mark = await store.watermark(scope, start, end)
    if stamp is not None and now - stamp > STAMP_MARGIN:
        _marks[key] = (stamp, mark)
        _marks.move_to_end(key)
        while len(_marks) > _MEMO_SIZE:
            _marks.popitem(last=False)
    return mark


async def _scope(
    opened: OpenedToken, viewer: Actor, now: datetime
) -> tuple[Scope | None, str]:
    """What the token covers now, and the calendar's name; no scope when the owner lost access
    (left the organisation, the resource became invisible to them, account disabled)."""
    rec = opened.token
    if rec.scope == "resource":
        found = await store.scope_resource(rec.resource_id or "")
        if found is None:
            return None, "labshare"
        row, related = found
        name = f"labshare - {row['name']}"
        resource = Resource(id=str(row["id"]), school_id=str(row["school"]),
                            site_id=str(row["site"]), kind=ResourceKind(row["kind"]),
                            name=row["name"], visibility=Visibility(row["visibility"]))
        if resource.visibility is Visibility.PARTNERS and viewer.company_ids:
            pairs = await store.partner_schools(sorted(viewer.company_ids),
                                                partnership_day(now))
            viewer = Actor(viewer.user_id, viewer.memberships, partnerships=pairs)
        if viewer.is_anonymous or not can_see_resource(viewer, resource):
            return None, name
        return Scope(resource_ids=related), name
    org_id = rec.organisation_id or ""
    names = {m.organisation_id: m.organisation_name for m in viewer.memberships}
    if org_id not in names:
        found_org = await store.organisation_name(org_id)
        names[org_id] = found_org[1] if found_org else ""
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
