"""Catalogue text search on SQLite and PostgreSQL: Dutch stems and prefixes over name,
description, tags, school and city; current after every write; suggestions; the total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking.db.sql import execute, fetch
from booking.domain.roles import ANONYMOUS, Actor
from booking.domain.search import STOPWORDS, stem, words
from booking.services import bookings, catalogue, resource_admin
from booking.services.views import BookingRequest, ResourceInput
from tests.conftest import Backend
from tests.factories import booker, make_resource, make_school, make_site, manager

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


async def _found(q: str, actor: Actor = ANONYMOUS, **filters: object) -> list[str]:
    page = await catalogue.list_resources(actor, q=q, limit=200, **filters)  # type: ignore[arg-type]
    assert page.total == len(page.items)
    return [r.id for r in page.items]


async def _welding_fixture() -> dict[str, str]:
    """A small region like the demo's: welding in Rotterdam and Dordrecht, a laser cutter,
    CNC machines, a robot arm."""
    roc = await make_school(name="ROC Demo", city="Rotterdam")
    dw = await make_school(name="Drechtwerk College", city="Dordrecht")
    rdam = await make_site(school_id=roc, city="Rotterdam")
    dord = await make_site(school_id=dw, city="Dordrecht")
    made = {
        "lasstraat": await make_resource(site_id=rdam, name="Lasstraat", kind="lab",
                                         tags=["lassen", "metaal"]),
        "fronius": await make_resource(site_id=dord, name="Fronius TPS 400i lasapparaat",
                                       tags=["lassen", "mig-mag"]),
        "lasrobot": await make_resource(site_id=rdam, name="Yaskawa lasrobot",
                                        tags=["lassen", "robotica"]),
        "laser": await make_resource(site_id=rdam, name="Trotec lasersnijder",
                                     tags=["lasersnijden"]),
        "frees_rdam": await make_resource(site_id=rdam, name="DMG Mori 5-assige freesbank",
                                          tags=["cnc", "frezen"]),
        "draai_dord": await make_resource(site_id=dord, name="Haas CNC-draaibank",
                                          tags=["cnc", "draaien"]),
        "robotarm": await make_resource(site_id=dord, name="Fanuc robotarm", tags=["robotica"]),
    }
    return made


async def test_what_a_person_expects(db: Backend) -> None:
    r = await _welding_fixture()
    welding = {r["lasstraat"], r["fronius"], r["lasrobot"]}
    assert set(await _found("lassen")) == welding  # the tag, not the laser cutter
    assert set(await _found("Lassen")) == welding
    assert set(await _found("las")) == welding | {r["laser"]}  # a prefix: laser too
    assert await _found("cnc rotterdam") == [r["frees_rdam"]]  # every word, city included
    assert await _found("freesbank") == [r["frees_rdam"]]
    assert set(await _found("cnc")) == {r["frees_rdam"], r["draai_dord"]}
    assert await _found("drechtwerk draai") == [r["draai_dord"]]  # the school's name
    assert await _found("lasrobot") == [r["lasrobot"]]
    assert set(await _found("robot")) == {r["lasrobot"], r["robotarm"]}  # via "robotica"
    assert await _found("cnc lassen") == []


async def test_ranked_by_relevance_when_q_is_given(db: Backend) -> None:
    site = await make_site(city="Delft")
    once = await make_resource(site_id=site, name="Aaa werkbank", tags=["hout"])
    named = await make_resource(site_id=site, name="Zzz robotcel", tags=["robotica"])
    # the name weighs more than a tag: the robot cell first although it sorts last by name
    assert (await _found("robot"))[0] == named
    assert once not in await _found("robot")
    assert [x.id for x in (await catalogue.list_resources(ANONYMOUS)).items] == [once, named]


async def test_ranked_pages_hold_every_match_once(db: Backend) -> None:
    site = await make_site()
    ids = {await make_resource(site_id=site, name=f"Lasplek {i}") for i in range(7)}
    await make_resource(site_id=site, name="Draaibank")
    seen: list[str] = []
    cursor = None
    while True:
        page = await catalogue.list_resources(ANONYMOUS, q="lasplek", limit=3, cursor=cursor)
        assert page.total == 7
        seen += [x.id for x in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 7 and set(seen) == ids


async def test_every_write_path_is_searchable_at_once(db: Backend) -> None:
    school = await make_school(name="Techniek College")
    site = await make_site(school_id=school, city="Breda")
    fm = await manager(school)
    view = await resource_admin.create_resource(fm, ResourceInput(
        school_id=school, site_id=site, kind="equipment", name="Kantbank",
        description="Hydraulische kantpers", tags=["plaatwerk"]), now=NOW)
    assert await _found("kantpers") == [view.id]
    await resource_admin.update_resource(fm, view.id, {"name": "Zetbank", "tags": ["zetten"]},
                                    now=NOW)
    assert await _found("zetbank zetten") == [view.id]
    assert await _found("kantbank") == [] and await _found("plaatwerk") == []
    assert await _found("kantpers") == [view.id]  # the description stayed
    # a rename and a city change by any path (here plain SQL) reach the index too
    await execute("UPDATE organisations SET name = $1 WHERE id = $2", "Vakschool Zuid", school)
    assert await _found("vakschool zetbank") == [view.id] and await _found("techniek") == []
    await execute("UPDATE sites SET city = $1 WHERE id = $2", "Tilburg", site)
    assert await _found("tilburg") == [view.id] and await _found("breda") == []
    await execute("DELETE FROM resources WHERE id = $1", view.id)
    assert await _found("zetbank") == []


async def test_suggestions_come_from_what_the_caller_may_see(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    await make_resource(site_id=site, name="Freesbank", tags=["cnc"])
    await make_resource(site_id=site, name="Geheimbank", visibility="internal")
    page = await catalogue.list_resources(ANONYMOUS, q="freesbnak")
    assert page.items == [] and page.total == 0 and page.suggestion == "freesbank"
    assert (await catalogue.list_resources(ANONYMOUS, q="geheimbnak")).suggestion is None
    fm = await manager(school)
    assert (await catalogue.list_resources(fm, q="geheimbnak")).suggestion == "geheimbank"
    assert (await catalogue.list_resources(ANONYMOUS, q="freesbank")).suggestion is None


async def test_total_is_every_match_not_the_page(db: Backend) -> None:
    site = await make_site()
    for i in range(5):
        await make_resource(site_id=site, name=f"Bank {i}")
    page = await catalogue.list_resources(ANONYMOUS, limit=2)
    assert len(page.items) == 2 and page.total == 5


async def test_postgresql_stems_like_the_domain(db: Backend) -> None:
    """SQLite's index uses `booking.domain.search.stem`; PostgreSQL its own `dutch`: on every
    word of the demo's texts they agree, so both databases find the same."""
    if db.name != "postgresql":
        return
    from booking.demo.names import LABS, SCHOOLS  # the demo's catalogue texts

    vocabulary = sorted({w for w in words(repr((LABS, SCHOOLS)))
                         if not w.isdigit() and w not in STOPWORDS})
    assert len(vocabulary) > 200
    rows = await fetch(
        "SELECT w, (ts_lexize('dutch_stem', w))[1] AS s FROM unnest($1::text[]) w",
        vocabulary,
    )
    differ = {r["w"]: (r["s"], stem(r["w"])) for r in rows if r["s"] != stem(r["w"])}
    assert differ == {}


