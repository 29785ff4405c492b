"""What every page needs besides its own data: who is signed in, the menu, messages, CSRF.

Page controllers call `render(request, "public/home.html", resources=...)` and
`redirect(url, Flash(...))`; the manage and coordinator pages use the same two functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.response import Redirect, Template

from booking.domain.roles import ANONYMOUS, Actor, Role
from frontend.flash import Flash, clear_cookie, flash_cookie, read_flashes
from frontend.sessions import sessions_of
from frontend.templating import request_locale


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str  # English gettext id, translated in base.html
    key: str


async def current_actor(request: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The actor of the request (anonymous when not signed in); cached on `request.state`."""
    cached = getattr(request.state, "page_actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = await sessions_of(request).actor(request) or ANONYMOUS
    request.state.page_actor = actor
    if not actor.is_anonymous:
        await current_user(request)  # so that an error page can still show who is signed in
    return actor


async def current_user(request: ASGIConnection[Any, Any, Any, Any]) -> Any:
    """The signed-in user (with `name`, `email`) or None; cached on `request.state`."""
    if hasattr(request.state, "page_user"):
        return request.state.page_user
    user = await sessions_of(request).user(request)
    request.state.page_user = user
    return user


def csrf_value(request: Request[Any, Any, Any]) -> str:
    """The CSRF token the forms of this page must post back as `_csrf` ("" for visitors)."""
    return sessions_of(request).csrf(request)


def navigation(actor: Actor) -> list[NavItem]:
    """The header menu for this actor's roles (reports: schools' staff and managers,
    coordinators and companies — each sees the numbers of its own scope)."""
    items = [NavItem("/resources", "Catalogue", "catalogue")]
    if actor.company_ids:
        items.append(NavItem("/my-bookings", "My bookings", "bookings"))
    if actor.staff_school_ids or actor.is_admin:
        items.append(NavItem("/manage", "Manage", "manage"))
    if actor.org_ids(Role.COORDINATOR):
        items.append(NavItem("/coordinator", "Region", "coordinator"))
    if actor.staff_school_ids or actor.org_ids(Role.COORDINATOR) or actor.company_ids:
        items.append(NavItem("/reports", "Reports", "reports"))
    managed = [m.organisation_id for m in actor.memberships
               if m.role in (Role.COMPANY_ADMIN, Role.FACILITY_MANAGER, Role.COORDINATOR)]
    if managed:
        items.append(NavItem(f"/organisations/{managed[0]}", "Members", "members"))
    if actor.is_admin:
        items.append(NavItem("/admin", "Admin", "admin"))
    return items


def organisation_label(actor: Actor) -> str:
    """The organisation names shown next to the user's name."""
    names = dict.fromkeys(m.organisation_name for m in actor.memberships if m.organisation_name)
    return ", ".join(names)


def login_url(request: Request[Any, Any, Any]) -> str:
    """The sign-in page, returning to the current page (path and query) afterwards."""
    return "/login?next=" + quote(current_path(request), safe="")


def shared_context(
    request: Request[Any, Any, Any], actor: Actor, user: Any, section: str = ""
) -> dict[str, Any]:
    """The layout's variables; `render` adds the flashes and the CSRF token."""
    return {
        "request": request,
        "locale": request_locale(request),
        "actor": actor,
        "user": user,
        "organisation": organisation_label(actor),
        "nav": navigation(actor),
        "section": section,
        "flashes": [],
        "csrf": csrf_value(request),
        "current_url": current_path(request),
    }


def current_path(request: Request[Any, Any, Any]) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to return to after signing in; anything else (other hosts) gives `default`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


async def render(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    section: str = "",
    **context: Any,
) -> Template:
    """A page response with the shared context (user, actor, nav, flashes, csrf, locale).

    `section` marks the active menu item. Messages shown here are removed from the cookie.
    """
    actor = await current_actor(request)
    user = await current_user(request) if not actor.is_anonymous else None
    flashes = read_flashes(request)
    shared = shared_context(request, actor, user, section)
    shared["flashes"] = flashes
    return Template(
        template_name,
        context={**shared, **context},
        status_code=status_code,
        cookies=[clear_cookie()] if flashes else None,
    )


def redirect(request: Request[Any, Any, Any], url: str, *messages: Flash) -> Redirect:
    """A 303 to `url` (Post/Redirect/Get), adding `messages` to those already waiting."""
    cookies = [flash_cookie([*read_flashes(request), *messages])] if messages else None
    return Redirect(path=url, status_code=303, cookies=cookies)
