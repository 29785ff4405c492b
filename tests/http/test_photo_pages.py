"""Photo and contact pages: a manager uploads with alt text (multipart form with CSRF, no JS);
the public resource page and the catalogue card show the photo with its alt; the resource,
booking form show the site's address with a map link and the contact person."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from booking.db.sql import execute
from booking.domain.roles import Role
from booking.services import accounts
from booking.settings import Settings
from tests.factories import make_company, make_resource, make_school, make_site
from tests.http.conftest import NOW
from tests.http.test_photos import jpeg_with_gps

PASSWORD = "correct horse battery"
MANAGER = "foto@roc.test"


@pytest.fixture
def settings(db: Any, tmp_path: Path) -> Settings:
    return Settings(database_url=db.url, migrate_on_startup=False, data_dir=str(tmp_path))


async def _school() -> tuple[str, str]:
    school = await make_school(name="ROC Foto")
    site = await make_site(school_id=school, name="Campus Zuid")
    await execute("UPDATE sites SET address = 'Kanaalweg 12', postcode = '5611 AB', "
                  "city = 'Eindhoven' WHERE id = $1", site)
    rid = await make_resource(site_id=site, name="Vijfassige freesbank")
    await accounts.create_user(email=MANAGER, name="Foto Beheer", password=PASSWORD, now=NOW,
                               memberships=[(school, Role.FACILITY_MANAGER)])
    return school, rid


async def _sign_in(web: httpx.AsyncClient) -> str:
    r = await web.post("/login", data={"email": MANAGER, "password": PASSWORD, "next": ""})
    assert r.status_code == 303, r.text
    return web.cookies.get("labshare_csrf") or ""


async def test_upload_form_then_public_page_and_card_show_photo(web: httpx.AsyncClient) -> None:
    _, rid = await _school()
    csrf = await _sign_in(web)
    page = (await web.get(f"/manage/resources/{rid}")).text
    assert 'enctype="multipart/form-data"' in page and 'name="_csrf"' in page
    assert "Foto toevoegen" in page and "Wat er op de foto staat" in page  # Dutch by default
    r = await web.post(f"/manage/resources/{rid}/photos", data={"alt": "", "_csrf": csrf},
                       files={"file": ("f.jpg", jpeg_with_gps(300, 200), "image/jpeg")})
    assert r.status_code == 303
    assert "<img" not in (await web.get(f"/resources/{rid}")).text.split("<main", 1)[1].split(
        "week", 1)[0]  # no alt text: no photo
    r = await web.post(f"/manage/resources/{rid}/photos",
                       data={"alt": "Freesbank met gereedschapswisselaar", "_csrf": csrf},
                       files={"file": ("f.jpg", jpeg_with_gps(300, 200), "image/jpeg")})
    assert r.status_code == 303
    async with httpx.AsyncClient(transport=web._transport, base_url="http://testserver") as anon:
        public = (await anon.get(f"/resources/{rid}")).text
        img = re.search(r'<img src="(/photos/[^"]+)" alt="Freesbank met gereedschapswisselaar"',
                        public)
        assert img, public
        assert (await anon.get(img.group(1))).status_code == 200
        card = (await anon.get("/resources")).text
        assert re.search(r'class="card-photo" src="/photos/[^"]+" '
                         r'alt="Freesbank met gereedschapswisselaar"', card)


async def test_upload_without_csrf_is_refused(web: httpx.AsyncClient) -> None:
    _, rid = await _school()
    await _sign_in(web)
    r = await web.post(f"/manage/resources/{rid}/photos", data={"alt": "Iets"},
                       files={"file": ("f.jpg", jpeg_with_gps(300, 200), "image/jpeg")})
    assert r.status_code == 403
    async with httpx.AsyncClient(transport=web._transport, base_url="http://testserver") as anon:
        assert "/photos/" not in (await anon.get(f"/resources/{rid}")).text


async def test_address_map_link_and_contact_on_resource_and_booking_form(
    web: httpx.AsyncClient,
) -> None:
    _, rid = await _school()
    csrf = await _sign_in(web)
    r = await web.post(f"/manage/resources/{rid}/contact", data={
        "contact_name": "Piet de Vries", "contact_email": "piet@roc.test",
        "contact_phone": "040 123 4567", "_csrf": csrf})
    assert r.status_code == 303
    page = (await web.get(f"/resources/{rid}")).text
    assert "Kanaalweg 12" in page and "5611 AB Eindhoven" in page
    assert "Adres en contact" in page and "Contactpersoon" in page
    assert "https://www.openstreetmap.org/search?query=Kanaalweg+12%2C+5611+AB+Eindhoven" in page
    assert "Piet de Vries" in page and 'href="mailto:piet@roc.test"' in page
    assert 'href="tel:0401234567"' in page
    company = await make_company(name="Acme Foto BV")
    await accounts.create_user(email="boeker@acme.test", name="Boeker", password=PASSWORD,
                               now=NOW, memberships=[(company, Role.BOOKER)])
    async with httpx.AsyncClient(transport=web._transport, base_url="http://testserver") as b:
        r = await b.post("/login", data={"email": "boeker@acme.test", "password": PASSWORD,
                                         "next": ""})
        assert r.status_code == 303
        form = (await b.get(f"/book?resource={rid}")).text
    assert "Kanaalweg 12" in form and "Piet de Vries" in form
    assert "openstreetmap.org" in form


async def test_school_contact_form_reaches_the_resource_page(web: httpx.AsyncClient) -> None:
    school, rid = await _school()
    csrf = await _sign_in(web)
    page = (await web.get(f"/organisations/{school}")).text
    assert f'action="/organisations/{school}/contact"' in page
    r = await web.post(f"/organisations/{school}/contact", data={
        "contact_name": "Balie Techniek", "contact_email": "geen-adres", "_csrf": csrf})
    assert r.status_code == 303
    assert "Balie Techniek" not in (await web.get(f"/resources/{rid}")).text
    r = await web.post(f"/organisations/{school}/contact", data={
        "contact_name": "Balie Techniek", "contact_email": "balie@roc.test", "_csrf": csrf})
    assert r.status_code == 303
    page = (await web.get(f"/resources/{rid}")).text
    assert "Balie Techniek" in page and 'href="mailto:balie@roc.test"' in page
