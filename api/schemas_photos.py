"""Request/response types of photos and contact persons (resources, schools)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar.datastructures import UploadFile

from booking.services.contacts import Contact
from booking.services.photos import PhotoView


class PhotoOut(msgspec.Struct):
    id: str
    url: Annotated[str, msgspec.Meta(description="The photo (content-hashed, immutable)")]
    thumbnail_url: str
    alt: str
    width: int
    height: int


class ContactIO(msgspec.Struct, forbid_unknown_fields=True):
    """Whom a booker calls; "" for what is not given."""

    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    email: Annotated[str, msgspec.Meta(max_length=254, examples=["balie@roc-demo.test"])] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40, examples=["+31 10 123 4567"])] = ""


@dataclass
class PhotoUpload:
    """`file`: a JPEG, PNG or WebP image of at most 10 MB; `alt`: what it shows, in words."""

    file: UploadFile
    alt: str


def photo_out(p: PhotoView) -> PhotoOut:
    return PhotoOut(p.id, p.url, p.thumbnail_url, p.alt, p.width, p.height)


def contact_out(c: Contact | None) -> ContactIO | None:
    return None if c is None else ContactIO(c.name, c.email, c.phone)


def contact_in(c: ContactIO) -> Contact:
    return Contact(c.name, c.email, c.phone)
