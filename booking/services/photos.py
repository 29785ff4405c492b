"""Photos of resources: upload by the school's managers, files under the data directory named
by their content hash, read by whoever may see the resource."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from booking.db import photos_store as store
from booking.db.engine import transaction
from booking.db.photos_store import PhotoRecord
from booking.domain.errors import NotFound, Reason, RuleViolation
from booking.domain.resources import Visibility
from booking.domain.roles import Actor
from booking.services import audit
from booking.services.catalogue import managed_resource, visible_resource
from booking.services.photo_images import MAX_BYTES, SUFFIX, Encoded, NotAnImage, process

MAX_ALT = 300


class TooLarge(Exception):
    """The upload is larger than `MAX_BYTES` (the API answers 413)."""


@dataclass(frozen=True, slots=True)
class PhotoView:
    id: str
    resource_id: str
    alt: str
    url: str
    thumbnail_url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PhotoFile:
    """A stored file to send: its path, and whether shared caches may keep it."""

    path: Path
    etag: str
    public: bool


def photo_view(p: PhotoRecord) -> PhotoView:
    """The photo with its content-hashed (so immutable) URLs."""
    return PhotoView(p.id, p.resource_id, p.alt, f"/photos/{p.id}/{p.digest}{SUFFIX}",
                     f"/photos/{p.id}/{p.thumb_digest}{SUFFIX}", p.width, p.height)


def _path(photos_dir: str, digest: str) -> Path:
    return Path(photos_dir) / digest[:2] / f"{digest}{SUFFIX}"


def _write(photos_dir: str, encoded: Encoded) -> None:
    target = _path(photos_dir, encoded.digest)
    if target.exists():  # same content, same name: already stored
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(encoded.data)
    os.replace(tmp, target)  # atomic: a reader never sees half a file


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation([Reason("invalid", message)], field_name=field)


def checked_alt(alt: str) -> str:
    """The alt text, trimmed; RuleViolation when empty or longer than MAX_ALT."""
    text = " ".join(alt.split())
    if not text:
        raise _invalid("alt", "describe the photo for people who cannot see it")
    if len(text) > MAX_ALT:
        raise _invalid("alt", f"at most {MAX_ALT} characters")
    return text


async def photos_of(resource_ids: Sequence[str]) -> dict[str, list[PhotoView]]:
    """The photos of these resources (callers have checked that the actor may see them)."""
    found = await store.photos_of(list(resource_ids))
    return {rid: [photo_view(p) for p in photos] for rid, photos in found.items()}


async def add_photo(actor: Actor, resource_id: str, data: bytes, alt: str, *,
                    photos_dir: str, now: datetime | None = None) -> PhotoView:
    """Store a photo of a resource the actor manages: NotFound/NotAllowed as for changing the
    resource, TooLarge over MAX_BYTES, RuleViolation for a missing alt or a non-image file."""
    rec = await managed_resource(actor, resource_id)
    text = checked_alt(alt)
    if len(data) > MAX_BYTES:
        raise TooLarge(f"at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        processed = await asyncio.to_thread(process, data)
    except NotAnImage as exc:
        raise _invalid("file", str(exc)) from None
    for encoded in (processed.full, processed.thumb):
        await asyncio.to_thread(_write, photos_dir, encoded)
    at = now or datetime.now(UTC)
    async with transaction():
        photo_id = await store.insert_photo(
            resource_id=rec.resource.id, alt=text, digest=processed.full.digest,
            thumb_digest=processed.thumb.digest, width=processed.full.width,
            height=processed.full.height, now=at,
        )
        await audit.record(
            action="resource.photo_added", object_type="resource", object_id=rec.resource.id,
            summary=f"{rec.resource.name}: photo \u201c{text}\u201d", at=at,
            actor_id=actor.user_id, organisation_ids=(rec.resource.school_id,),
        )
    photo = await store.get_photo(photo_id)
    assert photo is not None
    return photo_view(photo)


async def _visible_photo(actor: Actor, photo_id: str) -> tuple[PhotoRecord, bool]:
    photo = await store.get_photo(photo_id)
    if photo is None:
        raise NotFound("no such photo")
    try:
        rec = await visible_resource(actor, photo.resource_id)
    except NotFound:
        raise NotFound("no such photo") from None
    return photo, rec.resource.visibility is Visibility.PUBLIC


async def delete_photo(actor: Actor, photo_id: str, *, photos_dir: str,
                       now: datetime | None = None) -> str:
    """Remove a photo (the school's managers); its files go when no photo uses them. Returns
    the id of the resource it showed."""
    photo, _ = await _visible_photo(actor, photo_id)
    rec = await managed_resource(actor, photo.resource_id)
    at = now or datetime.now(UTC)
    async with transaction():
        await store.delete_photo(photo.id)
        await audit.record(
            action="resource.photo_deleted", object_type="resource", object_id=rec.resource.id,
            summary=f"{rec.resource.name}: photo \u201c{photo.alt}\u201d removed", at=at,
            actor_id=actor.user_id, organisation_ids=(rec.resource.school_id,),
        )
    for digest in (photo.digest, photo.thumb_digest):
        if not await store.digest_in_use(digest):
            _path(photos_dir, digest).unlink(missing_ok=True)
    return photo.resource_id


async def photo_file(actor: Actor, photo_id: str, name: str, *, photos_dir: str) -> PhotoFile:
    """The file behind a photo URL if the actor may see the resource; NotFound otherwise (also
    for a name that is not this photo's current file)."""
    photo, public = await _visible_photo(actor, photo_id)
    for digest in (photo.digest, photo.thumb_digest):
        if name == f"{digest}{SUFFIX}":
            path = _path(photos_dir, digest)
            if not path.is_file():
                raise NotFound("no such photo")
            return PhotoFile(path, digest, public)
    raise NotFound("no such photo")
