"""create_booking and the booking life cycle on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.db.sql import fetch
from booking.domain.errors import Conflict, NotAllowed, NotFound, RuleViolation, StaleVersion
from booking.services import bookings, catalogue, closures
from booking.services.views import BookingRequest
from tests.conftest import Backend
from tests.factories import (
    actor_for,
    booker,
    make_company,
    make_resource,
    make_school,
    make_site,
    make_user,
    manager,
)

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
MON = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # next Monday 10:00 local


def req(rids: list[str], start: datetime = MON, hours: float = 2, **kw: object) -> BookingRequest:
    return BookingRequest(rids, start, start + timedelta(hours=hours), title="Les", **kw)  # type: ignore[arg-type]


async def active_claims(rid: str) -> int:
    rows = await fetch("SELECT COUNT(*) AS n FROM claims WHERE active AND resource = $1", rid)
    return int(rows[0]["n"])


async def test_single_booking_is_confirmed_with_price(db: Backend) -> None:
    rid = await make_resource(rates=(("standard", "85.00"), ("partner", "60.00")))
    actor, company = await booker()
    result = await bookings.create_booking(actor, req([rid]), NOW)
    b = result.booking
    assert result.status_code == 201 and b is not None
    assert b.status == "confirmed" and b.organisation_id == company
    assert b.price_amount == Decimal("170.00") and b.currency == "EUR"
    assert b.start == MON and b.end == MON + timedelta(hours=2)
    assert b.timezone == "Europe/Amsterdam" and b.version == 1
    assert await bookings.get_booking(actor, b.id) == b
    assert await active_claims(rid) == 1


async def test_partner_rate_and_approval(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    rid = await make_resource(site_id=site, approval_required=True,
                              rates=(("standard", "85.00"), ("partner", "60.00")))
    actor, _ = await booker(partner_of=[school])
    b = (await bookings.create_booking(actor, req([rid]), NOW)).booking
    assert b is not None and b.status == "pending" and b.price_amount == Decimal("120.00")
    fm = await manager(school)
    approved = await bookings.approve_booking(fm, b.id, NOW, if_match=b.version)
    assert approved.status == "confirmed" and approved.version == 2 and approved.sequence == 1
    with pytest.raises(RuleViolation):
        await bookings.approve_booking(fm, b.id, NOW)


async def test_overlap_is_a_conflict_naming_the_interval(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    b, _ = await booker()
    await bookings.create_booking(a, req([rid]), NOW)
    with pytest.raises(Conflict) as info:
        await bookings.create_booking(b, req([rid], MON + timedelta(hours=1)), NOW)
    assert [(c.resource_id, c.start, c.end) for c in info.value.conflicts] == [
        (rid, MON, MON + timedelta(hours=2))
    ]
    adjacent = await bookings.create_booking(b, req([rid], MON + timedelta(hours=2)), NOW)
    assert adjacent.booking is not None


async def test_lab_claims_its_equipment(db: Backend) -> None:
    site = await make_site()
    lab = await make_resource(site_id=site, kind="lab")
    m1 = await make_resource(site_id=site, parent_id=lab)
    m2 = await make_resource(site_id=site, parent_id=lab)
    a, _ = await booker()
    await bookings.create_booking(a, req([m1]), NOW)
    await bookings.create_booking(a, req([m2]), NOW)  # two machines at once: fine
    with pytest.raises(Conflict) as info:
        await bookings.create_booking(a, req([lab]), NOW)
    assert {c.resource_id for c in info.value.conflicts} == {m1, m2}
    later = MON + timedelta(hours=3)
    await bookings.create_booking(a, req([lab], later), NOW)
    assert await active_claims(m1) == 2 and await active_claims(lab) == 1
    with pytest.raises(Conflict):
        await bookings.create_booking(a, req([m2], later), NOW)


async def test_bundle_is_all_or_nothing(db: Backend) -> None:
    r1, r2 = await make_resource(), await make_resource()
    a, _ = await booker()
    await bookings.create_booking(a, req([r2], MON + timedelta(hours=1)), NOW)
    with pytest.raises(Conflict):
        await bookings.create_booking(a, req([r1, r2]), NOW)
    assert await active_claims(r1) == 0
    rows = await fetch("SELECT COUNT(*) AS n FROM bookings")
    assert rows[0]["n"] == 1


@pytest.mark.parametrize(
    ("start", "hours", "code"),
    [
        (NOW + timedelta(minutes=30), 1, "too_soon"),  # notice is 60 min
        (datetime(2027, 3, 8, 17, 0, tzinfo=UTC), 2, "closed"),  # 18:00 local closes
        (datetime(2027, 3, 13, 9, 0, tzinfo=UTC), 2, "closed"),  # Saturday
        (MON + timedelta(minutes=10), 1, "not_aligned"),
        (MON, 12, "too_long"),
        (datetime(2029, 3, 5, 9, 0, tzinfo=UTC), 2, "too_far"),
    ],
)
async def test_policy_reasons(db: Backend, start: datetime, hours: float, code: str) -> None:
    rid = await make_resource()
    a, _ = await booker()
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(a, req([rid], start, hours), NOW)
    assert code in {r.code for r in info.value.reasons}


async def test_closure_reason_is_named(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    rid = await make_resource(site_id=site)
    fm = await manager(school)
    from booking.domain.intervals import Interval

    await closures.add_site_closure(fm, site, Interval(MON, MON + timedelta(days=1)),
                                     "Voorjaarsvakantie")
    a, _ = await booker()
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(a, req([rid]), NOW)
    [closure] = [r for r in info.value.reasons if r.code == "closure"]
    assert "Voorjaarsvakantie" in closure.message
    reasons = await catalogue.check(a, rid, Interval(MON, MON + timedelta(hours=2)), NOW)
    assert [r.code for r in reasons] == ["closure"]


async def test_booker_of_several_companies_must_name_one(db: Backend) -> None:
    rid = await make_resource()
    c1, c2 = await make_company(), await make_company()
    actor = await actor_for(await make_user(memberships=[(c1, "booker"), (c2, "booker")]))
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(actor, req([rid]), NOW)
    assert info.value.field_name == "organisation_id"
    b = (await bookings.create_booking(actor, req([rid], organisation_id=c2), NOW)).booking
    assert b is not None and b.organisation_id == c2


async def test_cancel_frees_time_and_if_match(db: Backend) -> None:
    rid = await make_resource()
    a, _ = await booker()
    other, _ = await booker()
    b = (await bookings.create_booking(a, req([rid]), NOW)).booking
    assert b is not None
    with pytest.raises(NotFound):  # another company's booking
        await bookings.get_booking(other, b.id)
    with pytest.raises(NotFound):
        await bookings.cancel_booking(other, b.id, NOW)
    with pytest.raises(StaleVersion):
        await bookings.cancel_booking(a, b.id, NOW, if_match=b.version + 1)
    done = await bookings.cancel_booking(a, b.id, NOW, if_match=b.version)
    assert done.status == "cancelled" and done.version == 2 and done.sequence == 1
    assert await active_claims(rid) == 0
    assert (await bookings.create_booking(other, req([rid]), NOW)).booking is not None
    with pytest.raises(RuleViolation):
        await bookings.cancel_booking(a, b.id, NOW)


async def test_decline_and_expire_free_time(db: Backend) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school), approval_required=True)
    a, _ = await booker()
    fm = await manager(school)
    b1 = (await bookings.create_booking(a, req([rid]), NOW)).booking
    assert b1 is not None
    with pytest.raises(NotAllowed):
        await bookings.approve_booking(a, b1.id, NOW)
    await bookings.decline_booking(fm, b1.id, NOW, message="Onderhoud")
    b2 = (await bookings.create_booking(a, req([rid]), NOW)).booking
    assert b2 is not None and b2.status == "pending"
    assert await bookings.expire_pending(NOW) == 0
    assert await bookings.expire_pending(MON + timedelta(minutes=1)) == 1
    assert (await bookings.get_booking(a, b2.id)).status == "expired"
    assert await active_claims(rid) == 0
    assert await bookings.expire_pending(MON + timedelta(minutes=1)) == 0


async def test_list_bookings_scoped_and_paged(db: Backend) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    a, _ = await booker()
    b, _ = await booker()
    for day in range(5):
        await bookings.create_booking(a, req([rid], MON + timedelta(days=day % 5)), NOW)
    await bookings.create_booking(b, req([rid], MON + timedelta(hours=3)), NOW)
    page = await bookings.list_bookings(a, limit=2)
    seen = [x.id for x in page.items]
    while page.next_cursor:
        page = await bookings.list_bookings(a, limit=2, cursor=page.next_cursor)
        seen += [x.id for x in page.items]
    assert len(seen) == len(set(seen)) == 5
    fm = await manager(school)
    assert len((await bookings.list_bookings(fm, limit=50)).items) == 6
    assert len((await bookings.list_bookings(b, limit=50)).items) == 1


async def test_participants_above_the_largest_capacity_are_refused(db: Backend) -> None:
    from booking.services.views import Participants

    small, big = await make_resource(capacity=4), await make_resource(capacity=12)
    a, _ = await booker()
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(
            a, req([small], participants=Participants(students=3, employees=2)), NOW)
    assert info.value.field_name == "participants"
    assert [r.code for r in info.value.reasons] == ["capacity"]
    assert info.value.reasons[0].params["capacity"] == 4
    ok = await bookings.create_booking(  # a bundle: the largest capacity counts
        a, req([small, big], participants=Participants(students=10, employees=2)), NOW)
    assert ok.booking is not None
    exact = await bookings.create_booking(
        a, req([small], MON + timedelta(hours=3), participants=Participants(2, 2)), NOW)
    assert exact.booking is not None


async def test_conflicts_never_name_equipment_the_caller_cannot_see(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    lab = await make_resource(site_id=site, kind="lab")
    hidden = await make_resource(site_id=site, parent_id=lab, visibility="partners")
    partner, _ = await booker(partner_of=[school])
    await bookings.create_booking(partner, req([hidden]), NOW)
    outsider, _ = await booker()
    with pytest.raises(Conflict) as info:
        await bookings.create_booking(outsider, req([lab], MON + timedelta(hours=1)), NOW)
    assert [(c.resource_id, c.start, c.end) for c in info.value.conflicts] == [
        (lab, MON, MON + timedelta(hours=2))  # the machine's claim, named as the lab
    ]
    with pytest.raises(Conflict) as seen:  # a partner may see the machine: named as such
        await bookings.create_booking(partner, req([lab], MON + timedelta(hours=1)), NOW)
    assert {c.resource_id for c in seen.value.conflicts} == {hidden}


async def test_quote_prices_with_the_real_customer_class_and_writes_nothing(
    db: Backend,
) -> None:
    from booking.services.booking_plan import quote
    from booking.services.views import Recurrence

    school = await make_school()
    site = await make_site(school_id=school)
    rates = (("standard", "100.00"), ("sme", "80.00"), ("partner", "60.00"))
    rid = await make_resource(site_id=site, rates=rates)
    other = await make_resource(rates=rates)  # another school: the company is no partner
    sme, _ = await booker(is_sme=True, partner_of=[school])
    q = await quote(sme, req([rid, other]), NOW)
    assert q.price_amount == Decimal("280.00")  # 2 h x 60 (partner here) + 2 h x 80 (SME)
    assert [o.bookable for o in q.occurrences] == [True] and q.timezone == "Europe/Amsterdam"
    plain, _ = await booker()
    assert (await quote(plain, req([rid]), NOW)).price_amount == Decimal("200.00")
    await bookings.create_booking(plain, req([rid], MON + timedelta(days=7)), NOW)
    weekly = req([rid], recurrence=Recurrence("FREQ=WEEKLY;COUNT=3", "skip"))
    q = await quote(sme, weekly, NOW)
    assert [o.bookable for o in q.occurrences] == [True, False, True]
    assert [r.code for r in q.occurrences[1].reasons] == ["booked"]
    assert q.price_amount == Decimal("240.00")  # skip mode: the two that would be created
    with pytest.raises(Conflict):  # what create answers for held time
        await quote(sme, req([rid], MON + timedelta(days=7)), NOW)
    rows = await fetch("SELECT COUNT(*) AS n FROM bookings")
    assert rows[0]["n"] == 1
    with pytest.raises(NotAllowed):
        await quote(await manager(school), req([rid]), NOW)


async def test_an_expansion_without_occurrences_is_a_rule_violation(
    db: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from booking.services import booking_plan
    from booking.services.views import Recurrence

    monkeypatch.setattr(booking_plan, "expand_rrule", lambda *a, **k: [])
    rid = await make_resource()
    a, _ = await booker()
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(
            a, req([rid], recurrence=Recurrence("FREQ=WEEKLY;COUNT=2")), NOW)
    assert info.value.field_name == "recurrence.rrule"


async def test_induction_is_required_and_a_labs_covers_its_equipment(db: Backend) -> None:
    from booking.services import inductions

    school = await make_school()
    site = await make_site(school_id=school)
    lab = await make_resource(site_id=site, kind="lab", induction_required=True)
    machine = await make_resource(site_id=site, parent_id=lab, induction_required=True)
    a, company = await booker()
    with pytest.raises(RuleViolation) as info:
        await bookings.create_booking(a, req([machine]), NOW)
    assert [r.code for r in info.value.reasons] == ["induction_required"]
    from booking.domain.intervals import Interval

    reasons = await catalogue.check(a, lab, Interval(MON, MON + timedelta(hours=2)), NOW)
    assert [r.code for r in reasons] == ["induction_required"]
    with pytest.raises(NotAllowed):  # only the school's facility managers record them
        await inductions.record_induction(a, lab, company, NOW)
    fm = await manager(school)
    with pytest.raises(RuleViolation) as bad:
        await inductions.record_induction(fm, lab, school, NOW)  # a school is no company
    assert bad.value.field_name == "organisation_id"
    view = await inductions.record_induction(fm, lab, company, NOW)
    assert view.organisation_id == company and view.recorded_by == fm.user_id
    assert [i.id for i in await inductions.list_inductions(fm, lab)] == [view.id]
    assert await catalogue.check(a, lab, Interval(MON, MON + timedelta(hours=2)), NOW) == []
    b = (await bookings.create_booking(a, req([machine]), NOW)).booking
    assert b is not None and b.status == "confirmed"
    other, _ = await booker()  # another company has no induction
    with pytest.raises(RuleViolation):
        await bookings.create_booking(other, req([machine], MON + timedelta(hours=3)), NOW)
