"""Password reset by mail, the account page (name, language, password, sign out everywhere,
export, delete) and the audit-trail page — the same services as the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.response import Template

from booking.domain.audit import AuditAccess, audit_access, audit_organisations
from booking.domain.errors import Gone, NotAllowed, NotFound, RuleViolation
from booking.domain.roles import Actor
from booking.i18n import LOCALES, translations
from booking.services import accounts, audit, password_reset, privacy, profile
from booking.services.accounts import TooManyAttempts
from frontend.errors import PAGE_EXCEPTION_HANDLERS, html_error
from frontend.flash import Flash
from frontend.guards import signed_in
from frontend.rendering import current_actor, current_user, redirect, render
from frontend.sessions import sessions_of
from frontend.templating import request_locale


def _client(request: Request[Any, Any, Any]) -> str:
    return sessions_of(request).client(request)  # the one rule for the caller's address


async def _end_cookie_session(request: Request[Any, Any, Any], response: Response[Any]) -> None:
    await sessions_of(request).end(request, response)  # clears both cookies, as signing out does


def _session_cookie(request: Request[Any, Any, Any]) -> str | None:
    return sessions_of(request).cookie(request)


def _t(request: Request[Any, Any, Any]) -> Any:
    return translations(request_locale(request))


def _too_many(request: Request[Any, Any, Any], exc: TooManyAttempts) -> str:
    minutes = max(1, (exc.retry_after or 60) // 60)
    return str(_t(request).ngettext(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.", minutes,
    ) % {"num": minutes})


# password reset ------------------------------------------------------------------------------


@get("/password-reset", name="password_reset", include_in_schema=False)
async def reset_request_form(request: Request[Any, Any, Any]) -> Template:
    return await render(request, "account/reset_request.html", email="", error="", sent=False)


@post("/password-reset", name="password_reset.submit", include_in_schema=False, status_code=200)
async def reset_request_submit(request: Request[Any, Any, Any], now: datetime) -> Template:
    """The same answer whether or not the address has an account."""
    form = await request.form()
    email = str(form.get("email") or "").strip()[:254]
    if "@" not in email:
        error = _t(request).gettext("Fill in your e-mail address.")
        return await render(request, "account/reset_request.html", status_code=422,
                            email=email, error=error, sent=False)
    try:
        await password_reset.request_reset(email, _client(request), now)
    except TooManyAttempts as exc:
        return await render(request, "account/reset_request.html", status_code=429,
                            email=email, error=_too_many(request, exc), sent=False)
    return await render(request, "account/reset_request.html", email=email, error="", sent=True)


@get("/password-reset/{token:str}", name="password_reset.link", include_in_schema=False)
async def reset_form(request: Request[Any, Any, Any], token: str, now: datetime) -> Response[Any]:
    try:
        await password_reset.check_link(token, now)
    except Gone:
        return await render(request, "account/reset_gone.html", status_code=410)
    return await render(request, "account/reset_password.html", token=token, error="")


@post("/password-reset/{token:str}", name="password_reset.set", include_in_schema=False,
      status_code=200)
async def reset_submit(request: Request[Any, Any, Any], token: str, now: datetime
                       ) -> Response[Any]:
    form = await request.form()
    password = str(form.get("password") or "")
    if password != str(form.get("password_again") or ""):
        error = _t(request).gettext("The two passwords differ. Type the same one twice.")
        return await render(request, "account/reset_password.html", status_code=422,
                            token=token, error=error)
    try:
        await password_reset.reset_password(token, password, now)
    except Gone:
        return await render(request, "account/reset_gone.html", status_code=410)
    except RuleViolation:
        error = _t(request).gettext("Choose a password of at least 8 characters.")
        return await render(request, "account/reset_password.html", status_code=422,
                            token=token, error=error)
    return redirect(request, "/login",
                    Flash("Your new password is set. Sign in with it.", "success"))


# the account page ----------------------------------------------------------------------------


async def _account_page(request: Request[Any, Any, Any], *, errors: dict[str, str] | None = None,
                        status_code: int = 200) -> Response[Any]:
    actor = await current_actor(request)  # signed in: the callers' guard
    tokens = await accounts.list_tokens(actor.user_id or "")
    return await render(request, "account/account.html", section="account",
                        status_code=status_code, errors=errors or {}, tokens=tokens,
                        locales=LOCALES, me=await current_user(request))


@get("/account", name="account", include_in_schema=False, guards=[signed_in])
async def account_page(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _account_page(request)


_FIELD_MESSAGES = {
    "name": "Fill in a name of at most 200 characters.",
    "locale": "Choose Nederlands or English.",
    "password": "Choose a password of at least 8 characters.",
    "current_password": "Your current password is not right.",
}


@post("/account", name="account.submit", include_in_schema=False, status_code=200,
      guards=[signed_in])
async def account_submit(request: Request[Any, Any, Any], actor: Actor,
                         now: datetime) -> Response[Any]:
    """One form per action (`action` = profile | password | everywhere | delete)."""
    assert actor.user_id is not None  # signed in (the guard)
    form = await request.form()
    action = str(form.get("action") or "")
    if action == "everywhere":
        await profile.sign_out_everywhere(actor.user_id, now)
        response = redirect(request, "/login", Flash("You are signed out everywhere.", "info"))
        await _end_cookie_session(request, response)
        return response
    if action == "delete":
        if form.get("confirm") != "yes":
            return await _account_page(request, status_code=422, errors={
                "confirm": _t(request).gettext("Tick the box to confirm.")})
        await privacy.anonymise(actor.user_id, now, actor_id=actor.user_id, reason="request")
        response = redirect(request, "/", Flash("Your account is deleted.", "info"))
        await _end_cookie_session(request, response)
        return response
    cookie = _session_cookie(request)
    try:
        if action == "password":
            new = str(form.get("password") or "")
            if new != str(form.get("password_again") or ""):
                return await _account_page(request, status_code=422, errors={
                    "password": _t(request).gettext(
                        "The two passwords differ. Type the same one twice.")})
            await profile.update_profile(
                actor.user_id, now=now, client=_client(request), password=new,
                current_password=str(form.get("current_password") or ""),
                keep_session_hash=accounts.digest(cookie) if cookie else None)
            message = "Your password is changed. You are signed out on other devices."
        else:
            await profile.update_profile(
                actor.user_id, now=now, client=_client(request),
                name=str(form.get("name") or ""), locale=str(form.get("locale") or "nl"))
            message = "Your details are saved."
    except RuleViolation as exc:
        field = exc.field_name or "name"
        return await _account_page(request, status_code=422, errors={
            field: _t(request).gettext(_FIELD_MESSAGES.get(field, _FIELD_MESSAGES["name"]))})
    except TooManyAttempts as exc:
        return await _account_page(request, status_code=429,
                                   errors={"current_password": _too_many(request, exc)})
    return redirect(request, "/account", Flash(message, "success"))


# the audit trail -----------------------------------------------------------------------------


@get("/audit", name="audit", include_in_schema=False, guards=[signed_in])
async def audit_page(
    request: Request[Any, Any, Any], actor: Actor, organisation: str | None = None,
    cursor: str | None = None
) -> Response[Any]:
    """A school's facility managers see its own entries, a company its bookings', the admin
    everything (choose an organisation to narrow it)."""
    readable = audit_organisations(actor)
    choices = [(m.organisation_id, m.organisation_name) for m in actor.memberships
               if readable is None or m.organisation_id in readable]
    if readable is not None and not readable:
        return html_error(request, 403)
    if organisation and audit_access(actor, organisation) is AuditAccess.FORBIDDEN:
        return html_error(request, 403)
    try:
        page = await audit.list_entries(actor, organisation_id=organisation or None,
                                        limit=50, cursor=cursor)
    except (NotFound, RuleViolation):
        return html_error(request, 404)
    except NotAllowed:
        return html_error(request, 403)
    return await render(request, "account/audit.html", section="audit", entries=page.items,
                        next_cursor=page.next_cursor, choices=list(dict.fromkeys(choices)),
                        organisation=organisation or "", everything=readable is None)


ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=[reset_request_form, reset_request_submit, reset_form, reset_submit,
                        account_page, account_submit, audit_page],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
