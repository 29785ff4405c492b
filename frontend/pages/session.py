"""Signing in and out with a form, and the language switch (a cookie, so it works without JS)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from booking.domain.roles import Actor, Role
from booking.i18n import LOCALES, translations
from booking.services import accounts
from booking.services.accounts import AuthenticationFailed, TooManyAttempts
from booking.services.actors import load_actor
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.rendering import current_actor, redirect, render, safe_next
from frontend.sessions import sessions_of
from frontend.templating import LANG_COOKIE, request_locale

LANG_MAX_AGE = 365 * 24 * 3600


def _home_for(actor: Actor) -> str:
    """Where a user lands after signing in without a `next`: their main page."""
    if actor.is_admin:
        return "/admin"
    if actor.company_ids:
        return "/my-bookings"
    if actor.staff_school_ids or actor.is_admin:
        return "/manage"
    if actor.org_ids(Role.COORDINATOR):
        return "/coordinator"
    return "/resources"


@get("/login", name="login", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any], next: str | None = None) -> Template:
    return await render(request, "public/login.html", next=safe_next(next, ""), email="", error="")


@post("/login", name="login.submit", include_in_schema=False, status_code=303)
async def login_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""), "")
    t = translations(request_locale(request))
    try:
        user_id = await sessions_of(request).authenticate(
            email, password, sessions_of(request).client(request))
    except TooManyAttempts as exc:
        minutes = max(1, (exc.retry_after or 60) // 60)
        error = t.ngettext(
            "Too many attempts. Try again in %(num)d minute.",
            "Too many attempts. Try again in %(num)d minutes.", minutes,
        ) % {"num": minutes}
        return await _login_again(request, email, target, error, 429)
    except AuthenticationFailed:
        error = t.gettext("This e-mail address and password do not match. Check both.")
        return await _login_again(request, email, target, error, 401)
    actor = await load_actor(user_id)
    user = await accounts.get_user_info(user_id)
    first_name = (user.name if user else "").split(" ")[0]
    welcome = Flash("Welcome, %(name)s. You are signed in.", params={"name": first_name})
    response = redirect(request, target or _home_for(actor), welcome)
    await sessions_of(request).start(user_id, response, request)
    return response


async def _login_again(
    request: Request[Any, Any, Any], email: str, target: str, error: str, status: int
) -> Template:
    return await render(
        request, "public/login.html", status_code=status, next=target, email=email, error=error
    )


@post("/logout", name="logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    form = await request.form()
    await current_actor(request)
    response = redirect(
        request, safe_next(str(form.get("next") or ""), "/"), Flash("You are signed out.", "info")
    )
    await sessions_of(request).end(request, response)
    return response


@get("/lang/{code:str}", name="language", include_in_schema=False)
async def switch_language(code: str, next: str | None = None) -> Redirect:
    """Remember the chosen language for a year and go back to the page the visitor was on."""
    target = safe_next(next, "/")
    if code not in LOCALES:
        return Redirect(target, status_code=303)
    cookie = Cookie(
        key=LANG_COOKIE, value=code, path="/", max_age=LANG_MAX_AGE, samesite="lax", httponly=True
    )
    return Redirect(target, status_code=303, cookies=[cookie])


ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=[login_form, login_submit, logout, switch_language],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
