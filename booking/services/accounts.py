"""Accounts: users and memberships, argon2 passwords, cookie sessions, API tokens, login limits.

Everything lives in the database so that several worker processes share it: sessions in
`web_sessions`, failed logins in `login_attempts`. Cookie values and tokens are 256-bit random
strings; only their SHA-256 is stored, and a token is shown once, when it is created.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from booking.db import accounts_store as store
from booking.db import privacy_store
from booking.db.actor_store import memberships as load_memberships
from booking.db.engine import transaction
from booking.db.rows import Row
from booking.domain.errors import BookingError, NotFound, RuleViolation
from booking.domain.errors import Reason as _Reason
from booking.domain.roles import Membership, OrgKind, Role
from booking.services import audit

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("labshare: a password no one has")

ROLE_KINDS: dict[Role, OrgKind] = {
    Role.BOOKER: OrgKind.COMPANY,
    Role.FACILITY_MANAGER: OrgKind.SCHOOL,
    Role.STAFF: OrgKind.SCHOOL,
    Role.COORDINATOR: OrgKind.REGION,
    Role.ADMIN: OrgKind.PLATFORM,
    Role.COMPANY_ADMIN: OrgKind.COMPANY,
}
"""The kind of organisation in which each role can be held."""


class AuthenticationFailed(BookingError):
    """Unknown e-mail address, wrong password or inactive account (maps to 401)."""


class TooManyAttempts(BookingError):
    """Too many failed logins for the account from this address, or from this address at all
    (maps to 429 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(f"too many failed logins; try again in {self.retry_after} seconds")


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Throttling that a stranger cannot turn against an account's owner.

    Failures are counted per (account, address) pair and per address within `window`. After
    `per_account` failures of one pair, that pair waits `first_delay`, doubling with every
    further failure up to `max_delay`; after `per_client` failures from one address (any
    accounts), that address waits the same way. There is no lock of the account itself: the
    owner signing in from another address is never slowed by a stranger's failures."""

    window: timedelta = timedelta(minutes=15)
    per_account: int = 5
    per_client: int = 30
    first_delay: timedelta = timedelta(seconds=15)
    max_delay: timedelta = timedelta(minutes=15)

    def delay(self, failures: int, allowed: int) -> timedelta:
        """The wait after the latest of `failures` when `allowed` come free (zero below)."""
        if failures < allowed:
            return timedelta(0)
        doubled: timedelta = self.first_delay * (1 << min(failures - allowed, 20))
        return min(doubled, self.max_delay)


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str
    email: str
    name: str
    locale: str
    memberships: tuple[Membership, ...]


@dataclass(frozen=True, slots=True)
class NewSession:
    cookie_value: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionInfo:
    user_id: str
    csrf_token: str


@dataclass(frozen=True, slots=True)
class TokenView:
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


def digest(secret: str) -> str:
    """SHA-256 hex of a cookie value or token: what the database stores."""
    return hashlib.sha256(secret.encode()).hexdigest()


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (tests use cheap ones); existing hashes keep verifying."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("labshare: a password no one has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    *,
    email: str,
    name: str,
    password: str,
    now: datetime,
    locale: str = "nl",
    memberships: Sequence[tuple[str, Role]] = (),
) -> str:
    """A new active user with the given `(organisation_id, role)` memberships; returns its id.

    Raises RuleViolation for a taken e-mail address or a role the organisation cannot hold,
    NotFound for an unknown organisation."""
    email = normalise_email(email)
    if await store.find_login(email) is not None:
        raise RuleViolation([_Reason("email_taken", "this e-mail address has an account")], "email")
    for organisation_id, role in memberships:
        await _check_role(organisation_id, role)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    user_id = await store.insert_user(
        email=email, name=name, password_hash=password_hash, locale=locale, now=now
    )
    for organisation_id, role in memberships:
        await store.insert_membership(user_id, organisation_id, role.value)
    return user_id


