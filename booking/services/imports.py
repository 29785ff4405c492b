"""Calendar imports (DESIGN §6): ICS timetables and holidays of a site or resource as closures.

A fetch runs outside any transaction under a lease (`imports_store.claim`); its result replaces
the source's closures in one transaction, and only when the content fingerprint changed. A
failing source, one that is no calendar, or one suddenly empty or much smaller than the last
good fetch keeps the closures of the last good fetch, is marked `error` with the reason, and is
retried with exponential back-off. `refresh_import(force=True)` accepts a shrunken source.
Addresses that are not public are refused before anything is stored (`safe_http`); events that
cannot be used are skipped with a reason; imports never cancel bookings: the active bookings
their closures cover are reported as `conflicts` and each newly covered one is a
`BookingEventType.OVERLAPPED` event in the transaction that laid the closures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from booking.db import imports_store as store
from booking.db.catalogue_store import get_resource
from booking.db.engine import transaction
from booking.db.imports_store import ImportRecord, OverlapRow
from booking.db.schools_store import get_site
from booking.domain.errors import NotAllowed, NotFound, Reason, RuleViolation
from booking.domain.permissions import can_manage_school, can_see_resource
from booking.domain.roles import Actor
from booking.ical import (
    IcsFormatError,
    ImportedEvent,
    ImportResult,
    content_fingerprint,
    read_import,
)
from booking.services import audit
from booking.services.booking_events import BookingEvent, BookingEventType, booking_changed
from booking.services.calendars import valid_id
from booking.services.ics_fetch import (
    DEFAULT_MAX_BYTES,
    FetchError,
    FetchPolicy,
    fetch_ics,
    masked_url,
    normalise_url,
)
from booking.services.ics_reading import (
    NO_USABLE,
    check_looks_like_calendar,
    is_large,
    no_usable,
    read_upload,
    slot_of,
    window_at,
    zone_and_slot,
)
from booking.services.safe_http import UnsafeAddressError, check_public_url

log = logging.getLogger(__name__)

KINDS = {"timetable": "timetable", "holidays": "holiday"}  # import kind -> closure kind
PERIOD = timedelta(hours=1)  # normal re-fetch period of a URL
UPLOAD_PERIOD = timedelta(days=1)  # uploads are re-read as the window moves
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=12)
LEASE = timedelta(minutes=2)  # longer than any fetch plus parse
FULL_FETCH_AFTER = timedelta(days=1)  # a 304 cannot move the window: fetch in full daily
SHRINK_MIN = 10  # below this many events, only "suddenly empty" counts as suspicious
SHRINK_RATIO = 0.5  # more than this fraction fewer events than last time: suspicious
PENDING_DELAY = timedelta(seconds=0)  # a pending source is due at once (the next job tick)
@dataclass(frozen=True, slots=True)
class ImportView:
    id: str
    school_id: str
    site_id: str | None
    resource_id: str | None
    kind: str
    url: str | None
    uploaded: bool
    status: str  # ok | error | pending
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    events: int  # event instances of the last good fetch
    next_fetch_at: datetime | None
    created_at: datetime
    timezone: str
    skipped: tuple[tuple[str, str], ...] = ()  # (uid, code of SKIP_MESSAGES) of the last read
    conflicts: tuple[OverlapRow, ...] = ()  # active bookings its closures cover, by start


def _view(rec: ImportRecord, conflicts: Sequence[OverlapRow] = ()) -> ImportView:
    return ImportView(
        id=rec.id, school_id=rec.school_id, site_id=rec.site_id, resource_id=rec.resource_id,
        kind=rec.kind, url=rec.url, uploaded=rec.has_upload, status=rec.status,
        last_fetched_at=rec.last_fetched_at, last_success_at=rec.last_success_at,
        last_error=rec.last_error, events=rec.events, next_fetch_at=rec.next_fetch_at,
        created_at=rec.created_at, timezone=rec.timezone, skipped=rec.skipped,
        conflicts=tuple(conflicts),
    )


async def _with_conflicts(rec: ImportRecord) -> ImportView:
    """The view of `rec` with the bookings its closures cover. Only the school's facility
    managers (and admins) reach a source, and its closures lie on the school's own resources,
    whose bookings they all may see."""
    return _view(rec, (await store.overlaps([rec.id])).get(rec.id, ()))


def _invalid(field_name: str, message: str, code: str = "invalid") -> RuleViolation:
    return RuleViolation([Reason(code, message)], field_name=field_name)


def backoff(failures: int) -> timedelta:
    """Delay before the next try after `failures` consecutive failures (>= 1): doubling, capped."""
    delay: timedelta = RETRY_FIRST * (2 ** min(max(failures - 1, 0), 16))
    return min(delay, RETRY_MAX)


async def _owner_school(actor: Actor, resource_id: str | None, site_id: str | None) -> str:
    if (resource_id is None) == (site_id is None):
        raise _invalid("resource_id", "give exactly one of resource_id and site_id")
    if resource_id is not None:
        res = await get_resource(valid_id(resource_id))
        if res is None or not can_see_resource(actor, res.resource):
            raise NotFound("no such resource")
        school_id = res.resource.school_id
    else:
        site = await get_site(valid_id(site_id))
        if site is None:
            raise NotFound("no such site")
        school_id = site.school_id
    if not can_manage_school(actor, school_id):
        raise NotAllowed("only the school's facility managers manage its calendar imports")
    return school_id


async def create_import(
    actor: Actor, *, kind: str, now: datetime, resource_id: str | None = None,
    site_id: str | None = None, url: str | None = None, ics: str | None = None,
    policy: FetchPolicy | None = None,
) -> ImportView:
    """Attach an ICS URL or upload to a resource or a site (exactly one of each pair, else
    RuleViolation) and fetch it at once. Refused with RuleViolation (422), storing nothing: an
    address that is not public (UnsafeAddressError, also for a redirect), an upload that is no
    calendar or over 5 MB, a calendar without any usable event. A URL that fails to answer is
    kept with status `error`; an upload of more than SYNC_MAX_EVENTS events is kept `pending`
    for the background job. Facility managers of the school only."""
    if kind not in KINDS:
        raise _invalid("kind", "kind must be timetable or holidays")
    if (url is None) == (ics is None):
        raise _invalid("url", "give exactly one of url and ics")
    school_id = await _owner_school(actor, resource_id, site_id)
    policy = policy or FetchPolicy.from_env()
    parsed: ImportResult | None = None
    deferred = False
    if url is not None:
        try:
            url = normalise_url(url)
        except ValueError as exc:
            raise _invalid("url", str(exc)) from None
        await check_public_url(url, allow_private=policy.allow_private, resolver=policy.resolver)
    if ics is not None:
        if len(ics.encode("utf-8")) > DEFAULT_MAX_BYTES:
            raise _invalid("ics", "the calendar is larger than 5 MB")
        deferred = is_large(ics)
        if deferred:
            check_looks_like_calendar(ics)
        else:
            tz, slot = await zone_and_slot(resource_id, site_id)
            parsed = await read_upload(ics, now, tz, kind, slot, field_name="ics")
    import_id = await store.insert_import(
        school_id=school_id, site_id=None if site_id is None else valid_id(site_id),
        resource_id=None if resource_id is None else valid_id(resource_id), kind=kind, url=url,
        ics=ics, now=now, locked_until=now if deferred else now + LEASE,
    )
    if deferred:
        rec = await store.get_import(import_id)
        assert rec is not None
        return _view(rec)
    try:
        rec = await sync(import_id, now, policy=policy, parsed=parsed, interactive=True)
    except RuleViolation:
        async with transaction():
            await store.delete_import(import_id)
        raise
    return await _with_conflicts(rec)


def _label(rec: ImportRecord) -> str:
    """How the audit trail and the bookers' notices name a source: its kind and its host only
    (calendar URLs often carry a secret)."""
    host = (urlsplit(rec.url).hostname or "URL") if rec.url else "upload"
    return f"{rec.kind} import ({host})"


async def _managed(actor: Actor, import_id: str) -> ImportRecord:
    rec = await store.get_import(valid_id(import_id))
    if rec is None or not can_manage_school(actor, rec.school_id):
        raise NotFound("no such calendar import")
    return rec


async def list_imports(actor: Actor, *, school_id: str | None = None) -> list[ImportView]:
    """The sources of the schools the actor manages (admins: all), or of `school_id`."""
    if school_id is not None:
        if not can_manage_school(actor, valid_id(school_id)):
            raise NotAllowed("only the school's facility managers see its calendar imports")
        schools: list[str] | None = [valid_id(school_id)]
    elif actor.is_admin:
        schools = None
    elif actor.managed_school_ids:
        schools = sorted(actor.managed_school_ids)
    else:
        raise NotAllowed("only facility managers see calendar imports")
    records = await store.list_imports(schools)
    conflicts = await store.overlaps([r.id for r in records])
    return [_view(r, conflicts.get(r.id, ())) for r in records]


async def get_import(actor: Actor, import_id: str) -> ImportView:
    """One source the actor manages, with its skipped events and conflicts; else NotFound."""
    return await _with_conflicts(await _managed(actor, import_id))


async def delete_import(actor: Actor, import_id: str) -> None:
    """Remove the source and every closure it made."""
    rec = await _managed(actor, import_id)
    async with transaction():
        await store.delete_import(rec.id)
        await audit.record(
            action="calendar_import.deleted", object_type="calendar_import", object_id=rec.id,
            summary=f"{_label(rec)} and its closures removed",
            at=datetime.now(UTC), actor_id=actor.user_id, organisation_ids=(rec.school_id,),
        )


async def refresh_import(
    actor: Actor, import_id: str, now: datetime, *, force: bool = False,
    policy: FetchPolicy | None = None,
) -> ImportView:
    """Fetch now; when another process is fetching this source, answer its current state.
    `force` accepts a source that became empty or much smaller. An address (or redirect) that
    is no longer public raises UnsafeAddressError (422) and changes nothing."""
    rec = await _managed(actor, import_id)
    if not await store.claim(rec.id, now, now + LEASE):
        return await _with_conflicts(rec)
    return await _with_conflicts(
        await sync(rec.id, now, force=force, policy=policy, interactive=True)
    )


async def sync(
    import_id: str, now: datetime, *, force: bool = False, policy: FetchPolicy | None = None,
    parsed: ImportResult | None = None, interactive: bool = False,
) -> ImportRecord:
    """Fetch and apply one source whose lease the caller holds; returns its new state.

    `parsed` is the upload already read by the caller. `interactive` (a request waits): an
    address that is not public raises UnsafeAddressError with nothing recorded, and a body too
    large to read within the request leaves the source `pending` for the background job; in
    the background both are recorded as a failed fetch."""
    rec = await store.get_import(import_id)
    if rec is None:
        raise NotFound("no such calendar import")
    try:
        await _sync(rec, now, force, policy, parsed, interactive)
    except BaseException:
        await store.release(rec.id)
        raise
    found = await store.get_import(rec.id)
    if found is None:  # deleted while fetching
        raise NotFound("no such calendar import")
    return found


async def _sync(
    rec: ImportRecord, now: datetime, force: bool, policy: FetchPolicy | None,
    parsed: ImportResult | None, interactive: bool,
) -> None:
    source = masked_url(rec.url) if rec.url else "upload"
    etag = last_modified = None
    result = parsed
    try:
        if result is None and rec.url is not None:
            fresh = rec.last_success_at is not None and now - rec.last_success_at < FULL_FETCH_AFTER
            conditional = fresh and rec.content_hash is not None
            try:
                fetched = await fetch_ics(
                    rec.url, etag=rec.etag if conditional else None,
                    last_modified=rec.last_modified if conditional else None, policy=policy,
                )
            except UnsafeAddressError as exc:
                if interactive:
                    raise
                raise FetchError(str(exc)) from None
            etag, last_modified = fetched.etag, fetched.last_modified
            if fetched.not_modified:
                await store.mark_success(
                    rec.id, now=now, events=rec.events, content_hash=rec.content_hash,
                    etag=etag, last_modified=last_modified, next_fetch_at=now + PERIOD,
                )
                return
            body: bytes | str = fetched.body
        elif result is None:
            body = await store.uploaded_body(rec.id) or ""
        if result is None:
            if interactive and is_large(body):
                await store.mark_pending(rec.id, next_fetch_at=now + PENDING_DELAY)
                return
            slot = await slot_of(rec.resource_id)
            result = await asyncio.to_thread(
                read_import, body, window_at(now), tz=rec.timezone, kind=rec.kind,
                slot_minutes=slot,
            )
        skipped = [(s.uid, s.code) for s in result.skipped]
        if not result.events and (interactive and rec.last_success_at is None):
            raise RuleViolation(no_usable(result), field_name="ics" if rec.has_upload else "url")
        if not force:
            _check_plausible(len(result.events), await store.closures_in(rec.id, window_at(now)))
        if not result.events and result.skipped:
            raise ValueError(f"{NO_USABLE}: {', '.join(dict.fromkeys(c for _, c in skipped))}")
    except (FetchError, IcsFormatError, ValueError) as exc:
        failures = rec.failures + 1
        log.warning("calendar import %s (%s) failed %d×: %s", rec.id, source, failures, exc)
        await store.mark_failure(
            rec.id, now=now, error=str(exc), next_fetch_at=now + backoff(failures),
            skipped=None if result is None else [(s.uid, s.code) for s in result.skipped],
        )
        return
    await _apply(rec, result, now, etag, last_modified)


def _check_plausible(found: int, previous: int) -> None:
    """Refuse a result that would silently wipe closures: empty after non-empty, or far fewer
    events than the last good fetch still has in the window (natural expiry is not counted)."""
    if previous and not found:
        raise ValueError(
            f"the source is suddenly empty; keeping the {previous} events of the last good fetch"
        )
    if previous >= SHRINK_MIN and found < previous * (1 - SHRINK_RATIO):
        raise ValueError(
            f"the source suddenly has {found} events instead of {previous}; keeping the last "
            "good ones (refresh with force to accept)"
        )


async def _apply(
    rec: ImportRecord, result: ImportResult, now: datetime,
    etag: str | None, last_modified: str | None,
) -> None:
    """Make the result the source's closures (when they changed) and tell every active booking
    they newly cover (OVERLAPPED, message: the covering event's title), all in one transaction.
    Bookings are never cancelled."""
    events: list[ImportedEvent] = result.events
    fingerprint = content_fingerprint(events)
    next_at = now + (PERIOD if rec.url else UPLOAD_PERIOD)
    newly: dict[str, str] = {}
    async with transaction():
        if fingerprint != rec.content_hash:
            before = await store.overlapped_bookings(rec.id)
            await store.replace_closures(
                rec, KINDS[rec.kind], [(e.interval, e.summary) for e in events]
            )
            after = await store.overlapped_bookings(rec.id)
            newly = {b: why for b, why in after.items() if b not in before}
            for booking_id, why in sorted(newly.items()):
                await booking_changed(BookingEvent(
                    BookingEventType.OVERLAPPED, booking_id, now, message=why or _label(rec),
                ))
            await audit.record(
                action="closures.imported", object_type="calendar_import", object_id=rec.id,
                summary=f"{_label(rec)}: {len(events)} closure(s)",
                at=now, actor_id=None, organisation_ids=(rec.school_id,),
            )
        await store.mark_success(
            rec.id, now=now, events=len(events), content_hash=fingerprint, etag=etag,
            last_modified=last_modified, next_fetch_at=next_at,
            skipped=[(s.uid, s.code) for s in result.skipped],
        )
    if fingerprint != rec.content_hash:
        log.info("calendar import %s: %d closures, %d bookings newly covered",
                 rec.id, len(events), len(newly))


async def refresh_due(
    now: datetime, *, limit: int = 50, concurrency: int = 4, policy: FetchPolicy | None = None
) -> int:
    """Fetch sources whose `next_fetch_at` has come, each claimed by one process; returns how
    many were fetched. Meant for the background job."""
    done = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(import_id: str) -> None:
        nonlocal done
        async with gate:
            try:
                await sync(import_id, now, policy=policy)
                done += 1
            except NotFound:
                pass  # deleted meanwhile
            except Exception:
                log.exception("calendar import %s: unexpected failure", import_id)

    tasks = []
    for _ in range(limit):
        claimed = await store.claim_due(now, now + LEASE)
        if claimed is None:
            break
        tasks.append(asyncio.create_task(one(claimed)))
    await asyncio.gather(*tasks)
    return done
