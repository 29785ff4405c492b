"""Photos of resources and the contact persons of resources and schools: rows ⇄ records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from booking.db.sql import Row, execute, fetch, fetch_one, placeholders, utc


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    id: str
    resource_id: str
    alt: str
    digest: str
    thumb_digest: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact person; "" where unset."""

    name: str = ""
    email: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.email or self.phone)


_PHOTO = ("SELECT CAST(id AS TEXT) AS id, CAST(resource AS TEXT) AS resource, alt, digest, "
          "thumb_digest, width + 0 AS width, height + 0 AS height FROM resource_photos")


def _photo(r: Row) -> PhotoRecord:
    return PhotoRecord(str(r["id"]), str(r["resource"]), str(r["alt"]), str(r["digest"]),
                       str(r["thumb_digest"]), int(r["width"]), int(r["height"]))


async def insert_photo(*, resource_id: str, alt: str, digest: str, thumb_digest: str,
                       width: int, height: int, now: datetime) -> str:
    """A new photo, after the resource's others; its id."""
    photo_id = str(uuid.uuid4())
    await execute(
        "INSERT INTO resource_photos (id, resource, alt, digest, thumb_digest, width, height, "
        "position, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "(SELECT COALESCE(MAX(position), -1) + 1 FROM resource_photos WHERE resource = $2), $8)",
        photo_id, resource_id, alt, digest, thumb_digest, width, height, utc(now),
    )
    return photo_id


async def get_photo(photo_id: str) -> PhotoRecord | None:
    row = await fetch_one(f"{_PHOTO} WHERE id = $1", photo_id)
    return None if row is None else _photo(row)


async def photos_of(resource_ids: Sequence[str]) -> dict[str, list[PhotoRecord]]:
    """The photos of each of `resource_ids`, in their order (resources without any left out)."""
    if not resource_ids:
        return {}
    rows = await fetch(
        f"{_PHOTO} WHERE resource IN ({placeholders(len(resource_ids))}) "
        "ORDER BY resource, position, created_at", *resource_ids,
    )
    result: dict[str, list[PhotoRecord]] = {}
    for row in rows:
        photo = _photo(row)
        result.setdefault(photo.resource_id, []).append(photo)
    return result


async def delete_photo(photo_id: str) -> None:
    await execute("DELETE FROM resource_photos WHERE id = $1", photo_id)


async def digest_in_use(digest: str) -> bool:
    """Whether any photo still stores a file with this content hash (full or thumbnail)."""
    row = await fetch_one(
        "SELECT 1 AS one FROM resource_photos WHERE digest = $1 OR thumb_digest = $1 LIMIT 1",
        digest,
    )
    return row is not None


async def contacts_of(table: str, ids: Sequence[str]) -> dict[str, ContactRecord]:
    """The contact of each of `ids` in `table` ("resources" or "organisations")."""
    if table not in ("resources", "organisations"):
        raise ValueError(table)
    if not ids:
        return {}
    rows = await fetch(
        f"SELECT CAST(id AS TEXT) AS id, contact_name, contact_email, contact_phone FROM {table} "
        f"WHERE id IN ({placeholders(len(ids))})", *ids,
    )
    return {str(r["id"]): ContactRecord(r["contact_name"] or "", r["contact_email"] or "",
                                        r["contact_phone"] or "") for r in rows}


async def set_contact(table: str, row_id: str, contact: ContactRecord) -> None:
    if table not in ("resources", "organisations"):
        raise ValueError(table)
    await execute(
        f"UPDATE {table} SET contact_name = $2, contact_email = $3, contact_phone = $4 "
        "WHERE id = $1", row_id, contact.name, contact.email, contact.phone,
    )
