"""The pages behind the mailed links and the company sign-up form: `/invitations/<token>`,
`/signup`, `/signup/<token>`. Each calls the same services as the API; a used or expired link
answers 410 with a page that says so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, post
from litestar.response import Template

from booking.domain.errors import Gone, RuleViolation
from booking.services import members, signup
from booking.services.accounts import TooManyAttempts
from frontend.errors import PAGE_EXCEPTION_HANDLERS
from frontend.flash import Flash
from frontend.pages.manage_common import page
from frontend.pages.organisation import refused
from frontend.rendering import current_actor, redirect, render
from frontend.sessions import sessions_of
from frontend.templating import request_locale


async def _gone(request: Request[Any, Any, Any], exc: Gone) -> Template:
    return await render(request, "onboarding/gone.html", status_code=410, message=str(exc))


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "_csrf"}


@page("/invitations/{token:str}", name="invitation")
async def invitation_page(request: Request[Any, Any, Any],
                          now: datetime, token: str) -> Response[Any]:
    try:
        invitation = await members.read_invitation(token, now)
    except Gone as exc:
        return await _gone(request, exc)
    actor = await current_actor(request)
    return await render(request, "onboarding/invitation.html", invitation=invitation,
                        token=token, signed_in=not actor.is_anonymous, error="", name="")


@post("/invitations/{token:str}", name="invitation.accept", status_code=303)
async def accept(request: Request[Any, Any, Any], now: datetime, token: str) -> Response[Any]:
    actor = await current_actor(request)
    form = await _form(request)
    try:
        done = await members.accept_invitation(
            actor, token, now, name=form.get("name", ""), password=form.get("password", ""),
            locale=request_locale(request))
    except Gone as exc:
        return await _gone(request, exc)
    except RuleViolation as exc:
        invitation = await members.read_invitation(token, now)
        return await render(request, "onboarding/invitation.html", status_code=422,
                            invitation=invitation, token=token, signed_in=not actor.is_anonymous,
                            error=refused(exc).message, name=form.get("name", ""))
    response = redirect(request, f"/organisations/{done.organisation_id}", Flash(
        "Welcome! You are now a member.", "success"))
    if done.new_account:
        await sessions_of(request).start(done.user_id, response, request)
    return response


@page("/signup", name="signup")
async def signup_form(request: Request[Any, Any, Any]) -> Response[Any]:
    return await render(request, "onboarding/signup.html", values={}, error="")


@post("/signup", name="signup.submit", status_code=303)
async def signup_submit(request: Request[Any, Any, Any], now: datetime) -> Response[Any]:
    form = await _form(request)
    data = signup.SignupInput(
        company_name=form.get("company_name", ""), kvk=form.get("kvk", ""),
        name=form.get("name", ""), email=form.get("email", ""),
        password=form.get("password", ""), locale=request_locale(request))
    try:
        await signup.request_signup(data, sessions_of(request).client(request), now,
                                    limits=sessions_of(request).login_limits())
    except RuleViolation as exc:
        values = {k: v for k, v in form.items() if k != "password"}
        return await render(request, "onboarding/signup.html", status_code=422, values=values,
                            error=refused(exc).message)
    except TooManyAttempts:
        values = {k: v for k, v in form.items() if k != "password"}
        return await render(request, "onboarding/signup.html", status_code=429, values=values,
                            error="Too many attempts. Try again later.")
    return await render(request, "onboarding/signup_sent.html", status_code=202,
                        email=data.email.strip())


@page("/signup/{token:str}", name="signup.link")
async def confirm_page(request: Request[Any, Any, Any], now: datetime, token: str) -> Response[Any]:
    try:
        view = await signup.read_signup(token, now)
    except Gone as exc:
        return await _gone(request, exc)
    return await render(request, "onboarding/signup_confirm.html", signup=view, token=token,
                        error="")


@post("/signup/{token:str}", name="signup.confirm", status_code=303)
async def confirm(request: Request[Any, Any, Any], now: datetime, token: str) -> Response[Any]:
    try:
        done = await signup.confirm_signup(token, now)
    except Gone as exc:
        return await _gone(request, exc)
    except RuleViolation as exc:
        view = await signup.read_signup(token, now)
        return await render(request, "onboarding/signup_confirm.html", status_code=422,
                            signup=view, token=token, error=refused(exc).message)
    response = redirect(request, f"/organisations/{done.organisation_id}", Flash(
        "Your company is on labshare. Invite your colleagues here.", "success"))
    await sessions_of(request).start(done.user_id, response, request)
    return response


ROUTES: list[Any] = [
    Router(path="/", route_handlers=[invitation_page, accept, signup_form, signup_submit,
                                     confirm_page, confirm],
           exception_handlers=PAGE_EXCEPTION_HANDLERS, include_in_schema=False)
]
