"""Who may see, book, approve, cancel and report (DESIGN §1)."""

from __future__ import annotations

import pytest

from booking.domain.permissions import (
    can_approve,
    can_book,
    can_cancel,
    can_manage_school,
    can_see_reports,
    can_see_resource,
    can_view_booking_details,
    customer_class_for,
)
from booking.domain.resources import (
    BookableBy,
    CustomerClass,
    Policy,
    Resource,
    ResourceKind,
    Visibility,
)
from booking.domain.roles import ANONYMOUS, Actor, Membership, OrgKind, Role


def member(org: str, kind: OrgKind, role: Role) -> Membership:
    return Membership(org, kind, role)


ADMIN = Actor("u-admin", (member("platform", OrgKind.PLATFORM, Role.ADMIN),))
MANAGER = Actor("u-fm", (member("roc", OrgKind.SCHOOL, Role.FACILITY_MANAGER),))
STAFF = Actor("u-staff", (member("roc", OrgKind.SCHOOL, Role.STAFF),))
OTHER_MANAGER = Actor("u-fm2", (member("hbo", OrgKind.SCHOOL, Role.FACILITY_MANAGER),))
PARTNER = Actor("u-acme", (member("acme", OrgKind.COMPANY, Role.BOOKER),),
                partnerships=frozenset({("acme", "roc")}))
LEGACY_PARTNER = Actor("u-acme2", (member("acme", OrgKind.COMPANY, Role.BOOKER),),
                       partner_of=frozenset({"roc"}))
STRANGER = Actor("u-beta", (member("beta", OrgKind.COMPANY, Role.BOOKER),))
TWO_COMPANIES = Actor("u-both", (member("acme", OrgKind.COMPANY, Role.BOOKER),
                                 member("beta", OrgKind.COMPANY, Role.BOOKER)),
                      partnerships=frozenset({("acme", "roc")}))
COORDINATOR = Actor("u-co", (member("regio", OrgKind.REGION, Role.COORDINATOR),),
                    region_schools={"regio": frozenset({"roc", "hbo"})})


def resource(visibility: Visibility, bookable_by: BookableBy = BookableBy.ALL) -> Resource:
    return Resource("r", "roc", "site", ResourceKind.LAB, "Lab", visibility=visibility,
                    policy=Policy(bookable_by=bookable_by))


@pytest.mark.parametrize(
    ("actor", "visibility", "expected"),
    [
        (ANONYMOUS, Visibility.PUBLIC, True),  # the public catalogue is open to visitors
        (ANONYMOUS, Visibility.PARTNERS, False),  # partner resources are hidden from visitors
        (STRANGER, Visibility.PARTNERS, False),  # … and from non-partner companies
        (PARTNER, Visibility.PARTNERS, True),  # partners of the school see them
        (LEGACY_PARTNER, Visibility.PARTNERS, True),  # partner_of still works
        (PARTNER, Visibility.INTERNAL, False),  # internal: not even partners
        (STAFF, Visibility.INTERNAL, True),  # the school's own staff
        (OTHER_MANAGER, Visibility.INTERNAL, False),  # another school's manager
        (COORDINATOR, Visibility.INTERNAL, False),  # coordinators read reports, not catalogue
        (ADMIN, Visibility.INTERNAL, True),  # admins see everything
    ],
)
def test_can_see_resource(actor: Actor, visibility: Visibility, expected: bool) -> None:
    assert can_see_resource(actor, resource(visibility)) is expected


@pytest.mark.parametrize(
    ("actor", "company", "visibility", "bookable_by", "expected"),
    [
        (STRANGER, "beta", Visibility.PUBLIC, BookableBy.ALL, True),  # any company
        (STRANGER, "acme", Visibility.PUBLIC, BookableBy.ALL, False),  # not its company
        (STRANGER, "beta", Visibility.PUBLIC, BookableBy.PARTNERS, False),  # not a partner
        (PARTNER, "acme", Visibility.PUBLIC, BookableBy.PARTNERS, True),  # a partner
        (PARTNER, "acme", Visibility.PARTNERS, BookableBy.PARTNERS, True),  # hidden yet partner
        (LEGACY_PARTNER, "acme", Visibility.PUBLIC, BookableBy.PARTNERS, True),  # via partner_of
        (TWO_COMPANIES, "beta", Visibility.PUBLIC, BookableBy.PARTNERS, False),  # acme's only
        (TWO_COMPANIES, "acme", Visibility.PUBLIC, BookableBy.PARTNERS, True),  # for acme: yes
        (PARTNER, "acme", Visibility.PUBLIC, BookableBy.INTERNAL, False),  # internal use only
        (STAFF, "roc", Visibility.PUBLIC, BookableBy.ALL, False),  # staff is no company booker
        (ANONYMOUS, "beta", Visibility.PUBLIC, BookableBy.ALL, False),  # visitors cannot book
    ],
)
def test_can_book(actor: Actor, company: str, visibility: Visibility, bookable_by: BookableBy,
                  expected: bool) -> None:
    assert can_book(actor, resource(visibility, bookable_by), company) is expected


@pytest.mark.parametrize(
    ("actor", "manage", "approve_both", "approve_own", "details", "cancel", "reports"),
    [
        (ADMIN, True, True, True, True, True, True),  # admin may do everything
        (MANAGER, True, False, True, True, True, True),  # manager of roc only
        (STAFF, False, False, False, True, False, True),  # staff read details and reports
        (PARTNER, False, False, False, True, True, False),  # its own booking
        (STRANGER, False, False, False, False, False, False),  # someone else's booking
        (COORDINATOR, False, False, False, False, False, True),  # aggregates only
        (ANONYMOUS, False, False, False, False, False, False),  # nothing
    ],
)
def test_school_and_booking_rights(actor: Actor, manage: bool, approve_both: bool,
                                   approve_own: bool, details: bool, cancel: bool,
                                   reports: bool) -> None:
    # a booking by acme on resources of roc (and, for approval, also of hbo)
    assert can_manage_school(actor, "roc") is manage
    assert can_approve(actor, ["roc", "hbo"]) is approve_both
    assert can_approve(actor, ["roc"]) is approve_own
    assert can_view_booking_details(actor, "acme", ["roc"]) is details
    assert can_cancel(actor, "acme", ["roc"]) is cancel
    assert can_see_reports(actor, "roc") is reports


def test_nothing_to_approve_is_refused() -> None:
    assert can_approve(MANAGER, []) is False


@pytest.mark.parametrize(
    ("company", "school", "is_sme", "expected"),
    [
        ("acme", "roc", False, CustomerClass.PARTNER),  # partner of this school
        ("acme", "roc", True, CustomerClass.PARTNER),  # partner beats SME
        ("acme", "hbo", True, CustomerClass.SME),  # not a partner there, but small
        ("beta", "roc", False, CustomerClass.STANDARD),  # everyone else
    ],
)
def test_customer_class_for(company: str, school: str, is_sme: bool,
                            expected: CustomerClass) -> None:
    assert customer_class_for(company, school, {("acme", "roc")}, is_sme) is expected
