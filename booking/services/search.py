"""Finding resources: text search (ranked), free-time search with each match's first free
window, the true total, and "did you mean" when nothing matches (docs/search.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from booking.db import catalogue_store as store
from booking.db import search_store
from booking.db.catalogue_store import ResourceFilter, ResourceRecord
from booking.domain import permissions
from booking.domain.availability import free_spans, has_free_span
from booking.domain.errors import Reason, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.roles import Actor
from booking.domain.search import parse_query, suggest
from booking.services.calendars import (
    SearchInputs,
    checked_window,
    decode_cursor,
    encode_cursor,
    load_search_inputs,
    week_of,
)
from booking.services.views import FreeView, Page, ResourceView

SEARCH_CHUNK = 1000
"""Resources evaluated per round in a free-time search (every match is counted for `total`)."""
RANKED = "\x00rank"
"""First part of a cursor that pages a ranked (text) search by position."""

ViewOf = Callable[[ResourceRecord], ResourceView]


@dataclasses.dataclass(frozen=True, slots=True)
class FreeWanted:
    """A free-time search: a window of at least `need` inside `window`, as of `now`."""

    window: Interval
    need: timedelta
    now: datetime


def _position(cursor: str | None, ranked: bool) -> tuple[tuple[str, str] | None, int]:
    """(keyset, offset) of a cursor: ranked searches page by position, others by (name, id)."""
    if not cursor:
        return None, 0
    first, second = decode_cursor(cursor, 2)
    if ranked and first == RANKED and second.isdigit():
        return None, int(second)
    if not ranked and first != RANKED:
        return (first, second), 0
    raise RuleViolation([Reason("invalid_cursor", "invalid cursor")], field_name="cursor")


def free_wanted(free_from: datetime | None, free_to: datetime | None,
                min_free_minutes: int | None, now: datetime | None) -> FreeWanted | None:
    """The free-time part of a search, None when not asked; RuleViolation when incomplete."""
    if free_from is None and free_to is None and min_free_minutes is None:
        return None
    if free_from is None or free_to is None or now is None:
        raise RuleViolation(
            [Reason("invalid_window", "free_from and free_to are both required")],
            field_name="free_from",
        )
    window = checked_window(Interval(free_from, free_to), "free_from")
    return FreeWanted(window, timedelta(minutes=max(min_free_minutes or 0, 0)), now)


async def find(actor: Actor, f: ResourceFilter, q: str | None, free: FreeWanted | None,
               limit: int, cursor: str | None, view_of: ViewOf) -> Page[ResourceView]:
    """One page of the resources `f` selects (and, with `free`, only those with such a free
    window the actor could book), the total over all pages and, when a text search finds
    nothing, a suggestion that would find something. A `q` without any searchable word
    (only punctuation or stopwords) matches nothing."""
    ranked = bool(f.terms)
    if q and q.strip() and not ranked:  # only punctuation or stopwords: nothing to match
        return Page([], None, total=0)
    after, offset = _position(cursor, ranked)
    if free is None:
        rows = await store.list_resources(f, after=after, offset=offset, limit=limit + 1)
        total = await store.count_resources(f)
        items = [view_of(r) for r in rows[:limit]]
        more = len(rows) > limit
        last = rows[limit - 1].resource if more else None
    else:
        matches = await _free_matches(actor, f, free)
        total = len(matches)
        if ranked:
            chosen = matches[offset:offset + limit + 1]
        else:
            chosen = [m for m in matches
                      if after is None or (m[0].resource.name, m[0].resource.id) > after]
            chosen = chosen[:limit + 1]
        more = len(chosen) > limit
        items = [_with_first_free(view_of(rec), got, free) for rec, got in chosen[:limit]]
        last = chosen[limit - 1][0].resource if more else None
    next_cursor = None
    if last is not None:
        next_cursor = (encode_cursor(RANKED, str(offset + limit)) if ranked
                       else encode_cursor(last.name, last.id))
    suggestion = None
    if q and ranked and total == 0 and not cursor:
        suggestion = await _suggestion(actor, f, free)
    return Page(items, next_cursor, total=total, suggestion=suggestion)


async def _free_matches(
    actor: Actor, f: ResourceFilter, free: FreeWanted
) -> list[tuple[ResourceRecord, SearchInputs]]:
    """Every resource `f` selects that has a free window the actor could book, in list order,
    with its calendar inputs (read a chunk at a time)."""
    found: list[tuple[ResourceRecord, SearchInputs]] = []
    offset = 0
    while True:
        chunk = await store.list_resources(f, offset=offset, limit=SEARCH_CHUNK)
        inputs = await load_search_inputs(chunk, free.window)
        for rec in chunk:
            got = inputs[rec.resource.id]
            if (permissions.can_see_resource(actor, rec.resource)
                    and permissions.can_book_any(actor, rec.resource)
                    and has_free_span(got.resource, got.open, got.closed, got.claims,
                                      free.window, free.now, free.need)):
                found.append((rec, got))
        if len(chunk) < SEARCH_CHUNK:
            return found
        offset += SEARCH_CHUNK


def _with_first_free(view: ResourceView, got: SearchInputs, free: FreeWanted) -> ResourceView:
    """`view` with its earliest free window of at least `free.need` (clipped to the window, as
    availability computes it) and the number of other such windows in that local week."""
    windows = [w for w in free_spans(got.resource, got.open, got.closed, got.claims,
                                     free.window, free.now) if w.duration >= free.need]
    if not windows:
        return view
    first = windows[0]
    week = week_of(first.start, got.resource.timezone)
    more = sum(1 for w in windows[1:] if w.start < week.end)
    return dataclasses.replace(view, first_free=FreeView(first.start, first.end), more_free=more)


async def _suggestion(actor: Actor, f: ResourceFilter, free: FreeWanted | None) -> str | None:
    """A corrected query from the indexed words, offered only when it finds something the
    actor may see (so the words of resources hidden from it are never suggested)."""
    better = suggest(f.terms, await search_store.vocabulary())
    if better is None:
        return None
    corrected = dataclasses.replace(f, terms=parse_query(better))
    if free is None:
        found = await store.count_resources(corrected)
    else:
        found = len(await _free_matches(actor, corrected, free))
    return better if found else None
