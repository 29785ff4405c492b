"""The public and booker pages over HTTP: language, filters, the DST week, sign-in, booking,
the check step's reasons, cancelling with the shown version, CSRF, flashes, helpful errors."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from booking.domain.intervals import Interval
from booking.domain.roles import Role
from booking.services import accounts, closures
from tests.factories import make_company, make_resource, make_school, make_site, manager
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"


@pytest.fixture
async def lab(db: Any) -> dict[str, str]:
    school = await make_school(name="ROC Test")
    site = await make_site(school_id=school, city="Eindhoven")
    lab_id = await make_resource(
        site_id=site, kind="lab", name="CNC-werkplaats", tags=["cnc"],
        rates=[("standard", "100.00")], min_notice_minutes=48 * 60, max_advance_days=400,
        min_duration_minutes=60, slot_minutes=30, hours=("08:00", "17:00"),
    )
    closed = await make_resource(site_id=site, kind="lab", name="Gesloten lab", tags=["cnc"],
                                 hours=None)
    company = await make_company(name="Acme Metaal BV")
    await accounts.create_user(
        email="planner@acme.test", name="Petra Planner", password=PASSWORD, now=NOW,
        memberships=[(company, Role.BOOKER)],
    )
    return {"school": school, "lab": lab_id, "closed": closed, "company": company}


async def sign_in(web: httpx.AsyncClient, email: str = "planner@acme.test") -> httpx.Response:
    return await web.post("/login", data={"email": email, "password": PASSWORD, "next": ""})


def csrf(web: httpx.AsyncClient) -> str:
    return web.cookies.get("labshare_csrf") or ""


def booking_form(lab_id: str, **changes: str) -> dict[str, str]:
    form = {
        "resource": lab_id, "date": "2026-03-10", "start": "10:00", "end": "12:00",
        "title": "Omscholing CNC", "students": "2", "employees": "5", "action": "check",
        "idem": "k-" + "-".join(f"{k}{v}" for k, v in sorted(changes.items())),
    }
    return {**form, **changes}


async def test_home_is_dutch_by_default_and_english_by_choice(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    dutch = await web.get("/")
    assert dutch.status_code == 200
    assert '<html lang="nl">' in dutch.text and "Zo werkt het" in dutch.text
    assert '<a class="skip-link" href="#main">' in dutch.text
    english = await web.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "How it works" in english.text
    switched = await web.get("/lang/nl", params={"next": "/resources"})
    assert switched.status_code == 303 and switched.headers["location"] == "/resources"
    again = await web.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in again.text  # the cookie beats the browser


async def test_language_switch_never_leaves_the_site(web: httpx.AsyncClient, db: Any) -> None:
    response = await web.get("/lang/en", params={"next": "//evil.example/x"})
    assert response.headers["location"] == "/"


async def test_catalogue_free_time_filter(web: httpx.AsyncClient, lab: dict[str, str]) -> None:
    everything = await web.get("/resources", params={"tag": "cnc"})
    assert "CNC-werkplaats" in everything.text and "Gesloten lab" in everything.text
    free = await web.get("/resources", params={
        "tag": "cnc", "hours": "3", "free_from": "2026-03-09", "free_to": "2026-03-13",
    })
    assert "CNC-werkplaats" in free.text and "Gesloten lab" not in free.text
    bad = await web.get("/resources", params={"hours": "99"})
    assert bad.status_code == 200 and "Vul een getal van 1 tot 24 in." in bad.text


@pytest.mark.parametrize("week", ["2027-03-22", "2027-03-29", "2026-10-26"])
async def test_week_view_opens_at_eight_local_time_across_dst(
    web: httpx.AsyncClient, lab: dict[str, str], week: str
) -> None:
    page = await web.get(f"/resources/{lab['lab']}", params={"week": week})
    assert page.status_code == 200
    starts = re.findall(r'href="/book\?resource=[^"]*?&amp;date=([\d-]+)&amp;start=(\d\d%3A\d\d)',
                        page.text)
    first_per_day: dict[str, str] = {}
    for day, start in starts:
        first_per_day.setdefault(day, start.replace("%3A", ":"))
    assert first_per_day and set(first_per_day.values()) == {"08:00"}
    assert "07:00" not in {s.replace("%3A", ":") for _, s in starts}


async def test_resource_page_states_the_policy_in_plain_words(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    page = await web.get(f"/resources/{lab['lab']}")
    assert "Boeken kan vanaf 48 uur vooraf tot 1 jaar vooruit." in page.text
    assert "€\xa0100,00" in page.text


async def test_unknown_pages_help_the_visitor(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    for path in ("/resources/00000000-0000-0000-0000-000000000000", "/resources/not-a-uuid"):
        response = await web.get(path)
        assert response.status_code == 404
        assert "We kunnen deze pagina niet vinden" in response.text
        assert 'action="/resources"' in response.text


async def test_booking_requires_signing_in(web: httpx.AsyncClient, lab: dict[str, str]) -> None:
    response = await web.get("/book", params={"resource": lab["lab"], "start": "10:00"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fbook%3Fresource%3D")


async def test_sign_in_errors_and_welcome_flash(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    wrong = await web.post("/login", data={"email": "planner@acme.test", "password": "nope"})
    assert wrong.status_code == 401 and "horen niet bij elkaar" in wrong.text
    right = await sign_in(web)
    assert right.status_code == 303 and right.headers["location"] == "/my-bookings"
    landing = await web.get("/my-bookings")
    assert "Welkom, Petra. Je bent ingelogd." in landing.text
    assert "Petra Planner" in landing.text and 'href="/my-bookings"' in landing.text
    assert "Welkom, Petra" not in (await web.get("/my-bookings")).text  # shown once


async def test_check_step_prices_and_confirm_books(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    checked = await web.post("/book", data={**booking_form(lab["lab"]), "_csrf": csrf(web)})
    assert checked.status_code == 200
    assert "€\xa0200,00" in checked.text and 'value="confirm"' in checked.text
    confirmed = await web.post(
        "/book", data={**booking_form(lab["lab"]), "action": "confirm", "_csrf": csrf(web)}
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/my-bookings"
    listing = await web.get("/my-bookings")
    assert "Geboekt: ‘Omscholing CNC’ in CNC-werkplaats." in listing.text
    assert "Omscholing CNC" in listing.text and "10:00–12:00" in listing.text
    replay = await web.post(
        "/book", data={**booking_form(lab["lab"]), "action": "confirm", "_csrf": csrf(web)}
    )
    assert replay.status_code == 303  # the same form twice books once
    again = await web.get("/my-bookings")
    assert again.text.count("Omscholing CNC</a>") == 1


async def test_check_step_shows_the_lines_of_the_api_quote(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    from booking.db.sql import fetch
    from booking.domain.pricing import VAT_RATE
    from tests.http.conftest import bearer

    await execute_sme(lab["company"])
    await sign_in(web)
    page = await web.post("/book", data={**booking_form(lab["lab"]), "_csrf": csrf(web)})
    assert page.status_code == 200
    rows = await fetch("SELECT CAST(id AS TEXT) AS id FROM users WHERE email = $1",
                       "planner@acme.test")
    api = await web.post("/api/v1/bookings/quote", headers=await bearer(rows[0]["id"]), json={
        "resource_ids": [lab["lab"]], "start": "2026-03-10T10:00:00+01:00",
        "end": "2026-03-10T12:00:00+01:00", "title": "Omscholing CNC",
        "participants": {"students": 2, "employees": 5},
    })
    quote = api.json()
    assert [line["amount"]["amount"] for line in quote["lines"]] == ["160.00"]  # SME rate
    assert quote["vat"]["amount"] == str((Decimal("160.00") * VAT_RATE).quantize(Decimal("0.01")))
    lines = re.findall(r'<tr class="price-line">(.*?)</tr>', page.text, re.S)
    assert len(lines) == 1
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                     lines[0], re.S)]
    assert cells[0].startswith("CNC-werkplaats") and "mkb-tarief" in cells[0]
    assert cells[1:] == ["2", "€\xa080,00", "€\xa0160,00"]  # hours, hourly, amount: the API's
    assert "€\xa033,60" in page.text and "€\xa0193,60" in page.text  # VAT and total


async def execute_sme(company: str) -> None:
    """Make `company` an SME with its own rate on every resource (80.00 an hour)."""
    from booking.db.sql import execute

    await execute("UPDATE organisations SET is_sme = $1 WHERE id = $2", True, company)
    await execute("UPDATE resources SET rates = $1", json.dumps([
        {"customer_class": "standard", "hourly": "100.00", "currency": "EUR"},
        {"customer_class": "sme", "hourly": "80.00", "currency": "EUR"}]))


async def test_check_step_shows_the_reasons_in_dutch(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    too_soon = await web.post("/book", data={
        **booking_form(lab["lab"], date="2026-03-03"), "_csrf": csrf(web),
    })
    assert "te kort van tevoren: minstens 48 uur vooraf" in too_soon.text
    assert 'value="confirm"' not in too_soon.text
    closure = Interval(datetime(2026, 3, 10, 0, tzinfo=UTC), datetime(2026, 3, 11, 0, tzinfo=UTC))
    await closures.add_closure(await manager(lab["school"]), lab["lab"], closure, "Studiedag")
    closed = await web.post("/book", data={**booking_form(lab["lab"]), "_csrf": csrf(web)})
    assert "gesloten — Studiedag" in closed.text


async def test_form_errors_stand_next_to_their_field(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    response = await web.post("/book", data={
        **booking_form(lab["lab"], title="", end="09:00"), "_csrf": csrf(web),
    })
    assert response.status_code == 422
    assert 'id="f-title-error"' in response.text and 'aria-invalid="true"' in response.text
    assert "Het einde moet na het begin liggen." in response.text


async def test_weekly_series_reports_each_week(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    closure = Interval(datetime(2026, 3, 17, 0, tzinfo=UTC), datetime(2026, 3, 18, 0, tzinfo=UTC))
    await closures.add_closure(await manager(lab["school"]), lab["lab"], closure, "Toetsweek")
    form = {**booking_form(lab["lab"]), "repeat": "on", "weeks": "3", "on_conflict": "skip"}
    checked = await web.post("/book", data={**form, "_csrf": csrf(web)})
    assert "1 week is niet te boeken" in checked.text and "2 weken zijn vrij." in checked.text
    result = await web.post("/book", data={**form, "action": "confirm", "_csrf": csrf(web)})
    assert result.status_code == 201
    assert result.text.count("outcome--created") == 2 and "Toetsweek" in result.text


async def test_cancel_uses_the_version_the_page_showed(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    await web.post("/book", data={**booking_form(lab["lab"]), "action": "confirm",
                                  "_csrf": csrf(web)})
    page = (await web.get("/my-bookings")).text
    booking_id = re.search(r'action="/my-bookings/([0-9a-f-]+)/cancel"', page)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert booking_id and version
    url = f"/my-bookings/{booking_id.group(1)}/cancel"
    stale = await web.post(url, data={"version": "999", "_csrf": csrf(web)})
    assert stale.status_code == 303
    assert "intussen gewijzigd" in (await web.get("/my-bookings")).text
    done = await web.post(url, data={"version": version.group(1), "_csrf": csrf(web)})
    assert done.status_code == 303
    after = (await web.get("/my-bookings?tab=cancelled")).text
    assert "Geannuleerd: ‘Omscholing CNC’" in after and "badge--cancelled" in after


async def test_forms_without_the_csrf_token_are_refused(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    response = await web.post("/book", data=booking_form(lab["lab"], action="confirm"))
    assert response.status_code == 403 and "Dit formulier is verlopen" in response.text


def _day_cells(html: str) -> dict[str, str]:
    """The markup of each day column of the week view, by its `day-N` number (1 = Monday)."""
    cells = re.findall(
        r'<li class="day[^"]*" aria-labelledby="day-(\d)">(.*?)</li>\s*(?=<li class="day|</ol>)',
        html, flags=re.S,
    )
    return dict(cells)


async def test_week_view_tells_past_and_short_notice_days_from_closed_ones(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    """NOW is Monday 2 March 2026 08:00; the lab opens weekdays 08–17 with 48 hours' notice."""
    last_week = (await web.get(f"/resources/{lab['lab']}", params={"week": "2026-02-23"})).text
    days = _day_cells(last_week)
    for weekday in "12345":
        assert "block--past" in days[weekday] and "Voorbij" in days[weekday], weekday
        assert "Gesloten" not in days[weekday]
    for weekday in "67":
        assert "Gesloten" in days[weekday] and "block--past" not in days[weekday]
    this_week = _day_cells((await web.get(f"/resources/{lab['lab']}")).text)
    for weekday in "12":  # Monday and Tuesday lie inside the 48 hours' notice
        assert "block--notice" in this_week[weekday] and "Te kort van tevoren" in this_week[weekday]
        assert "Gesloten" not in this_week[weekday] and "block--free" not in this_week[weekday]
    assert "block--free" in this_week["4"] and "block--notice" not in this_week["4"]
    assert "Gesloten" in this_week["6"]


