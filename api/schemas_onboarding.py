"""Request and response bodies of organisations, members, invitations, sign-up, partnerships."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.schemas import NewPassword, UUIDStr
from api.schemas_photos import ContactIO
from booking.services.members import InvitationView, MemberView
from booking.services.organisations import OrganisationView, PartnershipView

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["ann@acme.test"])]
Password = NewPassword
OrgKindName = Literal["school", "company", "region"]
Level = Literal["MBO", "HBO"]
RoleName = Annotated[str, msgspec.Meta(max_length=32, examples=["booker", "facility_manager"])]
Short = Annotated[str, msgspec.Meta(max_length=20)]
Text100 = Annotated[str, msgspec.Meta(max_length=100)]
Locale = Literal["nl", "en"]


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: OrgKindName
    name: Name
    brin: Short | None = None
    level: Level | None = None
    kvk: Short | None = None
    region_id: UUIDStr | None = None
    city: Text100 = ""
    is_sme: bool = False


class OrganisationPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Name and city (the organisation's managers); identifiers and region (admin only)."""

    name: Name | UnsetType = UNSET
    city: Text100 | UnsetType = UNSET
    brin: Short | UnsetType = UNSET
    level: Level | UnsetType = UNSET
    kvk: Short | UnsetType = UNSET
    region_id: UUIDStr | UnsetType | None = UNSET
    is_sme: bool | UnsetType = UNSET
    contact: ContactIO | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {f: v for f in self.__struct_fields__
                if f != "contact" and not isinstance(v := getattr(self, f), UnsetType)}


class OrganisationOut(msgspec.Struct):
    id: str
    kind: str
    name: str
    brin: str | None
    level: str | None
    kvk: str | None
    region_id: str | None
    city: str
    is_sme: bool
    created_at: datetime
    contact: ContactIO | None = None


class OrganisationList(msgspec.Struct):
    items: list[OrganisationOut]
    next_cursor: str | None = None


class SiteIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""
    postcode: Short = ""
    city: Text100 = ""
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "Europe/Amsterdam"


class SitePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    address: Annotated[str, msgspec.Meta(max_length=300)] | UnsetType = UNSET
    postcode: Short | UnsetType = UNSET
    city: Text100 | UnsetType = UNSET
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {f: v for f in self.__struct_fields__
                if not isinstance(v := getattr(self, f), UnsetType)}


class MemberPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the role changes (organisation, user and e-mail never do here)."""

    role: RoleName


class MemberOut(msgspec.Struct):
    user_id: str
    email: str
    name: str
    role: str


class MemberList(msgspec.Struct):
    items: list[MemberOut]
    next_cursor: str | None = None


class InvitationIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    role: RoleName
    locale: Locale = "nl"


class InvitationOut(msgspec.Struct):
    id: str
    organisation_id: str
    organisation_name: str
    organisation_kind: str
    email: str
    role: str
    expires_at: datetime


class InvitationList(msgspec.Struct):
    items: list[InvitationOut]
    next_cursor: str | None = None


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    """`name` and `password` for a new account; nothing when signed in."""

    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    locale: Locale = "nl"


class AcceptedOut(msgspec.Struct):
    user_id: str
    organisation_id: str
    role: str
    new_account: bool


class SignupIn(msgspec.Struct, forbid_unknown_fields=True):
    company_name: Name
    kvk: Annotated[str, msgspec.Meta(max_length=20, examples=["12345672"])]
    name: Name
    email: Email
    password: Password
    locale: Locale = "nl"


class SignupAccepted(msgspec.Struct):
    detail: str


class SignupOut(msgspec.Struct):
    company_name: str
    kvk: str
    name: str
    email: str


class ConfirmedOut(msgspec.Struct):
    organisation_id: str
    user_id: str


class PartnershipIn(msgspec.Struct, forbid_unknown_fields=True):
    """The company by `company_id` or by `company_kvk`; dates inclusive, open when absent."""

    school_id: UUIDStr
    company_id: UUIDStr | None = None
    company_kvk: Short | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class PartnershipPatch(msgspec.Struct, forbid_unknown_fields=True):
    valid_from: date | None = None
    valid_to: date | None = None


class PartnershipOut(msgspec.Struct):
    id: str
    school_id: str
    school_name: str
    company_id: str
    company_name: str
    valid_from: date | None
    valid_to: date | None
    active: bool


class PartnershipList(msgspec.Struct):
    items: list[PartnershipOut]
    next_cursor: str | None = None


def organisation_out(v: OrganisationView) -> OrganisationOut:
    return OrganisationOut(v.id, v.kind, v.name, v.brin, v.level, v.kvk, v.region_id, v.city,
                           v.is_sme, v.created_at)


def member_out(v: MemberView) -> MemberOut:
    return MemberOut(v.user_id, v.email, v.name, v.role)


def invitation_out(v: InvitationView) -> InvitationOut:
    return InvitationOut(v.id, v.organisation_id, v.organisation_name, v.organisation_kind,
                         v.email, v.role, v.expires_at)


def partnership_out(v: PartnershipView) -> PartnershipOut:
    return PartnershipOut(v.id, v.school_id, v.school_name, v.company_id, v.company_name,
                          v.valid_from, v.valid_to, v.active)
