""""My bookings": tabs coming / past / pending / cancelled, cancelling, the calendar feed panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response, get, post

from booking.clock import now_on
from booking.domain import permissions
from booking.domain.errors import NotAllowed, NotFound, RuleViolation, StaleVersion
from booking.domain.roles import Actor
from booking.services import bookings, catalogue, feeds
from booking.services.views import BookingView
from booking.settings import get_settings
from frontend.flash import Flash, read_flashes
from frontend.guards import booker, requires
from frontend.rendering import redirect, render

TABS = ("coming", "pending", "past", "cancelled")
PAST_DAYS = 180
LIMIT = 200
FEED_URL = "feed_url"
"""The flash parameter carrying a new calendar link to the page that shows it once."""


@dataclass(frozen=True, slots=True)
class Row:
    booking: BookingView
    names: list[str]
    can_cancel: bool



async def _tab(actor: Actor, tab: str, now: datetime) -> list[BookingView]:
    if tab == "pending":
        page = await bookings.list_bookings(actor, status="pending", start=now, limit=LIMIT)
        return page.items
    if tab == "past":
        page = await bookings.list_bookings(
            actor, status="confirmed", start=now - timedelta(days=PAST_DAYS), end=now, limit=LIMIT
        )
        return sorted((b for b in page.items if b.end <= now), key=lambda b: b.start, reverse=True)
    if tab == "cancelled":
        found: list[BookingView] = []
        for status in ("cancelled", "declined", "expired"):
            found += (await bookings.list_bookings(actor, status=status, limit=LIMIT)).items
        return sorted(found, key=lambda b: b.updated_at, reverse=True)
    coming: list[BookingView] = []
    for status in ("confirmed", "pending"):
        coming += (await bookings.list_bookings(actor, status=status, start=now, limit=LIMIT)).items
    return sorted((b for b in coming if b.end > now), key=lambda b: b.start)


async def _rows(actor: Actor, items: list[BookingView], now: datetime) -> list[Row]:
    names: dict[str, str] = {}
    rows: list[Row] = []
    for b in items:
        for rid in b.resource_ids:
            if rid not in names:
                try:
                    names[rid] = (await catalogue.get_resource(actor, rid)).name
                except (NotFound, NotAllowed):
                    names[rid] = "—"
        can_cancel = permissions.is_cancellable(b.status, b.end, now)
        rows.append(Row(b, [names[r] for r in b.resource_ids], can_cancel))
    return rows


async def _page(
    request: Request[Any, Any, Any], actor: Actor, tab: str, **extra: Any
) -> Response[Any]:
    now = now_on(request.app.state)
    tab = tab if tab in TABS else "coming"
    rows = await _rows(actor, await _tab(actor, tab, now), now)
    pending = len((await bookings.list_bookings(actor, status="pending", start=now)).items)
    own_feeds = [f for f in await feeds.list_feeds(actor) if f.scope == "me" and not f.revoked_at]
    waiting = read_flashes(request)
    new_feed_url = next((str(f.params[FEED_URL]) for f in waiting if FEED_URL in f.params), None)
    return await render(
        request, "booker/my_bookings.html", section="bookings", tab=tab, rows=rows,
        pending_count=pending, feeds=own_feeds, now=now, new_feed_url=new_feed_url,
        flashes=[f for f in waiting if FEED_URL not in f.params], **extra,
    )


@get("/my-bookings", name="my_bookings", include_in_schema=False, guards=[requires(booker)])
async def my_bookings(request: Request[Any, Any, Any],
                      actor: Actor, tab: str = "coming") -> Response[Any]:
    """The company's bookings by tab, with cancel buttons and the calendar panel."""
    return await _page(request, actor, tab)


@post("/my-bookings/{booking_id:str}/cancel", name="my_bookings.cancel",
      include_in_schema=False, status_code=303, guards=[requires(booker)])
async def cancel(request: Request[Any, Any, Any], actor: Actor, booking_id: str) -> Response[Any]:
    """Cancel with the version the page showed (If-Match): a changed booking is not cancelled."""
    form = await request.form()
    tab = str(form.get("tab") or "coming")
    back = f"/my-bookings?tab={tab if tab in TABS else 'coming'}"
    return await cancel_then_redirect(request, actor, booking_id, form.get("version"), back)


async def cancel_then_redirect(
    request: Request[Any, Any, Any], actor: Actor, booking_id: str, shown_version: Any, back: str
) -> Response[Any]:
    """Cancel with the version the page showed (a stale one cancels nothing) and go `back`
    with a flash saying what happened."""
    try:
        version: int | None = int(str(shown_version or ""))
    except ValueError:
        version = None
    try:
        booking = await bookings.cancel_booking(
            actor, booking_id, now_on(request.app.state), if_match=version
        )
    except StaleVersion:
        return redirect(request, back, Flash(
            "This booking changed in the meantime. Check it and cancel again if you still want to.",
            "warning",
        ))
    except RuleViolation:
        return redirect(request, back, Flash("This booking can no longer be cancelled.", "error"))
    return redirect(request, back, Flash(
        "Cancelled: “%(title)s”. The time is free again.", "success", {"title": booking.title}
    ))


def _base_url(request: Request[Any, Any, Any]) -> str:
    return get_settings().base_url or str(request.base_url).rstrip("/")


@post("/my-bookings/feed", name="my_bookings.feed", include_in_schema=False, status_code=303,
      guards=[requires(booker)])
async def create_feed(request: Request[Any, Any, Any],
                      actor: Actor, now: datetime) -> Response[Any]:
    """A new secret calendar link for the company's bookings, shown once on the page.

    Post/Redirect/Get: the link travels to the next page in the signed, HttpOnly, five-minute
    flash cookie (the user's own browser, removed when shown), so a reload never makes another.
    """
    made = await feeds.create_feed(actor, "me", base_url=_base_url(request), now=now)
    return redirect(request, "/my-bookings#calendar", Flash(
        "Your calendar link is ready. Copy it now — for your safety it is shown only once.",
        "success", {FEED_URL: made.url},
    ))


@post("/my-bookings/feed/{feed_id:str}/revoke", name="my_bookings.feed_revoke",
      include_in_schema=False, status_code=303, guards=[requires(booker)])
async def revoke_feed(request: Request[Any, Any, Any],
                      actor: Actor, now: datetime, feed_id: str) -> Response[Any]:
    await feeds.revoke_feed(actor, feed_id, now)
    return redirect(request, "/my-bookings#calendar", Flash(
        "The calendar link is switched off. Calendars that use it empty themselves.", "info"
    ))


my_bookings_routes = [cancel, create_feed, revoke_feed]
