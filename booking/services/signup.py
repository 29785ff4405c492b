"""Company self-sign-up: a request and a mailed link; the company and its first person (its
`company_admin`) exist only once the link is confirmed. Throttled like login."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.db import accounts_store
from booking.db import members_store as store
from booking.db import organisations_store as orgs
from booking.db.engine import transaction
from booking.domain import organisations as rules
from booking.domain.errors import Gone, NotFound
from booking.domain.passwords import check_new_password
from booking.domain.roles import OrgKind, Role
from booking.services import accounts
from booking.services.members import matches, new_link_token
from booking.services.onboarding_mail import send_link_mail

SIGNUP_LIFETIME = timedelta(days=2)
DEFAULT_LIMITS = accounts.LoginLimits()


@dataclass(frozen=True, slots=True)
class SignupInput:
    company_name: str
    kvk: str
    name: str
    email: str
    password: str
    locale: str = "nl"


@dataclass(frozen=True, slots=True)
class SignupView:
    company_name: str
    kvk: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Confirmed:
    organisation_id: str
    user_id: str


async def request_signup(
    data: SignupInput, client: str, now: datetime, *,
    limits: accounts.LoginLimits = DEFAULT_LIMITS,
) -> None:
    """Check the KvK number (RuleViolation: the one refusal a caller sees), throttle
    (TooManyAttempts), then store the request and mail its link `<base_url>/signup/<token>`.
    An address that already has an account gets no link and no different answer (no account
    enumeration)."""
    kvk = rules.clean_kvk(data.kvk)
    for field, value in (("company_name", data.company_name), ("name", data.name)):
        if not value.strip():
            raise rules.invalid(field, "required", "this field is required")
    email = accounts.normalise_email(data.email)
    if "@" not in email:
        raise rules.invalid("email", "email", "not an e-mail address")
    check_new_password(data.password)
    await accounts.count_attempt("signup", email, client, now, limits)
    if await store.user_by_email(email) is not None:
        return
    password_hash = await asyncio.to_thread(accounts.hash_password, data.password)
    token, digest = new_link_token()
    async with transaction(write=True):
        await store.insert_signup(
            token_hash=digest, company_name=data.company_name.strip(), kvk=kvk,
            name=data.name.strip(), email=email, password_hash=password_hash,
            locale=data.locale, now=now, expires_at=now + SIGNUP_LIFETIME,
        )
        await send_link_mail(
            "signup", to=email, to_name=data.name.strip(), locale=data.locale,
            link=f"/signup/{token}", params={"company": data.company_name.strip()}, now=now,
        )


async def _usable(token: str, now: datetime) -> dict[str, object]:
    row = await store.find_signup(accounts.digest(token)) if len(token) < 200 else None
    if row is None or not matches(row, token):
        raise NotFound("no such sign-up")
    if row["confirmed_at"] is not None:
        raise Gone("this sign-up has already been confirmed; sign in")
    if row["expires_at"] <= now:
        raise Gone("this link has expired; sign up again")
    return dict(row)


async def read_signup(token: str, now: datetime) -> SignupView:
    row = await _usable(token, now)
    return SignupView(str(row["company_name"]), str(row["kvk"]), str(row["name"]),
                      str(row["email"]))


async def confirm_signup(token: str, now: datetime) -> Confirmed:
    """Creates the company and its `company_admin` from a confirmed link (single use: Gone
    the second time). RuleViolation when the address got an account in the meantime."""
    async with transaction(write=True):
        row = await _usable(token, now)
        email = str(row["email"])
        if await store.user_by_email(email) is not None:
            raise rules.invalid("email", "email_taken", "this address has an account: sign in")
        org_id = await orgs.insert_organisation(
            kind=OrgKind.COMPANY.value, name=str(row["company_name"]), kvk=str(row["kvk"]),
            now=now,
        )
        if not await store.confirm_signup(str(row["id"]), org_id, now):
            raise Gone("this sign-up has already been confirmed; sign in")
        user_id = await accounts_store.insert_user(
            email=email, name=str(row["name"]), password_hash=str(row["password_hash"]),
            locale=str(row["locale"]), now=now,
        )
        await store.add_member(org_id, user_id, Role.COMPANY_ADMIN.value)
    return Confirmed(org_id, user_id)
