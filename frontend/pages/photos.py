"""Facility manager forms for a resource's photos (multipart upload with alt text, delete) and its
contact person; each posts, then returns to the resource's manage page (works without JS)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.datastructures import UploadFile

from booking.domain.errors import RuleViolation
from booking.domain.roles import Actor
from booking.services import contacts, photos
from booking.services.contacts import Contact
from booking.services.photo_images import MAX_BYTES
from booking.services.views import ResourceView
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.guards import requires, staff
from frontend.rendering import redirect

MAX_FORM = MAX_BYTES + 256 * 1024
FILE_ERRORS = {
    "alt": "Describe what the photo shows (for people who cannot see it).",
    "file": "Choose a JPEG, PNG or WebP image.",
}
CONTACT_ERRORS = {
    "contact.name": "The contact's name is too long.",
    "contact.email": "The contact's e-mail address is not valid.",
    "contact.phone": "The contact's telephone number is not valid.",
}


async def manage_extras(resource: ResourceView | None) -> dict[str, Any]:
    """Context for the manage page's photo and contact forms (`resource_photos`, `own_contact`)."""
    if resource is None:
        return {}
    found = await photos.photos_of([resource.id])
    return {"resource_photos": found.get(resource.id, []),
            "own_contact": await contacts.own_contact("resources", resource.id)}


def _back(resource_id: str) -> str:
    return f"/manage/resources/{resource_id}#photos"


def _photos_dir(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.photos_dir)


@post("/resources/{resource_id:str}/photos", name="manage.photo_add", status_code=303,
      request_max_body_size=MAX_FORM, guards=[requires(staff)])
async def add_photo(request: Request[Any, Any, Any], actor: Actor, resource_id: str
                    ) -> Response[Any]:
    form = await request.form()
    upload = form.get("file")
    alt = str(form.get("alt") or "")
    if not isinstance(upload, UploadFile):
        return redirect(request, _back(resource_id), Flash(FILE_ERRORS["file"], "error"))
    data = await upload.read(MAX_BYTES + 1)
    if not data:
        return redirect(request, _back(resource_id), Flash(FILE_ERRORS["file"], "error"))
    try:
        await photos.add_photo(actor, resource_id, data, alt, photos_dir=_photos_dir(request))
    except photos.TooLarge:
        return redirect(request, _back(resource_id),
                        Flash("A photo is at most %(mb)s MB.", "error", {"mb": 10}))
    except RuleViolation as exc:
        message = FILE_ERRORS.get(exc.field_name or "", FILE_ERRORS["file"])
        return redirect(request, _back(resource_id), Flash(message, "error"))
    return redirect(request, _back(resource_id), Flash("Photo added.", "success"))


@post("/photos/{photo_id:str}/delete", name="manage.photo_delete", status_code=303,
      guards=[requires(staff)])
async def delete_photo(request: Request[Any, Any, Any], actor: Actor, photo_id: str
                       ) -> Response[Any]:
    resource_id = await photos.delete_photo(actor, photo_id, photos_dir=_photos_dir(request))
    return redirect(request, _back(resource_id), Flash("Photo removed.", "success"))


@post("/resources/{resource_id:str}/contact", name="manage.contact", status_code=303,
      guards=[requires(staff)])
async def save_contact(request: Request[Any, Any, Any], actor: Actor, resource_id: str
                       ) -> Response[Any]:
    form = await request.form()
    contact = Contact(*(str(form.get(f"contact_{k}") or "") for k in ("name", "email", "phone")))
    try:
        await contacts.set_resource_contact(actor, resource_id, contact)
    except RuleViolation as exc:
        message = CONTACT_ERRORS.get(exc.field_name or "", CONTACT_ERRORS["contact.email"])
        return redirect(request, _back(resource_id), Flash(message, "error"))
    return redirect(request, _back(resource_id), Flash("Contact saved.", "success"))


async def organisation_contact(org_id: str) -> dict[str, Any]:
    """Context for the organisation page's contact form (`org_contact`)."""
    return {"org_contact": await contacts.own_contact("organisations", org_id)}


@post("/{org_id:str}/contact", name="organisation.contact", status_code=303,
      guards=[requires(staff)])
async def save_organisation_contact(request: Request[Any, Any, Any], actor: Actor, org_id: str
                                    ) -> Response[Any]:
    form = await request.form()
    contact = Contact(*(str(form.get(f"contact_{k}") or "") for k in ("name", "email", "phone")))
    back = f"/organisations/{org_id}"
    try:
        await contacts.set_organisation_contact(actor, org_id, contact)
    except RuleViolation as exc:
        message = CONTACT_ERRORS.get(exc.field_name or "", CONTACT_ERRORS["contact.email"])
        return redirect(request, back, Flash(message, "error"))
    return redirect(request, back, Flash("Contact saved.", "success"))


ROUTES: list[Any] = [
    Router(
        path="/manage",
        route_handlers=[add_photo, delete_photo, save_contact],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    ),
    Router(
        path="/organisations",
        route_handlers=[save_organisation_contact],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    ),
]
