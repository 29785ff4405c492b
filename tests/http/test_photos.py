"""Photos over HTTP: upload by the school's managers, metadata stripped, refusals, visibility,
deletion, caching; contacts on resources and schools."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from booking.settings import Settings
from tests.factories import make_resource, make_school, make_site, make_user
from tests.http.conftest import bearer


@pytest.fixture
def settings(db: Any, tmp_path: Path) -> Settings:
    """The app's settings with photos under this test's own data directory."""
    return Settings(database_url=db.url, migrate_on_startup=False, data_dir=str(tmp_path))


def jpeg_with_gps(width: int = 2400, height: int = 1800) -> bytes:
    """A JPEG whose EXIF says where it was taken and that it is rotated (orientation 6)."""
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 55.0, 12.0), 3: "E", 4: (4.0, 28.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(0x8825)
    return out.getvalue()


def stored_files(data_dir: Path) -> list[Path]:
    """The photo files under a data directory."""
    return sorted(data_dir.rglob("*.webp"))


async def _setup(visibility: str = "public") -> tuple[str, dict[str, str]]:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school), visibility=visibility)
    return rid, await bearer(await make_user(memberships=[(school, "facility_manager")]))


async def _upload(client: httpx.AsyncClient, rid: str, headers: dict[str, str], data: bytes,
                  name: str = "foto.jpg", alt: str = "Een freesbank") -> httpx.Response:
    return await client.post(f"/api/v1/resources/{rid}/photos", headers=headers,
                             files={"file": (name, data, "image/jpeg")}, data={"alt": alt})


async def test_upload_strips_exif_turns_upright_and_resizes(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    rid, headers = await _setup()
    r = await _upload(client, rid, headers, jpeg_with_gps())
    assert r.status_code == 201, r.text
    photo = r.json()
    assert photo["alt"] == "Een freesbank"
    stored = stored_files(tmp_path / "photos")
    assert len(stored) == 2  # the photo and its thumbnail
    for path in stored:
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"Camera Maker" not in raw
        with Image.open(path) as image:
            assert not image.getexif()
            assert image.height > image.width  # orientation 6 honoured before stripping
            assert max(image.size) <= 1600
    full = await client.get(photo["url"])
    assert full.status_code == 200
    assert full.headers["content-type"] == "image/webp"
    assert b"Exif" not in full.content
    thumb = await client.get(photo["thumbnail_url"])
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) <= 400
    listed = (await client.get(f"/api/v1/resources/{rid}")).json()["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]


async def test_not_an_image_is_422_and_too_large_413(client: httpx.AsyncClient,
                                                      tmp_path: Path) -> None:
    rid, headers = await _setup()
    r = await _upload(client, rid, headers, b"just some text, honestly\n" * 20, name="x.jpg")
    assert r.status_code == 422, r.text
    assert any(e["field"] == "file" for e in r.json()["errors"])
    big = jpeg_with_gps(100, 100) + b"\0" * (10 * 1024 * 1024)
    r = await _upload(client, rid, headers, big)
    assert r.status_code == 413, r.text
    r = await _upload(client, rid, headers, big + b"\0" * (2 * 1024 * 1024))
    assert r.status_code == 413  # refused by the body limit, before the form is parsed
    r = await _upload(client, rid, headers, jpeg_with_gps(200, 100), alt="  ")
    assert r.status_code == 422
    assert not stored_files(tmp_path)  # nothing stored for a refusal
    assert (await client.get(f"/api/v1/resources/{rid}")).json()["photos"] == []


async def test_only_the_schools_managers_upload(client: httpx.AsyncClient) -> None:
    rid, _ = await _setup()
    other_school = await make_school()
    stranger = await bearer(await make_user(memberships=[(other_school, "facility_manager")]))
    r = await _upload(client, rid, stranger, jpeg_with_gps(300, 200))
    assert r.status_code == 403
    r = await _upload(client, rid, {}, jpeg_with_gps(300, 200))
    assert r.status_code == 401


async def test_internal_resource_photo_is_404_to_a_stranger(client: httpx.AsyncClient) -> None:
    rid, headers = await _setup(visibility="internal")
    photo = (await _upload(client, rid, headers, jpeg_with_gps(300, 200))).json()
    mine = await client.get(photo["url"], headers=headers)
    assert mine.status_code == 200
    assert mine.headers["cache-control"].startswith("private")
    assert (await client.get(photo["url"])).status_code == 404
    assert (await client.get(photo["thumbnail_url"])).status_code == 404
    stranger = await bearer(await make_user(memberships=[(await make_school(), "staff")]))
    assert (await client.get(photo["url"], headers=stranger)).status_code == 404


async def test_caching_headers_and_revalidation(client: httpx.AsyncClient) -> None:
    rid, headers = await _setup()
    photo = (await _upload(client, rid, headers, jpeg_with_gps(300, 200))).json()
    r = await client.get(photo["url"])
    assert "immutable" in r.headers["cache-control"]
    assert "public" in r.headers["cache-control"]
    etag = r.headers["etag"]
    again = await client.get(photo["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    wrong = photo["url"].rsplit("/", 1)[0] + "/" + "0" * 64 + ".webp"
    assert (await client.get(wrong)).status_code == 404


async def test_delete_removes_photo_and_files(client: httpx.AsyncClient, tmp_path: Path) -> None:
    rid, headers = await _setup()
    photo = (await _upload(client, rid, headers, jpeg_with_gps(300, 200))).json()
    other = await bearer(await make_user(memberships=[(await make_school(), "facility_manager")]))
    assert (await client.delete(f"/api/v1/photos/{photo['id']}", headers=other)).status_code == 403
    r = await client.delete(f"/api/v1/photos/{photo['id']}", headers=headers)
    assert r.status_code == 204
    assert (await client.get(photo["url"])).status_code == 404
    assert (await client.get(f"/api/v1/resources/{rid}")).json()["photos"] == []
    assert not stored_files(tmp_path)


async def test_contacts_on_resources_and_schools(client: httpx.AsyncClient) -> None:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school))
    headers = await bearer(await make_user(memberships=[(school, "facility_manager")]))
    assert (await client.get(f"/api/v1/resources/{rid}")).json()["contact"] is None
    r = await client.patch(f"/api/v1/organisations/{school}", headers=headers, json={
        "contact": {"name": "Balie Techniek", "email": "balie@school.test", "phone": ""}})
    assert r.status_code == 200, r.text
    assert r.json()["contact"]["name"] == "Balie Techniek"
    body = (await client.get(f"/api/v1/resources/{rid}")).json()
    assert body["contact"]["email"] == "balie@school.test"  # the school's, until its own
    r = await client.patch(f"/api/v1/resources/{rid}", headers=headers, json={
        "contact": {"name": "Piet de Vries", "email": "piet@school.test",
                    "phone": "+31 40 123 4567"}})
    assert r.status_code == 200, r.text
    assert r.json()["contact"] == {"name": "Piet de Vries", "email": "piet@school.test",
                                   "phone": "+31 40 123 4567"}
    assert (await client.get(f"/api/v1/schools/{school}")).json()["contact"]["name"] == (
        "Balie Techniek")
    r = await client.patch(f"/api/v1/resources/{rid}", headers=headers,
                           json={"contact": {"email": "geen adres"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "contact.email"
    other = await bearer(await make_user(memberships=[(await make_school(), "facility_manager")]))
    r = await client.patch(f"/api/v1/resources/{rid}", headers=other,
                           json={"contact": {"name": "Kaper"}})
    assert r.status_code == 403


async def test_a_file_sent_without_a_filename_is_422_not_500(client: httpx.AsyncClient) -> None:
    """Found by fuzzing: a multipart part without a filename is read as text, and an image is
    no UTF-8 text."""
    body = (b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n\x89PNG\r\n\x1a\n'
            b"\r\n--b--\r\n")
    rid, headers = await _setup()
    r = await client.post(f"/api/v1/resources/{rid}/photos", content=body,
                          headers={**headers, "content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body"