async def _check_role(organisation_id: str, role: Role) -> None:
    kind = await store.organisation_kind(organisation_id)
    if kind is None:
        raise NotFound(f"no organisation {organisation_id}")
    if kind != ROLE_KINDS[role].value:
        message = f"a {role.value} belongs to a {ROLE_KINDS[role].value}, not a {kind}"
        raise RuleViolation([_Reason("role_kind", message)], "role")


async def get_user_info(user_id: str) -> UserInfo | None:
    """The user with memberships (organisation names and kinds), None when unknown or inactive."""
    row = await store.get_user(user_id)
    if row is None or not row["is_active"]:
        return None
    return UserInfo(
        id=str(row["id"]),
        email=row["email"],
        name=row["name"],
        locale=row["locale"],
        memberships=tuple(await load_memberships(user_id)),
    )


async def authenticate(
    email: str, password: str, client: str, now: datetime, limits: LoginLimits = LoginLimits()
) -> str:
    """The user id for these credentials.

    Raises TooManyAttempts while this account from `client`, or `client` at all, must still wait
    (`LoginLimits`; checked before the password, so guessing stops), AuthenticationFailed
    otherwise. A success clears the failures of this account from this address only."""
    email = normalise_email(email)[:254]
    client = client[:64]
    since = now - limits.window
    await check_throttle(email, client, now, limits)
    row = await store.find_login(email)
    ok = await asyncio.to_thread(_verify, row["password_hash"] if row else None, password)
    if row is None or not ok or not row["is_active"]:
        await store.insert_failure(email, client, now)
        if secrets.randbelow(50) == 0:
            await store.purge_failures(since)
        raise AuthenticationFailed("wrong e-mail address or password")
    await store.clear_failures(email, client)
    if _hasher.check_needs_rehash(row["password_hash"]):
        rehashed = await asyncio.to_thread(_hasher.hash, password)
        await store.set_password_hash(str(row["id"]), rehashed)
    return str(row["id"])


