"""Members of organisations and e-mailed invitations (one-time links, 7 days).

Each organisation's managers (and the platform admin) invite, change roles and remove members
of their own organisation only; the last manager cannot leave it without one; nobody changes
their own role. Tokens are 256-bit, stored as SHA-256, single use, compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.db import members_store as store
from booking.db import organisations_store as orgs
from booking.db.engine import transaction
from booking.db.rows import Row
from booking.domain import organisations as rules
from booking.domain.errors import Gone, NotAllowed, NotFound
from booking.domain.passwords import check_new_password
from booking.domain.roles import Actor, OrgKind
from booking.services import accounts, audit
from booking.services.onboarding_mail import role_words, send_link_mail

INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class MemberView:
    user_id: str
    email: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class InvitationView:
    id: str
    organisation_id: str
    organisation_name: str
    organisation_kind: str
    email: str
    role: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Accepted:
    user_id: str
    organisation_id: str
    role: str
    new_account: bool


def new_link_token() -> tuple[str, str]:
    """A fresh link token (256 bits, URL-safe) and the digest the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, accounts.digest(token)


def matches(row: Row, token: str) -> bool:
    """Constant-time check that `row` was found for `token` (the lookup is by digest)."""
    return hmac.compare_digest(str(row["token_hash"]), accounts.digest(token))


async def _organisation(actor: Actor, org_id: str) -> tuple[Row, OrgKind]:
    """The organisation when the actor may see it (NotFound otherwise) and its kind."""
    row = await orgs.get_organisation(org_id)
    if row is None or not rules.can_see_organisation(actor, row["id"], row["region"]):
        raise NotFound("no such organisation")
    return row, OrgKind(row["kind"])


async def _managed(actor: Actor, org_id: str) -> tuple[Row, OrgKind]:
    row, kind = await _organisation(actor, org_id)
    if not rules.can_manage_members(actor, row["id"], kind):
        raise NotAllowed("only the organisation's managers manage its members")
    return row, kind


def _member(row: Row) -> MemberView:
    return MemberView(row["user_id"], row["email"], row["name"], row["role"])


async def list_members(actor: Actor, org_id: str) -> list[MemberView]:
    """The members of an organisation the actor belongs to or manages."""
    await _organisation(actor, org_id)
    return [_member(r) for r in await store.members(org_id)]


async def _target(org_id: str, user_id: str) -> list[str]:
    roles = await store.member_roles(org_id, user_id)
    if not roles:
        raise NotFound("no such member")
    return roles


async def _keep_a_manager(
    org_id: str, kind: OrgKind, roles: list[str], new_role: str | None
) -> None:
    """RuleViolation when the change would leave the organisation without a manager."""
    manager = rules.MANAGER_ROLE[kind].value
    if manager in roles and new_role != manager and await store.count_role(org_id, manager) <= 1:
        raise rules.invalid("role", "last_manager",
                            "the organisation needs another manager first")


async def _audit(actor: Actor | None, action: str, object_type: str, object_id: str,
                 summary: str, org_id: str, now: datetime) -> None:
    """The audit entry of a membership or invitation change, in the change's transaction."""
    await audit.record(
        action=action, object_type=object_type, object_id=object_id, summary=summary,
        at=now, actor_id=actor.user_id if actor else None,
        organisation_ids=(org_id,),
    )


async def change_role(
    actor: Actor, org_id: str, user_id: str, role: str, now: datetime
) -> MemberView:
    """The member's role in the organisation becomes `role`. Nobody changes their own role
    (NotAllowed): another manager or the admin does."""
    _, kind = await _managed(actor, org_id)
    new_role = rules.check_role(kind, role)
    if user_id == actor.user_id and not actor.is_admin:
        raise NotAllowed("you cannot change your own role")
    async with transaction(write=True):
        roles = await _target(org_id, user_id)
        await _keep_a_manager(org_id, kind, roles, new_role.value)
        await store.set_role(org_id, user_id, new_role.value)
        await _audit(actor, "membership.role_changed", "membership", user_id,
                     f"role changed to {new_role.value}", org_id, now)
    found = [m for m in await list_members(actor, org_id) if m.user_id == user_id]
    return found[0]


async def remove_member(actor: Actor, org_id: str, user_id: str, now: datetime) -> None:
    """Removes every role of the user in the organisation; the last manager stays."""
    _, kind = await _managed(actor, org_id)
    async with transaction(write=True):
        roles = await _target(org_id, user_id)
        await _keep_a_manager(org_id, kind, roles, None)
        await store.remove_member(org_id, user_id)
        await _audit(actor, "membership.removed", "membership", user_id,
                     f"member removed (was {', '.join(sorted(roles))})", org_id, now)


