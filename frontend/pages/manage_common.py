"""What every facility-manager page shares: who may enter, which school is shown, form reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import HttpMethod, Request, route
from litestar.handlers import HTTPRouteHandler
from litestar.types import Guard

from booking.domain.errors import NotFound
from booking.domain.localtime import local_instant
from booking.domain.roles import Actor
from booking.services import catalogue
from booking.services.views import SchoolView
from frontend.forms import FormErrors, parse_date, parse_time
from frontend.templating import request_locale


def page(path: str, *, name: str, guards: list[Guard] | None = None) -> HTTPRouteHandler:
    """A page route answering GET and HEAD (link checkers ask with HEAD; Litestar's `@get`
    alone answers them 404). Litestar sends no body for HEAD. `guards`: see frontend.guards."""
    return route(path, http_method=[HttpMethod.GET, HttpMethod.HEAD], name=name, guards=guards)


@dataclass(frozen=True, slots=True)
class SchoolChoice:
    """The school a page shows and the schools the user may switch to."""

    school: SchoolView
    options: list[tuple[str, str]]  # (id, name)

    @property
    def id(self) -> str:
        return self.school.id

    @property
    def timezone(self) -> str:
        return self.school.sites[0].timezone if self.school.sites else "Europe/Amsterdam"

    def query(self, **extra: str) -> str:
        """`?school=…` (only when the user has several) plus `extra`, for links and redirects."""
        params = dict(extra)
        if len(self.options) > 1:
            params = {"school": self.id, **params}
        return ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""



async def choose_school(request: Request[Any, Any, Any], actor: Actor) -> SchoolChoice:
    """The school named by `?school=` (or a form's `school`), else the first of the user's.

    A school the user does not work for is answered as unknown (NotFound → 404).
    """
    if actor.is_admin:
        schools = await catalogue.list_schools(actor)
        options = sorted(((s.id, s.name) for s in schools), key=lambda o: o[1])
    else:
        names = {m.organisation_id: m.organisation_name for m in actor.memberships}
        options = sorted(
            ((sid, names.get(sid, "")) for sid in actor.staff_school_ids), key=lambda o: o[1]
        )
    wanted = request.query_params.get("school") or (options[0][0] if options else "")
    if wanted not in {sid for sid, _ in options}:
        raise NotFound("school")
    return SchoolChoice(await catalogue.get_school(actor, wanted), options)


def form_errors(request: Request[Any, Any, Any]) -> FormErrors:
    return FormErrors(request_locale(request))


def local_moment(
    form: Any, prefix: str, tz: str, errors: FormErrors, *, end: bool = False
) -> datetime | None:
    """The instant of the `<prefix>_date` + `<prefix>_time` fields on the local clock of `tz`
    (a repeated autumn time means its first reading, or its second for an `end`)."""
    day: date | None = parse_date(form.get(f"{prefix}_date"), f"{prefix}_date", errors)
    if day is None and f"{prefix}_date" not in errors:
        errors.add(f"{prefix}_date", "Enter a date such as %(example)s.", example="2027-03-29")
    minute = parse_time(form.get(f"{prefix}_time"), f"{prefix}_time", errors)
    if day is None or minute is None:
        return None
    return local_instant(tz, day, minute, latest=end)
