"""Personal data (AVG/GDPR): the export of everything held on a person, anonymisation on request
and after a period of inactivity (docs/privacy.md says what, why and how long)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import arrow

from booking.db import feeds_store, privacy_store
from booking.db.actor_store import memberships as load_memberships
from booking.db.engine import transaction
from booking.domain.errors import NotFound
from booking.services import accounts, audit

RETENTION_BATCH = 200


def _at(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _template(payload: str) -> str:
    """Which mail it was (its context may hold links with live tokens: never exported)."""
    try:
        return str(json.loads(payload).get("template", ""))
    except (ValueError, AttributeError):
        return ""


async def export(user_id: str) -> dict[str, Any]:
    """Everything held on the person, as JSON-ready values: account, memberships, sessions and
    API tokens (metadata only, never secrets), calendar feeds (without their URLs), bookings
    they created, password-reset requests, mails sent to them (which, not their links),
    webhooks they set up, inductions they recorded, audit entries by or about them, their
    notification choices. Raises NotFound for an unknown user."""
    row = await privacy_store.account(user_id)
    if row is None:
        raise NotFound("no such user")
    members = await load_memberships(user_id)
    tokens = await accounts.list_tokens(user_id)
    feeds = await feeds_store.tokens_of(user_id)
    return {
        "account": {
            "id": str(row["id"]), "email": row["email"], "name": row["name"],
            "locale": row["locale"], "active": bool(row["is_active"]),
            "created_at": _at(row["created_at"]), "last_seen_at": _at(row["last_seen_at"]),
            "notifications": {"reminders": bool(row["reminders"]), "digest": bool(row["digest"])},
        },
        "memberships": [
            {"organisation_id": m.organisation_id, "organisation_name": m.organisation_name,
             "kind": m.organisation_kind.value, "role": m.role.value}
            for m in members
        ],
        "sessions": [
            {"created_at": _at(s["created_at"]), "expires_at": _at(s["expires_at"])}
            for s in await privacy_store.sessions(user_id)
        ],
        "tokens": [
            {"id": t.id, "name": t.name, "created_at": _at(t.created_at),
             "last_used_at": _at(t.last_used_at)}
            for t in tokens
        ],
        "feeds": [
            {"id": f.id, "scope": f.scope, "organisation_id": f.organisation_id,
             "resource_id": f.resource_id, "created_at": _at(f.created_at),
             "revoked_at": _at(f.revoked_at)}
            for f in feeds
        ],
        "bookings": [
            {"id": str(b["id"]), "organisation_id": str(b["organisation"]), "title": b["title"],
             "status": b["status"], "start": _at(b["starts_at"]), "end": _at(b["ends_at"]),
             "participants": {"students": b["students"], "employees": b["employees"]},
             "created_at": _at(b["created_at"])}
            for b in await privacy_store.bookings_created(user_id)
        ],
        "password_resets": [
            {"created_at": _at(r["created_at"]), "expires_at": _at(r["expires_at"]),
             "used_at": _at(r["used_at"])}
            for r in await privacy_store.reset_requests(user_id)
        ],
        "mails": [
            {"template": _template(m["payload"]), "status": m["status"],
             "created_at": _at(m["created_at"]), "sent_at": _at(m["sent_at"])}
            for m in await privacy_store.mails_to(row["email"])
        ],
        "webhooks_created": [
            {"id": str(w["id"]), "organisation_id": str(w["organisation"]), "url": w["url"],
             "created_at": _at(w["created_at"])}
            for w in await privacy_store.webhooks_created(user_id)
        ],
        "inductions_recorded": [
            {"id": str(i["id"]), "organisation_id": str(i["organisation"]),
             "resource_id": str(i["resource"]), "completed_at": _at(i["completed_at"])}
            for i in await privacy_store.inductions_recorded(user_id)
        ],
        "audit": [
            {"at": _at(e.at), "actor_id": e.actor_id, "action": e.action,
             "object_type": e.object_type, "object_id": e.object_id, "summary": e.summary}
            for e in await audit.entries_about(user_id)
        ],
    }


async def anonymise(user_id: str, now: datetime, *, actor_id: str | None, reason: str) -> bool:
    """Anonymise the person: name and e-mail replaced, password unusable, account inactive,
    memberships, sessions, API tokens, reset links and calendar feeds ended (feeds as on
    revocation: empty, then 410). Their organisations keep every booking, without the name.
    False when already anonymised. `reason` ("request", "inactive") goes into the audit entry."""
    async with transaction():
        organisations = [m.organisation_id for m in await load_memberships(user_id)]
        for feed in await feeds_store.tokens_of(user_id):
            await feeds_store.revoke_token(feed.id, now)
        await privacy_store.end_access(user_id)
        await privacy_store.retire_resets(user_id, now)
        if not await privacy_store.anonymise_user(user_id, now):
            return False
        await audit.record(
            action="user.anonymised", object_type="user", object_id=user_id,
            summary=f"person anonymised ({reason})", at=now, actor_id=actor_id,
            organisation_ids=organisations,
        )
    return True


async def anonymise_inactive(now: datetime, months: int, *, batch: int = RETENTION_BATCH) -> int:
    """The retention job: anonymise people not seen for `months` (never-seen people count from
    their account's creation), at most `batch` per run; returns how many."""
    cutoff = arrow.get(now).shift(months=-months).datetime
    done = 0
    for user_id in await privacy_store.inactive_users(cutoff, batch):
        if await anonymise(user_id, now, actor_id=None, reason="inactive"):
            done += 1
    return done
