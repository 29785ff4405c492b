"""Photos of resources: upload (multipart) and delete by the school's managers; the files,
content-hashed and immutable, for whoever may see the resource (404 for anyone else)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter

from api.schemas import problems
from api.schemas_photos import PhotoOut, PhotoUpload, photo_out
from booking.domain.roles import Actor
from booking.services import photos
from booking.services.photo_images import MAX_BYTES, MEDIA_TYPE

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
MAX_REQUEST = MAX_BYTES + 256 * 1024  # the file plus the form's other parts
YEAR = 365 * 24 * 3600
Upload = Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART,
                                     description="`file` (JPEG, PNG or WebP, ≤ 10 MB) and "
                                                 "`alt` (what the photo shows)")]


def photos_dir(request: Request[Any, Any, Any]) -> str:
    """The settings' photo directory (under `LABSHARE_DATA_DIR`)."""
    return str(request.app.state.settings.photos_dir)


async def upload(request: Request[Any, Any, Any], member: Actor, resource_id: str,
                 data: PhotoUpload) -> photos.PhotoView:
    """Read the uploaded file (refusing more than MAX_BYTES) and store the photo."""
    content = await data.file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(status_code=413, detail="a photo is at most 10 MB")
    try:
        return await photos.add_photo(member, resource_id, content, data.alt,
                                      photos_dir=photos_dir(request))
    except photos.TooLarge as exc:
        raise HTTPException(status_code=413, detail=str(exc)) from None


@post("/api/v1/resources/{resource_id:uuid}/photos", tags=["catalogue"], security=SECURITY,
      status_code=201, request_max_body_size=MAX_REQUEST,
      responses={201: ResponseSpec(PhotoOut, description="The stored photo"),
                 **problems(401, 403, 404, 413, 422)})
async def add_photo(request: Request[Any, Any, Any], member: Actor, resource_id: UUID,
                    data: Upload) -> PhotoOut:
    """A photo of a resource (its school's facility managers): EXIF and other metadata are
    stripped, the image turned upright, resized (at most 1600 px) and given a thumbnail. 422
    for a file that is not a JPEG, PNG or WebP image or an empty `alt`; 413 above 10 MB."""
    return photo_out(await upload(request, member, str(resource_id), data))


@delete("/api/v1/photos/{photo_id:uuid}", tags=["catalogue"], security=SECURITY,
        responses=problems(401, 403, 404))
async def delete_photo(request: Request[Any, Any, Any], member: Actor, photo_id: UUID) -> None:
    """Remove a photo (the resource's school's facility managers)."""
    await photos.delete_photo(member, str(photo_id), photos_dir=photos_dir(request))


@get("/photos/{photo_id:uuid}/{name:str}", tags=["catalogue"], include_in_schema=True,
     media_type=MEDIA_TYPE,
     responses={200: ResponseSpec(bytes, description="The image (WebP)", media_type=MEDIA_TYPE,
                                  generate_examples=False),
                304: ResponseSpec(None, description="Not modified (If-None-Match)"),
                **problems(404)})
async def photo_file(
    request: Request[Any, Any, Any], actor: Actor, photo_id: UUID,
    name: Annotated[str, Parameter(max_length=80, description="`<sha256>.webp`")],
) -> Response[bytes]:
    """A photo or thumbnail, for whoever may see its resource. The URL names the content's
    hash, so it never changes: cached for a year (`immutable`; `private` unless the resource
    is public), with an `ETag`."""
    found = await photos.photo_file(actor, str(photo_id), name, photos_dir=photos_dir(request))
    headers = {
        "ETag": f'"{found.etag}"',
        "Cache-Control": f"{'public' if found.public else 'private'}, max-age={YEAR}, immutable",
    }
    if request.headers.get("if-none-match", "").strip() in (f'"{found.etag}"', found.etag, "*"):
        return Response(b"", status_code=304, headers=headers)
    content = await asyncio.to_thread(found.path.read_bytes)
    return Response(content, media_type=MEDIA_TYPE, headers=headers)


ROUTES: list[Any] = [add_photo, delete_photo, photo_file]
