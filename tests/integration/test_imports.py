"""Calendar imports on SQLite and PostgreSQL against a local HTTP server: closures follow the
source, conditional GET, and every kind of broken source keeps the last good closures, shows the
reason and backs off; validation, permissions, deletion, and one fetch per source across runners."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from booking.db.sql import fetch
from booking.domain.errors import NotAllowed, NotFound, RuleViolation
from booking.domain.roles import Actor
from booking.services import imports
from booking.services.ics_fetch import FetchPolicy
from booking.services.imports import create_import, delete_import, list_imports, refresh_import
from booking.services.jobs import Job, run_due_jobs
from tests.conftest import Backend
from tests.factories import booker, make_resource, make_school, make_site, manager
from tests.integration.ics_sources import EMPTY, SourceState, holidays, ics_server, timetable

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
POLICY = FetchPolicy(timeout=0.5, allow_private=True)
MONDAY = date(2027, 3, 8)


@dataclass
class Place:
    school: str
    site: str
    resource: str
    manager: Actor


@pytest.fixture
async def place(db: Backend) -> Place:
    school = await make_school()
    site = await make_site(school_id=school)
    return Place(school, site, await make_resource(site_id=site), await manager(school))


@pytest.fixture
def source() -> Iterator[tuple[str, SourceState]]:
    with ics_server() as served:
        yield served


async def closures_of(import_id: str) -> list[tuple[str, datetime, datetime, str, str]]:
    rows = await fetch(
        "SELECT id, starts_at, ends_at, reason, kind FROM closures WHERE source = $1 "
        "ORDER BY starts_at", import_id,
    )
    return [(str(r["id"]), r["starts_at"], r["ends_at"], r["reason"], r["kind"]) for r in rows]


async def test_url_import_becomes_closures_and_follows_the_source(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 10)
    view = await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=POLICY)
    assert (view.status, view.events, view.last_error) == ("ok", 10, None)
    assert view.last_fetched_at == NOW
    first = await closures_of(view.id)
    assert len(first) == 10 and first[0][3:] == ("Les CNC", "timetable")
    assert first[0][1] == datetime(2027, 3, 8, 7, 30, tzinfo=UTC)  # CET
    assert first[3][1] == datetime(2027, 3, 29, 6, 30, tzinfo=UTC)  # CEST after 28 March

    later = NOW + timedelta(hours=1)
    again = await refresh_import(place.manager, view.id, later, policy=POLICY)
    assert again.status == "ok" and state.requests[-1].get("if-none-match")
    assert await closures_of(view.id) == first  # 304: nothing rewritten

    state.body = timetable(MONDAY, 8, "Les CNC (nieuw)")
    changed = await refresh_import(place.manager, view.id, later, policy=POLICY)
    assert (changed.status, changed.events) == ("ok", 8)
    assert [c[3] for c in await closures_of(view.id)] == ["Les CNC (nieuw)"] * 8


@pytest.mark.parametrize(
    ("mode", "body", "message"),
    [
        ("html", b"", "no calendar but text/html"),
        ("500", b"", "HTTP 500"),
        ("slow", b"", "within 0.5 s"),
        ("ics", EMPTY, "suddenly empty"),
        ("big", b"", "larger than the limit"),
        ("ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage", "unreadable"),
    ],
    ids=["login-page", "server-error", "timeout", "empty", "10MB", "truncated"],
)
async def test_a_broken_source_keeps_the_last_good_closures(
    place: Place, source: tuple[str, SourceState], mode: str, body: bytes, message: str
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 10)
    view = await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=POLICY)
    good = await closures_of(view.id)
    state.mode, state.body, state.delay = mode, body, 3.0
    failed = await refresh_import(place.manager, view.id, NOW + timedelta(days=2), policy=POLICY)
    assert failed.status == "error" and message in (failed.last_error or "")
    assert failed.events == 10 and failed.last_success_at == NOW
    assert failed.next_fetch_at == NOW + timedelta(days=2, minutes=5)
    assert await closures_of(view.id) == good
    twice = await refresh_import(place.manager, view.id, NOW + timedelta(days=3), policy=POLICY)
    assert twice.next_fetch_at == NOW + timedelta(days=3, minutes=10)  # backing off
    listed = await list_imports(place.manager)
    assert [(v.id, v.status) for v in listed] == [(view.id, "error")]
    state.mode, state.body = "ics", timetable(MONDAY, 10)
    healed = await refresh_import(place.manager, view.id, NOW + timedelta(days=4), policy=POLICY)
    assert (healed.status, healed.last_error) == ("ok", None)


async def test_a_much_smaller_source_needs_force(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 20)
    view = await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=POLICY)
    state.body = timetable(MONDAY, 4)
    refused = await refresh_import(place.manager, view.id, NOW, policy=POLICY)
    assert refused.status == "error" and "4 events instead of 20" in (refused.last_error or "")
    assert len(await closures_of(view.id)) == 20
    forced = await refresh_import(place.manager, view.id, NOW, force=True, policy=POLICY)
    assert (forced.status, forced.events, len(await closures_of(view.id))) == ("ok", 4, 4)


async def test_events_passing_out_of_the_window_are_no_shrink(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 12)
    view = await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=POLICY)
    later = NOW + timedelta(days=100)  # all but the last lessons now lie > 30 days back
    moved = await refresh_import(place.manager, view.id, later, policy=POLICY)
    assert moved.status == "ok" and 0 < moved.events < 12


async def test_uploaded_holidays_close_a_whole_site(place: Place) -> None:
    body = holidays((date(2027, 4, 26), 7, "Meivakantie"), (date(2027, 3, 29), 1, "Pasen"))
    view = await create_import(place.manager, site_id=place.site, ics=body.decode(),
                               kind="holidays", now=NOW)
    assert (view.status, view.events, view.uploaded, view.url) == ("ok", 2, True, None)
    rows = await fetch("SELECT site, resource, starts_at, ends_at, kind FROM closures")
    assert {(str(r["site"]), r["resource"], r["kind"]) for r in rows} == {
        (place.site, None, "holiday")
    }
    easter = min(rows, key=lambda r: r["starts_at"])
    assert easter["starts_at"] == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)  # local midnight
    assert easter["ends_at"] - easter["starts_at"] == timedelta(hours=24)


async def test_validation_and_permissions(place: Place, source: tuple[str, SourceState]) -> None:
    url, _ = source
    cases: list[dict[str, str]] = [
        {"kind": "timetable", "url": url},  # neither resource nor site
        {"kind": "timetable", "url": url, "resource_id": place.resource, "site_id": place.site},
        {"kind": "timetable", "resource_id": place.resource},  # neither url nor ics
        {"kind": "timetable", "resource_id": place.resource, "url": url, "ics": "x"},
        {"kind": "agenda", "resource_id": place.resource, "url": url},
        {"kind": "timetable", "resource_id": place.resource, "url": "ftp://example.org/a.ics"},
        {"kind": "timetable", "resource_id": place.resource, "ics": "<html>login</html>"},
    ]
    for case in cases:
        with pytest.raises(RuleViolation):
            await create_import(place.manager, now=NOW, policy=POLICY, **case)  # type: ignore[arg-type]
    company, _ = await booker()
    with pytest.raises(NotAllowed):
        await create_import(company, resource_id=place.resource, url=url, kind="timetable",
                            now=NOW, policy=POLICY)
    with pytest.raises(NotAllowed):
        await list_imports(company)
    other = await manager(await make_school())
    with pytest.raises(NotAllowed):
        await create_import(other, site_id=place.site, url=url, kind="holidays", now=NOW)


async def test_webcal_is_https_and_an_unreachable_source_is_kept_with_its_error(
    place: Place,
) -> None:
    view = await create_import(place.manager, resource_id=place.resource,
                               url="webcal://127.0.0.1:9/rooster.ics", kind="timetable",
                               now=NOW, policy=POLICY)
    assert view.url == "https://127.0.0.1:9/rooster.ics"
    assert view.status == "error" and "cannot reach" in (view.last_error or "")


async def test_delete_removes_the_source_and_its_closures(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 3)
    view = await create_import(place.manager, resource_id=place.resource, url=url,
                               kind="timetable", now=NOW, policy=POLICY)
    company, _ = await booker()
    with pytest.raises(NotFound):
        await delete_import(company, view.id)
    await delete_import(place.manager, view.id)
    assert await closures_of(view.id) == [] and await list_imports(place.manager) == []


async def test_due_sources_are_fetched_once_across_concurrent_runners(
    place: Place, source: tuple[str, SourceState]
) -> None:
    url, state = source
    state.body = timetable(MONDAY, 5)
    ids = [
        (await create_import(place.manager, resource_id=place.resource, url=f"{url}?n={n}",
                             kind="timetable", now=NOW, policy=POLICY)).id
        for n in range(3)
    ]
    state.requests.clear()
    due = NOW + imports.PERIOD
    done = await asyncio.gather(*(imports.refresh_due(due, policy=POLICY) for _ in range(3)))
    assert sum(done) == 3 and len(state.requests) == 3
    assert await imports.refresh_due(due, policy=POLICY) == 0  # next fetch an hour later
    views = {v.id: v for v in await list_imports(place.manager)}
    assert {views[i].next_fetch_at for i in ids} == {due + imports.PERIOD}


async def test_a_job_runs_once_per_period_across_processes(db: Backend) -> None:
    runs: list[datetime] = []

    async def work(now: datetime) -> int:
        runs.append(now)
        return 1

    job = (Job("test_job", timedelta(minutes=1), work),)
    first = await asyncio.gather(*(run_due_jobs(NOW, f"p{n}", job) for n in range(4)))
    assert sorted(len(r) for r in first) == [0, 0, 0, 1]
    assert await run_due_jobs(NOW + timedelta(seconds=30), "p9", job) == {}
    assert await run_due_jobs(NOW + timedelta(minutes=1), "p9", job) == {"test_job": 1}
    assert len(runs) == 2


async def test_the_background_task_ticks_until_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    from api import background

    ticks: list[str] = []

    async def fake_run(now: datetime, holder: str) -> dict[str, int]:
        ticks.append(holder)
        return {}

    monkeypatch.setattr(background, "run_due_jobs", fake_run)
    monkeypatch.setenv("LABSHARE_JOB_TICK", "0.01")
    start, stop = background.lifespan_hooks()
    await start()
    for _ in range(200):
        if len(ticks) >= 3:
            break
        await asyncio.sleep(0.01)
    await stop()
    count = len(ticks)
    await asyncio.sleep(0.05)
    assert count >= 3 and len(ticks) == count and len(set(ticks)) == 1