def _invitation(row: Row) -> InvitationView:
    return InvitationView(
        id=row["id"], organisation_id=row["organisation"],
        organisation_name=row["organisation_name"], organisation_kind=row["organisation_kind"],
        email=row["email"], role=row["role"], expires_at=row["expires_at"],
    )


async def invite(
    actor: Actor, org_id: str, email: str, role: str, now: datetime, *, locale: str = "nl",
    inviter_name: str = "",
) -> InvitationView:
    """An invitation to `email` as `role`, mailed in `locale` (in the same transaction) with
    its one-time link `<base_url>/invitations/<token>`, valid 7 days."""
    org, kind = await _managed(actor, org_id)
    checked = rules.check_role(kind, role)
    address = accounts.normalise_email(email)
    if "@" not in address:
        raise rules.invalid("email", "email", "not an e-mail address")
    token, digest = new_link_token()
    async with transaction(write=True):
        inv_id = await store.insert_invitation(
            org_id=org_id, email=address, role=checked.value, token_hash=digest,
            invited_by=actor.user_id, now=now, expires_at=now + INVITATION_LIFETIME,
        )
        await send_link_mail(
            "invitation", to=address, to_name="", locale=locale,
            link=f"/invitations/{token}", now=now,
            params={"organisation": org["name"], "inviter": inviter_name,
                    **role_words(checked.value)},
        )
        await _audit(actor, "invitation.created", "invitation", inv_id,
                     f"invitation sent for the role {checked.value}", org_id, now)
    found = await store.get_invitation(inv_id)
    assert found is not None
    return _invitation(found)


async def open_invitations(actor: Actor, org_id: str, now: datetime) -> list[InvitationView]:
    await _managed(actor, org_id)
    return [_invitation(r) for r in await store.open_invitations(org_id, now)]


async def revoke_invitation(actor: Actor, org_id: str, invitation_id: str, now: datetime) -> None:
    await _managed(actor, org_id)
    async with transaction(write=True):
        row = await store.get_invitation(invitation_id)
        if row is None or row["organisation"] != org_id:
            raise NotFound("no such invitation")
        await store.delete_invitation(invitation_id)
        await _audit(actor, "invitation.revoked", "invitation", invitation_id,
                     f"invitation for the role {row['role']} withdrawn", org_id, now)


async def _usable(token: str, now: datetime) -> Row:
    """The invitation behind a link token: NotFound for an unknown one, Gone (in words) for a
    used or expired one."""
    row = await store.find_invitation(accounts.digest(token)) if len(token) < 200 else None
    if row is None or not matches(row, token):
        raise NotFound("no such invitation")
    if row["accepted_at"] is not None:
        raise Gone("this invitation has already been used")
    if row["expires_at"] <= now:
        raise Gone("this invitation has expired; ask for a new one")
    return row


async def read_invitation(token: str, now: datetime) -> InvitationView:
    """What an invitation link offers (for the page behind it)."""
    return _invitation(await _usable(token, now))


async def accept_invitation(
    actor: Actor, token: str, now: datetime, *, name: str = "", password: str = "",
    locale: str = "nl",
) -> Accepted:
    """Signed in: the membership is added to the caller's account. Otherwise a new account
    for the invited address with `name` and `password` (RuleViolation when missing, or when
    the address already has an account: sign in first). Single use (Gone the second time)."""
    async with transaction(write=True):
        row = await _usable(token, now)
        role = row["role"]
        if actor.user_id is not None:
            user_id, created = actor.user_id, False
        else:
            if await store.user_by_email(row["email"]) is not None:
                raise rules.invalid("email", "account_exists",
                                    "this address has an account: sign in first")
            if not name.strip():
                raise rules.invalid("name", "required", "a name is required")
            check_new_password(password)
            user_id = await accounts.create_user(
                email=row["email"], name=name.strip(), password=password, now=now,
                locale=locale,
            )
            created = True
        if not await store.use_invitation(row["id"], user_id, now):
            raise Gone("this invitation has already been used")
        await store.add_member(row["organisation"], user_id, role)
        await audit.record(
            action="membership.added", object_type="membership", object_id=user_id,
            summary=f"joined as {role} by invitation" + (" (new account)" if created else ""),
            at=now, actor_id=user_id, organisation_ids=(row["organisation"],),
        )
    return Accepted(user_id, row["organisation"], role, created)
