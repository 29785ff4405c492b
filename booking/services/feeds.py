"""Calendar feeds (DESIGN §6): secret-URL tokens — create, list, revoke, rotate.

Tokens carry 256 bits from `secrets`; only their SHA-256 is stored and looked up, and the
fetched hash is compared with `hmac.compare_digest` (`feed_serving.open_feed`). Logs show
tokens masked (`abcd…`). A revoked token serves an empty calendar for `GRACE` (clients then
delete the events), then is gone (410).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.db import feeds_store as store
from booking.db.catalogue_store import get_resource
from booking.db.engine import transaction
from booking.db.feeds_store import FeedTokenRecord
from booking.db.schools_store import get_school
from booking.domain import permissions
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.permissions import can_see_resource
from booking.domain.roles import Actor, Role
from booking.services.actors import load_actor
from booking.services.calendars import valid_id

log = logging.getLogger(__name__)

SCOPES = ("me", "resource", "school")
GRACE = timedelta(days=7)
_MEMBER_ROLES = (Role.BOOKER, Role.STAFF, Role.FACILITY_MANAGER)


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
        if permissions.can_see_school_schedule(actor, school_id):
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
