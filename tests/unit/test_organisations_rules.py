"""The rules of organisations: identifiers (BRIN, KvK, postcode), roles per kind, partnership
validity, and who manages members and partnerships."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from booking.domain import organisations as rules
from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor, Membership, OrgKind, Role


@pytest.mark.parametrize(("number", "valid"), [
    ("69599084", True),  # 6*8 + 9*7 + 5*6 + 9*5 + 9*4 + 0*3 + 8*2 + 4*1 = 242 = 22 * 11
    ("69599085", False),  # 243
    ("12345678", False),  # 120
    ("1234567", False),  # 7 digits
    ("abcdefgh", False),
])
def test_kvk_check_digit(number: str, valid: bool) -> None:
    assert rules.kvk_is_valid(number) is valid


def test_kvk_numbers_that_pass_and_fail() -> None:
    assert rules.clean_kvk("6 9 5 9 9 0 8 4") == "69599084"
    with pytest.raises(RuleViolation) as failed:
        rules.clean_kvk("69599085")
    assert failed.value.field_name == "kvk" and failed.value.reasons[0].code == "kvk_check"
    with pytest.raises(RuleViolation) as short:
        rules.clean_kvk("6959908")
    assert short.value.reasons[0].code == "kvk_format"


@pytest.mark.parametrize(("code", "cleaned"), [("25lx", "25LX"), (" 05 KO ", "05KO")])
def test_brin_codes(code: str, cleaned: str) -> None:
    assert rules.clean_brin(code) == cleaned


@pytest.mark.parametrize("code", ["25L", "LX25", "25LX00", "", "2 5 L X X"])
def test_brin_codes_refused(code: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        rules.clean_brin(code)
    assert refused.value.field_name == "brin"


def test_postcodes() -> None:
    assert rules.clean_postcode("5616lz") == "5616 LZ"
    assert rules.clean_postcode("") == ""
    with pytest.raises(RuleViolation):
        rules.clean_postcode("0616 LZ")  # no Dutch postcode starts with 0


@pytest.mark.parametrize(("start", "end", "day", "holds"), [
    (None, None, date(2026, 3, 2), True),
    (date(2026, 3, 2), None, date(2026, 3, 2), True),  # the first day counts
    (date(2026, 3, 3), None, date(2026, 3, 2), False),
    (None, date(2026, 3, 2), date(2026, 3, 2), True),  # so does the last
    (None, date(2026, 3, 1), date(2026, 3, 2), False),
])
def test_partnership_validity(
    start: date | None, end: date | None, day: date, holds: bool
) -> None:
    assert rules.is_partnership_valid(start, end, day) is holds


def test_the_partnership_day_is_dutch() -> None:
    # 23:30 UTC on 1 March is already 2 March in Amsterdam
    assert rules.partnership_day(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 2)


def test_roles_fit_their_kind() -> None:
    assert rules.check_role(OrgKind.COMPANY, "company_admin") is Role.COMPANY_ADMIN
    with pytest.raises(RuleViolation):
        rules.check_role(OrgKind.COMPANY, "facility_manager")
    with pytest.raises(RuleViolation):
        rules.check_role(OrgKind.SCHOOL, "admin")


def _actor(*memberships: tuple[str, OrgKind, Role]) -> Actor:
    return Actor(user_id="u", memberships=tuple(Membership(o, k, r) for o, k, r in memberships))


def test_who_manages_members() -> None:
    company_admin = _actor(("c", OrgKind.COMPANY, Role.COMPANY_ADMIN))
    booker = _actor(("c", OrgKind.COMPANY, Role.BOOKER))
    assert rules.can_manage_members(company_admin, "c", OrgKind.COMPANY)
    assert not rules.can_manage_members(company_admin, "other", OrgKind.COMPANY)
    assert not rules.can_manage_members(booker, "c", OrgKind.COMPANY)
    assert company_admin.company_ids == {"c"}  # a company admin books too


def test_who_manages_partnerships() -> None:
    coordinator = _actor(("r", OrgKind.REGION, Role.COORDINATOR))
    staff = _actor(("s", OrgKind.SCHOOL, Role.STAFF))
    assert rules.can_manage_partnerships(coordinator, "s", "r")
    assert not rules.can_manage_partnerships(coordinator, "s", "other-region")
    assert not rules.can_manage_partnerships(staff, "s", "r")
    assert rules.can_see_partnership(staff, "s", "c", None)
