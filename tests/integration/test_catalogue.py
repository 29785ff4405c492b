"""Catalogue services: visibility, filters, paging, free-window search, management."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from booking.domain.availability import free_windows
from booking.domain.errors import NotAllowed, NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.openinghours import OpeningRule
from booking.domain.resources import Policy
from booking.domain.roles import ANONYMOUS
from booking.services import bookings, catalogue, closures, resource_admin
from booking.services.views import BookingRequest, ResourceInput
from tests.conftest import Backend
from tests.factories import booker, make_resource, make_school, make_site, manager

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
MON = datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # 08:00 local


async def test_visibility_and_filters(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    pub = await make_resource(site_id=site, name="Lasrobot", tags=["lassen"])
    part = await make_resource(site_id=site, name="CNC", visibility="partners", kind="lab")
    internal = await make_resource(site_id=site, name="Intern", visibility="internal")
    anon = await catalogue.list_resources(ANONYMOUS, now=NOW)
    assert [r.id for r in anon.items] == [pub]
    partner, _ = await booker(partner_of=[school])
    assert {r.id for r in (await catalogue.list_resources(partner)).items} == {pub, part}
    fm = await manager(school)
    assert len((await catalogue.list_resources(fm)).items) == 3
    with pytest.raises(NotFound):
        await catalogue.get_resource(ANONYMOUS, internal)
    assert [r.id for r in (await catalogue.list_resources(fm, tag="lassen")).items] == [pub]
    assert [r.id for r in (await catalogue.list_resources(fm, kind="lab")).items] == [part]
    assert [r.id for r in (await catalogue.list_resources(fm, q="lasr")).items] == [pub]


async def test_cursor_paging(db: Backend) -> None:
    site = await make_site()
    ids = {await make_resource(site_id=site, name=f"R{i % 3}") for i in range(7)}
    page = await catalogue.list_resources(ANONYMOUS, limit=3)
    seen = [r.id for r in page.items]
    while page.next_cursor:
        page = await catalogue.list_resources(ANONYMOUS, limit=3, cursor=page.next_cursor)
        seen += [r.id for r in page.items]
    assert len(seen) == 7 and set(seen) == ids
    with pytest.raises(RuleViolation):
        await catalogue.list_resources(ANONYMOUS, cursor="garbage")


async def test_free_window_search(db: Backend) -> None:
    site = await make_site()
    busy = await make_resource(site_id=site, name="A")
    free = await make_resource(site_id=site, name="B")
    short = await make_resource(site_id=site, name="C", hours=("08:00", "10:00"))
    a, _ = await booker()
    await bookings.create_booking(
        a, BookingRequest([busy], MON + timedelta(hours=3), MON + timedelta(hours=7)), NOW
    )
    found = await catalogue.list_resources(
        ANONYMOUS, free_from=MON, free_to=MON + timedelta(hours=10), min_free_minutes=240,
        now=NOW,
    )
    assert [r.id for r in found.items] == [free]
    found = await catalogue.list_resources(
        ANONYMOUS, free_from=MON, free_to=MON + timedelta(hours=10), min_free_minutes=120,
        now=NOW,
    )
    assert [r.id for r in found.items] == [busy, free, short]


async def test_availability_never_says_who(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    rid = await make_resource(site_id=site, buffer_after_minutes=30)
    a, _ = await booker()
    await bookings.create_booking(
        a, BookingRequest([rid], MON + timedelta(hours=2), MON + timedelta(hours=4)), NOW
    )
    fm = await manager(school)
    await closures.add_site_closure(fm, site, Interval(MON + timedelta(hours=8),
                                                         MON + timedelta(hours=9)), "Open dag")
    view = await catalogue.availability(ANONYMOUS, rid, Interval(MON, MON + timedelta(days=1)),
                                        NOW)
    assert [(b.kind, b.reason) for b in view.busy] == [("booking", None), ("closure", "Open dag")]
    assert view.busy[0].end == MON + timedelta(hours=4, minutes=30)  # buffer included
    assert [(f.start, f.end) for f in view.free] == [
        (MON, MON + timedelta(hours=1, minutes=30)),  # its own 30 min buffer after
        (MON + timedelta(hours=4, minutes=30), MON + timedelta(hours=8)),
        (MON + timedelta(hours=9), MON + timedelta(hours=10)),
    ]


async def test_manage_resources_and_hours(db: Backend) -> None:
    school, other_school = await make_school(), await make_school()
    site = await make_site(school_id=school)
    other_site = await make_site(school_id=other_school)
    fm = await manager(school)
    data = ResourceInput(school_id=school, site_id=site, kind="lab", name="Werkplaats",
                         tags=["CNC"], policy=Policy(slot_minutes=60))
    with pytest.raises(NotAllowed):
        await resource_admin.create_resource(await manager(other_school), data)
    view = await resource_admin.create_resource(fm, data)
    assert view.tags == ["cnc"] and view.policy.slot_minutes == 60
    updated = await resource_admin.update_resource(fm, view.id, {"name": "Hal", "policy": {
        "approval_required": True}})
    assert updated.name == "Hal" and updated.policy.approval_required
    with pytest.raises(RuleViolation) as info:
        await resource_admin.update_resource(fm, view.id, {"school_id": other_school})
    assert info.value.field_name == "school_id"
    with pytest.raises(RuleViolation):
        await resource_admin.update_resource(fm, view.id, {"site_id": other_site})
    rules = [OpeningRule(1, time(8), time(0)), OpeningRule(3, time(9, 30), time(17))]
    assert await resource_admin.set_opening_hours(fm, view.id, rules) == rules
    assert await catalogue.get_opening_hours(ANONYMOUS, view.id) == rules
    c = await closures.add_closure(fm, view.id, Interval(MON, MON + timedelta(hours=1)), "x")
    with pytest.raises(NotFound):  # like a random id: a booker may not know it exists
        a, _ = await booker()
        await closures.delete_closure(a, c.id)
    await closures.delete_closure(fm, c.id)
    with pytest.raises(NotFound):
        await closures.delete_closure(fm, c.id)


async def test_text_search_takes_punctuation_as_word_breaks_never_as_wildcards(
    db: Backend,
) -> None:
    site = await make_site()
    pct = await make_resource(site_id=site, name="Korting 50% bank")
    under = await make_resource(site_id=site, name="Las_robot")
    slash = await make_resource(site_id=site, name="Pers A\\B")
    await make_resource(site_id=site, name="Gewone frees")

    async def found(q: str) -> set[str]:
        return {r.id for r in (await catalogue.list_resources(ANONYMOUS, q=q)).items}

    assert await found("%") == set()  # no word at all: nothing, not everything
    assert await found("_") == set()
    assert await found("50%") == {pct}
    assert await found("las_robot") == {under}
    assert await found("robot") == {under}
    assert await found("pers a\\b") == {slash}
    assert await found("de") == set()  # a stopword alone searches nothing


async def test_city_filter_is_the_sites_city(db: Backend) -> None:
    school = await make_school()
    tilburg = await make_resource(site_id=await make_site(school_id=school, city="Tilburg"))
    await make_resource(site_id=await make_site(school_id=school, city="Eindhoven"))
    page = await catalogue.list_resources(ANONYMOUS, city=" tilburg ")
    assert [r.id for r in page.items] == [tilburg] and page.items[0].city == "Tilburg"
    assert (await catalogue.list_resources(ANONYMOUS, city="Tilb")).items == []


async def test_children_lists_only_equipment_the_caller_may_see(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    lab = await make_resource(site_id=site, kind="lab", name="Hal")
    public = await make_resource(site_id=site, parent_id=lab)
    partners = await make_resource(site_id=site, parent_id=lab, visibility="partners")
    internal = await make_resource(site_id=site, parent_id=lab, visibility="internal")
    assert (await catalogue.get_resource(ANONYMOUS, lab)).children == [public]
    partner, _ = await booker(partner_of=[school])
    assert set((await catalogue.get_resource(partner, lab)).children) == {public, partners}
    fm = await manager(school)
    assert set((await catalogue.get_resource(fm, lab)).children) == {public, partners,
                                                                      internal}
    [listed] = (await catalogue.list_resources(ANONYMOUS, kind="lab")).items
    assert listed.children == [public]


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"slot_minutes": 7}, "policy.slot_minutes"),  # not one of the slot sizes
        ({"slot_minutes": 0}, "policy.slot_minutes"),
        ({"slot_minutes": 30, "min_duration_minutes": 45}, "policy.min_duration_minutes"),
        ({"slot_minutes": 60, "min_duration_minutes": 60, "max_duration_minutes": 90},
         "policy.max_duration_minutes"),
        ({"min_duration_minutes": 240, "max_duration_minutes": 120},
         "policy.min_duration_minutes"),  # min above max
        ({"buffer_before_minutes": -5}, "policy"),
    ],
)
async def test_policy_rules_are_the_services(
    db: Backend, policy: dict[str, int], field: str
) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    fm = await manager(school)
    with pytest.raises(RuleViolation) as info:
        await resource_admin.create_resource(fm, ResourceInput(
            school_id=school, site_id=site, kind="lab", name="Hal",
            policy=Policy(**policy)))  # type: ignore[arg-type]
    assert info.value.field_name == field
    rid = await make_resource(site_id=site)
    with pytest.raises(RuleViolation) as info:
        await resource_admin.update_resource(fm, rid, {"policy": policy})
    assert info.value.field_name == field
    ok = await resource_admin.update_resource(fm, rid, {"policy": {
        "slot_minutes": 90, "min_duration_minutes": 90, "max_duration_minutes": 180}})
    assert ok.policy.slot_minutes == 90


async def test_opening_hours_change_the_resource_version(db: Backend) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    fm = await manager(school)
    before = (await catalogue.visible_resource(fm, rid)).version
    await resource_admin.set_opening_hours(fm, rid, [OpeningRule(2, time(9), time(12))])
    after = (await catalogue.visible_resource(fm, rid)).version
    await resource_admin.set_opening_hours(fm, rid, [OpeningRule(3, time(9), time(12))])
    again = (await catalogue.visible_resource(fm, rid)).version
    assert before < after < again  # strictly, even within one second
    view = await catalogue.availability(ANONYMOUS, rid, Interval(MON, MON + timedelta(days=7)),
                                        NOW)
    assert {f.start.weekday() for f in view.free} == {2}  # Wednesday only, no stale rules


def test_free_span_search_agrees_with_free_windows() -> None:
    """`has_free_span` and `free_spans` (epoch seconds, used by the catalogue search and the
    availability read) give the answers of `free_windows` on random calendars around the
    spring DST change, with buffers, notice, horizon and fractional bounds."""
    import random

    from booking.domain.availability import (
        ClosureSpan,
        ResourceCalendar,
        free_spans,
        has_free_span,
    )
    from booking.domain.openinghours import open_intervals
    from booking.domain.resources import Resource

    rng = random.Random(20270328)
    base = datetime(2027, 3, 22, 0, 0, tzinfo=UTC)  # the week of the spring change

    def span(hours: float) -> tuple[int, int]:
        start = int(base.timestamp()) + int(rng.uniform(-12, hours) * 3600) // 60 * 60
        return start, start + rng.choice([15, 30, 45, 60, 90, 150, 300]) * 60

    seen = set()
    for case in range(400):
        slot = rng.choice([5, 15, 30, 45, 60, 90, 120])
        policy = Policy(
            slot_minutes=slot, min_duration_minutes=slot * rng.randint(0, 3),
            max_duration_minutes=slot * 8, min_notice_minutes=rng.choice([0, 90, 1440]),
            buffer_before_minutes=rng.choice([0, 0, 15]),
            buffer_after_minutes=rng.choice([0, 10, 30]), max_advance_days=rng.choice([3, 90]),
        )
        resource = Resource("r", "s", "t", "lab", "x", policy=policy)  # type: ignore[arg-type]
        rules = [OpeningRule(d, time(rng.randint(6, 10), rng.choice([0, 30])),
                             time(rng.randint(12, 23), rng.choice([0, 15])))
                 for d in range(1, 8) if rng.random() < 0.7]
        window = Interval(base + timedelta(hours=rng.randint(0, 30), seconds=rng.choice([0, 7])),
                          base + timedelta(days=rng.randint(1, 8)))
        now = base + timedelta(hours=rng.uniform(-48, 40))
        opened = open_intervals(rules, [], window, "Europe/Amsterdam")
        closed = [span(150) for _ in range(rng.randint(0, 3))]
        claims = [span(150) for _ in range(rng.randint(0, 12))]
        need = timedelta(minutes=rng.choice([0, 60, 120, 240]))

        def iv(s: tuple[int, int]) -> Interval:
            return Interval(datetime.fromtimestamp(s[0], UTC), datetime.fromtimestamp(s[1], UTC))

        cal = ResourceCalendar(resource, tuple(opened), tuple(ClosureSpan(iv(c)) for c in closed),
                               tuple(sorted(iv(c) for c in claims)))
        windows = free_windows(cal, window, now)
        expected = any(w.duration >= need for w in windows)
        epochs = [(int(o.start.timestamp()), int(o.end.timestamp())) for o in opened]
        got = has_free_span(resource, epochs, closed, claims, window, now, need)
        assert got == expected, (case, policy, window, now, need)
        assert free_spans(resource, epochs, closed, claims, window, now) == windows, case
        seen.add(got)
    assert seen == {True, False}
