"""Company bookers: the booking form with its check step, the result, and "my bookings"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.response import Template

from booking.domain import permissions
from booking.domain.errors import Conflict, NotAllowed, NotFound, RuleViolation
from booking.domain.intervals import Interval
from booking.domain.localtime import local_date
from booking.domain.pricing import VAT_RATE
from booking.domain.roles import Actor
from booking.services import booking_plan, bookings, catalogue
from booking.services.views import BookingRequest, BookingView, ResourceView
from frontend.booking_form import BookingForm, company_of, prefill_end, to_request
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.forms import FormErrors, parse_date
from frontend.guards import booker, requires, signed_in
from frontend.my_bookings import (
    cancel_then_redirect,
    my_bookings,
    my_bookings_routes,
)
from frontend.rendering import redirect, render
from frontend.resource_extras import page_extras
from frontend.templating import request_locale

_FIELDS = {
    "organisation_id": "organisation_id", "title": "title", "start": "start", "end": "end",
    "recurrence.rrule": "weeks",
}
"""Service field names → form fields, so such a refusal is shown next to its field."""


async def _extras(actor: Actor, resource: ResourceView) -> list[ResourceView]:
    """The equipment of a lab that may be added to its booking as a bundle."""
    found: list[ResourceView] = []
    for child in resource.children if resource.kind == "lab" else []:
        try:
            found.append(await catalogue.get_resource(actor, child))
        except NotFound:
            continue
    return found


async def _form_page(
    request: Request[Any, Any, Any], actor: Actor, resource: ResourceView, values: BookingForm,
    *, errors: dict[str, str] | None = None, status_code: int = 200, **extra: Any,
) -> Template:
    companies = [
        (m.organisation_id, m.organisation_name) for m in actor.memberships
        if m.organisation_id in actor.company_ids
    ]
    return await render(
        request, "booker/book.html", section="catalogue", status_code=status_code,
        day=parse_date(values.date, "date", {}),
        resource=resource, values=values, errors=errors or {}, companies=companies,
        extras=await _extras(actor, resource), **extra, **await page_extras(actor, [resource]),
    )


@get("/book", name="book", include_in_schema=False, guards=[requires(booker)])
async def book_form(request: Request[Any, Any, Any], actor: Actor, now: datetime) -> Response[Any]:
    """The booking form, prefilled from a free slot of the week view."""
    values = BookingForm.from_query(dict(request.query_params))
    if not values.resource_id:
        return redirect(request, "/resources", Flash("First choose a lab or machine.", "info"))
    resource = await catalogue.get_resource(actor, values.resource_id)
    if not values.date:
        values.date = local_date(now, resource.timezone).isoformat()
    return await _form_page(request, actor, resource, prefill_end(values, resource))


@post("/book", name="book.submit", include_in_schema=False, status_code=200,
      guards=[requires(booker)])
async def book_submit(request: Request[Any, Any, Any],
                      actor: Actor, now: datetime) -> Response[Any]:
    """`action=check` shows what the API's quote answers (the same refusals, the price lines,
    VAT and total); `action=confirm` books (series: per week)."""
    form = await request.form()
    values = BookingForm.from_post(form)
    resource = await catalogue.get_resource(actor, values.resource_id)
    errors = FormErrors(request_locale(request))
    req = to_request(values, resource, errors)
    if req is None:
        return await _form_page(request, actor, resource, values, errors=errors, status_code=422)
    try:
        company_of(actor, req)
        if form.get("action") != "confirm":
            checked = await booking_plan.quote(actor, req, now)
            names = {r.id: r.name for r in [resource, *await _extras(actor, resource)]}
            others = await _alternatives(actor, resource, req, now) if checked.refused else []
            return await _form_page(request, actor, resource, values, quote=checked,
                                    names=names, vat_percent=f"{VAT_RATE * 100:.0f}%",
                                    alternatives=others)
        result = await bookings.create_booking(actor, req, now, idempotency_key=values.idem)
    except RuleViolation as exc:
        field = _FIELDS.get(exc.field_name or "")
        if field:
            errors.add(field, exc.reasons[0].message)
        return await _form_page(
            request, actor, resource, values, errors=errors, status_code=422,
            refused=exc.reasons, alternatives=await _alternatives(actor, resource, req, now),
        )
    except Conflict:
        return await _form_page(
            request, actor, resource, values, status_code=409, conflict=True,
            alternatives=await _alternatives(actor, resource, req, now),
        )
    booking = result.booking
    if booking is None:  # a repeated submit of the same form: the first one counts
        return redirect(request, "/my-bookings", Flash("This booking was already made.", "info"))
    if booking.occurrences and len(booking.occurrences) > 1:
        return await render(
            request, "booker/series_result.html", section="bookings", status_code=201,
            booking=booking, resource=resource,
        )
    return redirect(request, "/my-bookings", _booked_message(booking, resource))


async def _alternatives(
    actor: Actor, resource: ResourceView, req: BookingRequest, now: datetime
) -> list[Interval]:
    """The nearest free times that fit a refused single booking (none for a series)."""
    if req.recurrence is not None:
        return []
    try:
        return await catalogue.nearest_free(actor, resource.id, Interval(req.start, req.end), now)
    except (RuleViolation, NotFound):
        return []


def _booked_message(booking: BookingView, resource: ResourceView) -> Flash:
    params: dict[str, str | int] = {"title": booking.title, "name": resource.name}
    if booking.status == "pending":
        return Flash(
            "Request sent: “%(title)s” at %(name)s. The school will approve or decline it.",
            "info", params,
        )
    return Flash("Booked: “%(title)s” at %(name)s.", params=params)


@get("/bookings/{booking_id:str}", name="booking", include_in_schema=False, guards=[signed_in])
async def booking_page(request: Request[Any, Any, Any],
                       actor: Actor, now: datetime, booking_id: str) -> Response[Any]:
    """A booking for everyone who may see its details (the booking company, the staff and
    managers of a school involved, admins — `bookings.get_booking` decides; others get the 404
    page), with the actions this reader may take."""
    booking = await bookings.get_booking(actor, booking_id)
    names: dict[str, str] = {}
    schools: set[str] = set()
    seen: list[ResourceView] = []
    for rid in booking.resource_ids:
        try:
            resource = await catalogue.get_resource(actor, rid)
        except (NotFound, NotAllowed):
            names[rid] = "—"
            continue
        names[rid] = resource.name
        schools.add(resource.school_id)
        seen.append(resource)
    own = booking.organisation_id in actor.company_ids
    return await render(
        request, "booker/booking.html", section="bookings" if own else "manage",
        booking=booking, names=names, now=now, own=own,
        can_cancel=permissions.is_cancellable(booking.status, booking.end, now)
        and permissions.can_cancel(actor, booking.organisation_id, schools),
        can_change=own and permissions.is_cancellable(booking.status, booking.end, now),
        can_decide=booking.status == "pending" and bool(schools)
        and permissions.can_approve(actor, schools),
        seen_resources=seen, **await page_extras(actor, seen),
    )


@post("/bookings/{booking_id:str}/cancel", name="booking.cancel", include_in_schema=False,
      status_code=303, guards=[signed_in])
async def booking_cancel(request: Request[Any, Any, Any],
                         actor: Actor, booking_id: str) -> Response[Any]:
    """Cancel from the booking's page (the company or a facility manager of the school), with
    the version the page showed; back to the booking with what happened."""
    form = await request.form()
    return await cancel_then_redirect(
        request, actor, booking_id, form.get("version"), f"/bookings/{booking_id}"
    )


ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=[
            book_form, book_submit, booking_page, booking_cancel, my_bookings,
            *my_bookings_routes,
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