def _verify(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def start_session(user_id: str, now: datetime, lifetime: timedelta) -> NewSession:
    """A new cookie session; the cookie value is returned once, only its hash is stored."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    await store.insert_session(
        session_hash=digest(value), user_id=user_id, csrf_token=csrf, now=now, expires_at=expires_at
    )
    await touch_seen(user_id, None, now)
    if secrets.randbelow(100) == 0:
        await store.delete_expired_sessions(now)
    return NewSession(value, csrf, expires_at)


async def session_user(cookie_value: str, now: datetime) -> SessionInfo | None:
    """The live session for a cookie value, None when unknown, expired or its user inactive."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    row = await store.find_session(digest(cookie_value), now)
    if row is None:
        return None
    await touch_seen(str(row["user_id"]), row["last_seen_at"], now)
    return SessionInfo(str(row["user_id"]), row["csrf_token"])


async def end_session(cookie_value: str) -> None:
    await store.delete_session(digest(cookie_value))


def _token_view(row: Row) -> TokenView:
    return TokenView(str(row["id"]), row["name"], row["created_at"], row["last_used_at"])


async def create_token(user_id: str, name: str, now: datetime) -> tuple[TokenView, str]:
    """A new API token: its view and the secret (shown once; only the hash is stored)."""
    secret = "lsk_" + secrets.token_urlsafe(32)
    async with transaction():
        token_id = await store.insert_token(
            user_id=user_id, name=name, token_hash=digest(secret), now=now
        )
        await _audit_token("token.created", user_id, token_id, name, now)
    row = await store.get_token(user_id, token_id)
    assert row is not None
    return _token_view(row), secret


async def list_tokens(user_id: str) -> list[TokenView]:
    return [_token_view(r) for r in await store.list_tokens(user_id)]


async def delete_token(user_id: str, token_id: str, now: datetime | None = None) -> None:
    """Raises NotFound unless the token exists and belongs to the user."""
    async with transaction():
        row = await store.get_token(user_id, token_id)
        if row is None or not await store.delete_token(user_id, token_id):
            raise NotFound("no such token")
        await _audit_token("token.deleted", user_id, token_id, row["name"], now or _utcnow())


async def _audit_token(action: str, user_id: str, token_id: str, name: str, now: datetime) -> None:
    """The audit entry of a token event, shown to each of the owner's organisations."""
    await audit.record(
        action=action, object_type="token", object_id=token_id,
        summary=f"API token \"{name}\"", at=now, actor_id=user_id,
        organisation_ids=[m.organisation_id for m in await load_memberships(user_id)],
    )


def _utcnow() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


async def token_user(secret: str, now: datetime) -> str | None:
    """The user id of a bearer token, None when unknown; `last_used_at` is kept to ~5 minutes."""
    if not secret or len(secret) > 200:
        return None
    row = await store.find_token(digest(secret))
    if row is None:
        return None
    last = row["last_used_at"]
    if last is None or now - last > TOKEN_TOUCH_INTERVAL:
        await store.touch_token(str(row["id"]), now)
    await touch_seen(str(row["user_id"]), row["last_seen_at"], now)
    return str(row["user_id"])


async def count_attempt(
    action: str, email: str, client: str, now: datetime, limits: LoginLimits = LoginLimits()
) -> None:
    """Throttle another unauthenticated action (e.g. "signup") like login: records this
    attempt for the address and the client, and raises TooManyAttempts when either already made
    `per_account` / `per_client` attempts within the window. Kept apart from login failures
    by a prefix, so signing up never locks anybody out of signing in."""
    email = f"{action}:{normalise_email(email)}"[:254]
    client = f"{action}:{client}"[:64]
    await check_throttle(email, client, now, limits)
    await store.insert_failure(email, client, now)


async def check_throttle(email: str, client: str, now: datetime, limits: LoginLimits) -> None:
    """The throttle's one home: TooManyAttempts while `email` from `client`, or `client` at
    all, must still wait after its recorded failures (`LoginLimits.delay` after the latest)."""
    since = now - limits.window
    for counted, allowed in (
        (await store.pair_failures_since(email, client, since), limits.per_account),
        (await store.client_failures_since(client, since), limits.per_client),
    ):
        count, latest = counted
        wait = limits.delay(count, allowed)
        if latest is not None and latest + wait > now:
            raise TooManyAttempts(math.ceil((latest + wait - now).total_seconds()))


SEEN_TOUCH_INTERVAL = timedelta(days=1)
"""`users.last_seen_at` is written at most this often per person (the retention job's input)."""


async def touch_seen(user_id: str, last_seen_at: datetime | None, now: datetime) -> None:
    """Record that the user was seen at `now`, at most once per SEEN_TOUCH_INTERVAL: callers
    pass the `last_seen_at` they read already (None: unknown, the UPDATE decides)."""
    if last_seen_at is not None and now - last_seen_at < SEEN_TOUCH_INTERVAL:
        return
    await privacy_store.touch_seen(user_id, now, now - SEEN_TOUCH_INTERVAL)


@dataclass(frozen=True, slots=True)
class ResetLimits:
    """At most `per_account` password-reset requests per address and `per_client` per client
    address in `window` (addresses without an account count alike: no enumeration)."""

    window: timedelta = timedelta(hours=1)
    per_account: int = 5
    per_client: int = 20


async def check_reset_throttle(
    email_hash: str, client: str, now: datetime, limits: ResetLimits = ResetLimits()
) -> None:
    """Raises TooManyAttempts when the address or the client asked too often within the window
    (the login throttle's sibling: same error, same 429 with Retry-After)."""
    for column, value, limit in (
        ("email_hash", email_hash, limits.per_account),
        ("client", client[:64], limits.per_client),
    ):
        count, oldest = await privacy_store.resets_since(column, value, now - limits.window)
        if count >= limit:
            wait = (oldest + limits.window - now).total_seconds() if oldest else 60
            raise TooManyAttempts(math.ceil(wait))