async def test_free_time_results_link_to_the_week_of_the_first_free_window(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    found = await web.get("/resources", params={
        "hours": "3", "free_from": "2026-03-07", "free_to": "2026-03-20",
    })  # a Saturday: the lab (weekdays only) is first free on Monday 9 March
    assert f'href="/resources/{lab["lab"]}?week=2026-03-09#week"' in found.text
    plain = await web.get("/resources", params={"tag": "cnc"})
    assert f'href="/resources/{lab["lab"]}"' in plain.text


async def _person(email: str, organisation: str, role: Role) -> None:
    await accounts.create_user(
        email=email, name=email.split("@")[0].title(), password=PASSWORD, now=NOW,
        memberships=[(organisation, role)],
    )


async def _book(web: httpx.AsyncClient, resource: str, **changes: str) -> str:
    """Book through the form as the signed-in planner; the new booking's id."""
    await web.post("/book", data={**booking_form(resource, **changes), "action": "confirm",
                                  "_csrf": csrf(web)})
    page = (await web.get("/my-bookings")).text
    found = re.search(r'<a href="/bookings/([0-9a-f-]+)">' + re.escape(
        changes.get("title", "Omscholing CNC")), page)
    assert found, page
    return found.group(1)


async def test_booking_page_shows_to_the_school_with_its_actions_and_to_no_one_else(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    ward = await make_resource(school_id=lab["school"], kind="lab", name="Zorgafdeling",
                               approval_required=True, min_duration_minutes=60)
    await _person("facility@roc.test", lab["school"], Role.FACILITY_MANAGER)
    await _person("docent@roc.test", lab["school"], Role.STAFF)
    await _person("planner@other.test", await make_company(name="Ander BV"), Role.BOOKER)
    await sign_in(web)
    confirmed = await _book(web, lab["lab"])
    pending = await _book(web, ward, title="Tiltraining")
    await web.post("/logout", data={"_csrf": csrf(web)})

    await sign_in(web, "facility@roc.test")
    page = await web.get(f"/bookings/{confirmed}")
    assert page.status_code == 200
    assert "Omscholing CNC" in page.text and "Acme Metaal BV" in page.text
    assert f'action="/bookings/{confirmed}/cancel"' in page.text
    assert 'href="/manage/requests' not in page.text
    request = await web.get(f"/bookings/{pending}")
    assert request.status_code == 200 and "Wacht op goedkeuring" in request.text
    assert f'href="/manage/requests#r-{pending}"' in request.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    done = await web.post(f"/bookings/{confirmed}/cancel",
                          data={"version": version.group(1), "_csrf": csrf(web)})
    assert done.status_code == 303 and done.headers["location"] == f"/bookings/{confirmed}"
    after = await web.get(f"/bookings/{confirmed}")
    assert "Geannuleerd: ‘Omscholing CNC’" in after.text and "badge--cancelled" in after.text
    await web.post("/logout", data={"_csrf": csrf(web)})

    await sign_in(web, "docent@roc.test")  # staff read the booking, without actions
    read_only = await web.get(f"/bookings/{pending}")
    assert read_only.status_code == 200 and "Tiltraining" in read_only.text
    assert "/cancel" not in read_only.text and "/manage/requests" not in read_only.text
    await web.post("/logout", data={"_csrf": csrf(web)})

    await sign_in(web, "planner@other.test")
    other = await web.get(f"/bookings/{pending}")
    assert other.status_code == 404 and "Tiltraining" not in other.text
    await web.post("/logout", data={"_csrf": csrf(web)})
    anonymous = await web.get(f"/bookings/{pending}")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_cancelling_asks_first_without_javascript(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    booking = await _book(web, lab["lab"])
    for url in ("/my-bookings", f"/bookings/{booking}"):
        page = (await web.get(url)).text
        question = re.search(r'<details class="confirm">(.*?)</details>', page, flags=re.S)
        assert question, url  # the cancel form sits behind a first "Annuleren"
        assert "/cancel" in question.group(1) and "Ja, annuleren" in question.group(1)
        assert "‘Omscholing CNC’ annuleren?" in question.group(1)
        assert 'name="_csrf"' in question.group(1) and 'name="version"' in question.group(1)
        assert "/cancel" not in page.replace(question.group(0), "")


async def test_a_new_calendar_link_is_shown_once_after_a_redirect(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    made = await web.post("/my-bookings/feed", data={"_csrf": csrf(web)})
    assert made.status_code == 303 and made.headers["location"] == "/my-bookings#calendar"
    shown = (await web.get("/my-bookings")).text
    url = re.search(r'id="feed-url" class="input" type="text" readonly value="([^"]+)"', shown)
    assert url and re.fullmatch(r"http://testserver/feeds/[\w-]+\.ics", url.group(1))
    assert "Je agenda-link is klaar." in shown
    again = (await web.get("/my-bookings")).text
    assert url.group(1) not in again and 'id="feed-url"' not in again
    assert (await web.get(url.group(1).removeprefix("http://testserver"))).status_code == 200


async def test_participants_are_counted_in_proper_dutch(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    await sign_in(web)
    one = await _book(web, lab["lab"], students="1", employees="1", title="Eén van elk")
    page = (await web.get(f"/bookings/{one}")).text
    assert "1 student, 1 medewerker" in page
    assert "1 studenten" not in page and "1 medewerkers" not in page
    many = await _book(web, lab["lab"], date="2026-03-11", title="Groep")
    assert "2 studenten, 5 medewerkers" in (await web.get(f"/bookings/{many}")).text


async def test_the_menu_offers_reports_to_whom_they_concern(
    web: httpx.AsyncClient, lab: dict[str, str]
) -> None:
    anonymous = (await web.get("/resources")).text
    assert 'href="/reports"' not in anonymous
    await sign_in(web)
    company = (await web.get("/resources")).text
    assert '<a href="/reports">Rapportages</a>' in company
    await web.post("/logout", data={"_csrf": csrf(web)})
    await _person("facility@roc.test", lab["school"], Role.FACILITY_MANAGER)
    await sign_in(web, "facility@roc.test")
    school = (await web.get("/resources")).text
    assert 'href="/reports"' in school and 'href="/manage"' in school


def test_anonymous_visitors_are_asked_to_sign_in_rather_than_refused() -> None:
    from jinja2 import Environment

    from booking.domain.errors import Reason
    from booking.domain.roles import ANONYMOUS, Actor
    from frontend.templating import configure_environment

    env = Environment()
    configure_environment(env)
    template = env.from_string("{{ r|reason }}")
    refused = Reason("not_allowed", "not allowed")
    assert template.render(r=refused, actor=ANONYMOUS, locale="nl") == "log in om te boeken"
    assert template.render(r=refused, actor=ANONYMOUS, locale="en") == "sign in to book"
    signed_in = Actor(user_id="u1")
    assert "jouw organisatie" in template.render(r=refused, actor=signed_in, locale="nl")
