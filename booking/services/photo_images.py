"""Photo files: check that bytes are a JPEG/PNG/WebP image, re-encode without metadata, resize."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
"""The largest upload accepted (API.md: ≤ 10 MB)."""
MAX_SIDE = 1600
THUMB_SIDE = 400
MAX_PIXELS = 60_000_000
"""Refused before decoding: a small file may claim a huge canvas (a decompression bomb)."""
FORMATS = ("JPEG", "PNG", "WEBP")
MEDIA_TYPE = "image/webp"
SUFFIX = ".webp"


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG or WebP image this code can read."""


@dataclass(frozen=True, slots=True)
class Encoded:
    """One stored variant: the bytes, their SHA-256 (the file's name) and the size in pixels."""

    data: bytes
    digest: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Processed:
    full: Encoded
    thumb: Encoded


def _encode(image: Image.Image) -> Encoded:
    out = io.BytesIO()
    # a fresh encode writes only pixels: no EXIF, XMP, ICC or comments are passed on
    image.save(out, format="WEBP", quality=82, method=4)
    data = out.getvalue()
    return Encoded(data, hashlib.sha256(data).hexdigest(), image.width, image.height)


def process(data: bytes) -> Processed:
    """`data` upright (EXIF orientation applied), at most MAX_SIDE wide or high, without any
    metadata, plus a THUMB_SIDE thumbnail; NotAnImage for anything but a readable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise NotAnImage("only JPEG, PNG and WebP images are accepted")
                if probe.width * probe.height > MAX_PIXELS:
                    raise NotAnImage("the image has too many pixels")
                probe.verify()  # structure check; the image must be reopened afterwards
            with Image.open(io.BytesIO(data)) as source:
                source.load()
                upright = ImageOps.exif_transpose(source)
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotAnImage("the file is not a readable JPEG, PNG or WebP image") from exc
    mode = "RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB"
    pixels = Image.new(mode, upright.size)
    pixels.paste(upright.convert(mode))  # a new image: nothing of the source's info survives
    full = pixels.copy()
    full.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = pixels.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(_encode(full), _encode(thumb))
