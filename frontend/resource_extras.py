"""What pages show beside a resource: its photos, whom to call and where it is (with a map link)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from booking.domain.errors import NotFound
from booking.domain.roles import Actor
from booking.services import catalogue, contacts, photos
from booking.services.contacts import Contact
from booking.services.photos import PhotoView
from booking.services.views import ResourceView, SiteView

OSM = "https://www.openstreetmap.org/"


@dataclass(frozen=True, slots=True)
class Place:
    """A site's address as lines, and an OpenStreetMap link (only a link: nothing is fetched)."""

    name: str
    lines: tuple[str, ...]
    map_url: str


def place_of(site: SiteView) -> Place | None:
    """The site's address and map link; None when the site has no address or position."""
    lines = tuple(x for x in (site.address, " ".join(
        p for p in (site.postcode, site.city) if p)) if x)
    if site.latitude is not None and site.longitude is not None:
        lat, lon = f"{site.latitude:.5f}", f"{site.longitude:.5f}"
        url = f"{OSM}?{urlencode({'mlat': lat, 'mlon': lon})}#map=17/{lat}/{lon}"
    elif lines:
        url = f"{OSM}search?{urlencode({'query': ', '.join(lines)})}"
    else:
        return None
    return Place(site.name, lines, url)


async def page_extras(actor: Actor, resources: Sequence[ResourceView]) -> dict[str, Any]:
    """Template context: `photos`, `contacts` and `places`, each keyed by resource id."""
    ids = [r.id for r in resources]
    found: dict[str, list[PhotoView]] = await photos.photos_of(ids)
    people: dict[str, Contact] = await contacts.resource_contacts(
        [(r.id, r.school_id) for r in resources])
    places: dict[str, Place] = {}
    schools: dict[str, dict[str, SiteView]] = {}
    for r in resources:
        if r.school_id not in schools:
            try:
                school = await catalogue.get_school(actor, r.school_id)
            except NotFound:
                schools[r.school_id] = {}
                continue
            schools[r.school_id] = {s.id: s for s in school.sites}
        site = schools[r.school_id].get(r.site_id)
        place = place_of(site) if site else None
        if place:
            places[r.id] = place
    return {"photos": found, "contacts": people, "places": places}


async def card_photos(resources: Sequence[ResourceView]) -> dict[str, Any]:
    """Template context for catalogue cards: `photos` keyed by resource id."""
    return {"photos": await photos.photos_of([r.id for r in resources])}