MON = datetime(2027, 3, 8, 7, 0, tzinfo=UTC)  # Monday 08:00 local


async def test_each_free_match_says_its_first_free_window(db: Backend) -> None:
    site = await make_site()
    busy = await make_resource(site_id=site, name="A")  # open 08:00-18:00 local, weekdays
    free = await make_resource(site_id=site, name="B")
    company, _ = await booker()
    await bookings.create_booking(
        company, BookingRequest([busy], MON, MON + timedelta(hours=5)), NOW)
    window_start = MON + timedelta(minutes=30)  # clipped: the search starts at 08:30
    page = await catalogue.list_resources(
        ANONYMOUS, free_from=window_start, free_to=MON + timedelta(days=3),
        min_free_minutes=180, now=NOW)
    first = {r.id: (r.first_free, r.more_free) for r in page.items}
    assert page.total == 2
    assert first[busy][0] is not None and first[free][0] is not None
    assert (first[busy][0].start, first[busy][0].end) == (
        MON + timedelta(hours=5), MON + timedelta(hours=10))  # after the booking, to 18:00
    assert (first[free][0].start, first[free][0].end) == (window_start, MON + timedelta(hours=10))
    assert first[free][1] == 2  # Tuesday and Wednesday, the same week
    # a plain list says no first free window
    assert all(r.first_free is None for r in (await catalogue.list_resources(ANONYMOUS)).items)


async def test_free_time_counts_only_what_the_caller_may_book(db: Backend) -> None:
    school = await make_school()
    site = await make_site(school_id=school)
    await make_resource(site_id=site, name="Alleen partners", bookable_by="partners")
    everyone = await make_resource(site_id=site, name="Iedereen")
    stranger, _ = await booker()
    partner, _ = await booker(partner_of=[school])
    args = {"free_from": MON, "free_to": MON + timedelta(days=1), "min_free_minutes": 60,
            "now": NOW}
    mine = await catalogue.list_resources(stranger, **args)  # type: ignore[arg-type]
    assert [r.id for r in mine.items] == [everyone] and mine.total == 1
    assert (await catalogue.list_resources(partner, **args)).total == 2  # type: ignore[arg-type]
    assert (await catalogue.list_resources(ANONYMOUS, **args)).total == 2  # type: ignore[arg-type]


async def test_free_total_spans_pages(db: Backend) -> None:
    site = await make_site()
    for i in range(5):
        await make_resource(site_id=site, name=f"Machine {i}")
    await make_resource(site_id=site, name="Machine nooit", hours=None)
    args = {"free_from": MON, "free_to": MON + timedelta(hours=10), "min_free_minutes": 120,
            "now": NOW, "limit": 2}
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        page = await catalogue.list_resources(ANONYMOUS, cursor=cursor, **args)  # type: ignore[arg-type]
        assert page.total == 5 and all(r.first_free for r in page.items)
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    ranked = await catalogue.list_resources(ANONYMOUS, q="machine", **args)  # type: ignore[arg-type]
    assert ranked.total == 5 and len(ranked.items) == 2 and ranked.next_cursor
