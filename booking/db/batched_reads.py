"""Reads that combine several stores' statements in ONE batch (one thread hop on SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from booking.db import actor_store, calendar_store, catalogue_store, inductions_store
from booking.db.calendar_store import CalendarInputs
from booking.db.catalogue_store import ResourceRecord
from booking.db.sql import fetch_batch
from booking.domain.intervals import Interval


@dataclass(frozen=True, slots=True)
class BookingInputs:
    """What deciding on a booking reads first: the company's terms (None when the organisation
    is no company), the requested resources' records and which of them it is inducted for."""

    terms: tuple[str, bool, frozenset[str]] | None
    records: dict[str, ResourceRecord]
    inducted: frozenset[str]


async def read_booking_inputs(
    company: str, partnership_day: date, resource_ids: Sequence[str]
) -> BookingInputs:
    """The company's terms on `partnership_day`, the records of `resource_ids` and the
    inductions the company holds for them."""
    company_rows, resource_rows, kid_rows, inducted_rows = await fetch_batch([
        actor_store.company_terms_stmt(company, partnership_day),
        catalogue_store.resources_stmt(resource_ids), catalogue_store.children_stmt(resource_ids),
        inductions_store.inducted_stmt(company, resource_ids),
    ])
    return BookingInputs(
        terms=actor_store.company_terms_from_rows(company_rows),
        records=catalogue_store.records_from_rows(resource_rows, kid_rows),
        inducted=frozenset(r[0] for r in inducted_rows),
    )


async def read_one_resource(
    resource_id: str, window: Interval, dates: tuple[date, date]
) -> tuple[ResourceRecord, CalendarInputs] | None:
    """One resource's record and every calendar input over `window` (`dates`: the local dates
    any zone can have within it); None when the resource does not exist."""
    rows = await fetch_batch([
        catalogue_store.resources_stmt([resource_id]),
        catalogue_store.children_stmt([resource_id]),
        *calendar_store.one_resource_stmts(resource_id, window, dates),
    ])
    rec = catalogue_store.records_from_rows(rows[0], rows[1]).get(resource_id)
    if rec is None:
        return None
    return rec, calendar_store.one_resource_inputs(rows[2:], resource_id, rec.resource.site_id)
