"""The booker's change pages without JavaScript: "Wijzigen" shows the week and the new price
before anything changes, then moves the booking; a series' week is cancelled on its own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from booking.domain.roles import Role
from booking.services import accounts, bookings
from booking.services.views import BookingRequest, Recurrence
from tests.factories import actor_for, make_company, make_resource
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"
MON = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Monday 10:00 local


async def _signed_in(web: httpx.AsyncClient) -> str:
    company = await make_company(name="Acme Metaal BV")
    user = await accounts.create_user(email="plan@acme.test", name="Plan", password=PASSWORD,
                                      now=NOW, memberships=[(company, Role.BOOKER)])
    r = await web.post("/login", data={"email": "plan@acme.test", "password": PASSWORD,
                                       "next": ""})
    assert r.status_code == 303, r.text
    return str(getattr(user, "id", user))


def _csrf(web: httpx.AsyncClient) -> str:
    return web.cookies.get("labshare_csrf") or ""


async def test_change_shows_the_new_price_then_moves(web: httpx.AsyncClient) -> None:
    rid = await make_resource(name="Lasrobot", rates=(("standard", "50.00"),))
    user = await _signed_in(web)
    actor = await actor_for(user)
    b = (await bookings.create_booking(
        actor, BookingRequest([rid], MON, MON + timedelta(hours=2), title="Lassen"), NOW)).booking
    assert b is not None
    page = (await web.get(f"/bookings/{b.id}")).text
    assert f'href="/bookings/{b.id}/change"' in page and ">Wijzigen<" in page
    form = (await web.get(f"/bookings/{b.id}/change")).text
    assert "Lassen wijzigen" in form and 'class="week-board"' in form
    # a free hour of the week leads back to this form, prefilled
    assert re.search(rf'href="/bookings/{b.id}/change\?resource=[^"]*date=2026-03-09', form)
    fields = {"date": "2026-03-10", "start": "13:00", "end": "16:00", "title": "Lassen",
              "students": "3", "employees": "0", "version": "1", "_csrf": _csrf(web)}
    checked = await web.post(f"/bookings/{b.id}/change", data={**fields, "action": "check"})
    assert checked.status_code == 200
    assert "Nieuwe prijs" in checked.text and "150,00" in checked.text
    assert (await bookings.get_booking(actor, b.id)).version == 1  # nothing changed yet
    done = await web.post(f"/bookings/{b.id}/change", data={**fields, "action": "confirm"})
    assert done.status_code == 303 and done.headers["location"] == f"/bookings/{b.id}"
    moved = await bookings.get_booking(actor, b.id)
    assert moved.start == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert "Gewijzigd: “Lassen”." in (await web.get(done.headers["location"])).text


async def test_a_week_of_a_series_is_cancelled_alone(web: httpx.AsyncClient) -> None:
    rid = await make_resource()
    actor = await actor_for(await _signed_in(web))
    b = (await bookings.create_booking(actor, BookingRequest(
        [rid], MON, MON + timedelta(hours=2), title="Reeks",
        recurrence=Recurrence("FREQ=WEEKLY;COUNT=3")), NOW)).booking
    assert b is not None
    page = (await web.get(f"/bookings/{b.id}")).text
    assert page.count("Deze week annuleren") == 3 and page.count("Deze week verplaatsen") == 3
    done = await web.post(f"/bookings/{b.id}/occurrences/1/cancel",
                          data={"version": "1", "_csrf": _csrf(web)})
    assert done.status_code == 303
    after = (await web.get(f"/bookings/{b.id}")).text
    assert "Deze week is geannuleerd" in after and after.count("Deze week annuleren") == 2
    view = await bookings.get_booking(actor, b.id)
    assert [o.status for o in view.occurrences] == ["active", "cancelled", "active"]
