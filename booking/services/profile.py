"""A person's own account: name, language, password (current one required), sign out everywhere.

`update_profile` is the account part of `PATCH /api/v1/me`; notification preferences (issue 11)
are handled beside it by their own function, and the handler calls both.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from booking.db import accounts_store, privacy_store
from booking.db.actor_store import memberships as load_memberships
from booking.db.engine import transaction
from booking.domain.errors import NotFound, Reason, RuleViolation
from booking.domain.passwords import check_new_password
from booking.i18n import LOCALES
from booking.services import accounts, audit
from booking.services.accounts import AuthenticationFailed


def _invalid(field: str, code: str, message: str) -> RuleViolation:
    return RuleViolation([Reason(code, message)], field)


async def _organisations(user_id: str) -> list[str]:
    return [m.organisation_id for m in await load_memberships(user_id)]


async def update_profile(
    user_id: str, *, now: datetime, client: str, name: str | None = None,
    locale: str | None = None, password: str | None = None,
    current_password: str | None = None, keep_session_hash: str | None = None,
) -> None:
    """Change the fields given. A new `password` needs `current_password`, checked through the
    login throttle (so a stolen session cannot guess it faster than a login could); it ends
    every other cookie session (`keep_session_hash`: the caller's own), API tokens stay.

    RuleViolation names the field: name (1–200 characters), locale (nl|en), password (8–1024
    characters), current_password (missing or wrong). TooManyAttempts after too many wrong
    current passwords."""
    if name is not None:
        name = " ".join(name.split())
        if not 1 <= len(name) <= 200:
            raise _invalid("name", "name_length", "a name has 1 to 200 characters")
    if locale is not None and locale not in LOCALES:
        raise _invalid("locale", "locale", f"the language is one of {', '.join(LOCALES)}")
    new_hash = None
    if password is not None:
        check_new_password(password)
        if not current_password:
            raise _invalid("current_password", "current_password_required",
                           "changing the password needs the current password")
        user = await accounts_store.get_user(user_id)
        if user is None:
            raise NotFound("no such user")
        try:
            await accounts.authenticate(user["email"], current_password, client, now)
        except AuthenticationFailed:
            raise _invalid("current_password", "current_password_wrong",
                           "the current password is not right") from None
        new_hash = await asyncio.to_thread(accounts.hash_password, password)
    async with transaction():
        if name is not None or locale is not None:
            await privacy_store.update_profile(user_id, name=name, locale=locale)
        if new_hash is not None:
            await accounts_store.set_password_hash(user_id, new_hash)
            await privacy_store.end_other_sessions(user_id, keep_session_hash or "")
            await privacy_store.retire_resets(user_id, now)
            await audit.record(
                action="user.password_changed", object_type="user", object_id=user_id,
                summary="password changed; other sessions ended", at=now, actor_id=user_id,
                organisation_ids=await _organisations(user_id),
            )


async def sign_out_everywhere(user_id: str, now: datetime) -> tuple[int, int]:
    """End every cookie session and API token of the person (this one too): (sessions, tokens)."""
    async with transaction():
        sessions, tokens = await privacy_store.end_access(user_id)
        await audit.record(
            action="user.signed_out_everywhere", object_type="user", object_id=user_id,
            summary=f"{sessions} session(s) and {tokens} API token(s) ended", at=now,
            actor_id=user_id, organisation_ids=await _organisations(user_id),
        )
    return sessions, tokens
