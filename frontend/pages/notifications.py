"""Notification pages: the admin's outbox (`/dev/mail`, what would be or was sent, and the
failed messages), a person's choices (`/me/notifications`) and webhooks (`/webhooks`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, Router, post

from booking.domain.errors import BookingError, NotFound, RuleViolation
from booking.domain.permissions import webhook_organisations
from booking.domain.roles import Actor
from booking.services import notice_settings, outbox_admin, webhooks
from booking.services.booking_webhooks import EVENTS
from booking.settings import Settings, get_settings
from frontend.errors import PAGE_EXCEPTION_HANDLERS, html_error
from frontend.flash import Flash
from frontend.guards import admin, requires, signed_in
from frontend.pages.manage_common import page
from frontend.rendering import redirect, render

PAGE_SIZE = 50


def _settings(request: Request[Any, Any, Any]) -> Settings:
    found = getattr(request.app.state, "settings", None)
    return found if isinstance(found, Settings) else get_settings()




@page("/dev/mail", name="notify.mail_list", guards=[requires(admin)])
async def mail_list(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    """The outbox, newest first: `?status=pending|sent|failed`, `?before=<id>` pages on."""
    status = request.query_params.get("status")
    status = status if status in outbox_admin.STATUSES else None
    before = request.query_params.get("before", "")
    items = await outbox_admin.list_outbox(
        actor, status=status, limit=PAGE_SIZE + 1,
        before_id=int(before) if before.isdigit() and len(before) < 18 else None)
    return await render(
        request, "notify/mail_list.html", items=items[:PAGE_SIZE], status=status,
        more=items[PAGE_SIZE - 1].id if len(items) > PAGE_SIZE else None,
        smtp=bool(_settings(request).smtp_url),
    )


@page("/dev/mail/{message_id:int}", name="notify.mail_view", guards=[requires(admin)])
async def mail_view(request: Request[Any, Any, Any],
                    actor: Actor, message_id: int) -> Response[Any]:
    """One mail as it is (or will be) sent: subject, recipients, text, HTML, calendar part."""
    try:
        preview = await outbox_admin.preview_mail(actor, message_id, _settings(request))
    except NotFound:
        return html_error(request, 404)
    return await render(request, "notify/mail_view.html", preview=preview)


@page("/me/notifications", name="notify.settings", guards=[signed_in])
async def settings_page(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    assert actor.user_id is not None
    choices = await notice_settings.get_choices(actor.user_id)
    return await render(request, "notify/settings.html", choices=choices,
                        manager=bool(actor.managed_school_ids))


@post("/me/notifications", name="notify.settings_save", status_code=303, guards=[signed_in])
async def settings_save(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    """Checkboxes: an unchecked box is absent from the form, so absent means off."""
    assert actor.user_id is not None
    form = await request.form()
    await notice_settings.update_choices(
        actor.user_id, reminders=form.get("reminders") == "on",
        digest=form.get("digest") == "on" if actor.managed_school_ids else None)
    return redirect(request, "/me/notifications", Flash("Your notification settings are saved."))


def _webhook_owner(actor: Actor) -> bool:
    """Who may manage webhooks: a manager of an organisation that has them, or an admin."""
    return bool(webhook_organisations(actor) or actor.is_admin)


async def _webhooks_page(request: Request[Any, Any, Any], actor: Actor, *,
                         secret: str | None = None, created: str | None = None,
                         errors: dict[str, str] | None = None,
                         values: dict[str, Any] | None = None,
                         status_code: int = 200) -> Response[Any]:
    hooks = await webhooks.list_webhooks(actor)
    deliveries = {h.id: await webhooks.recent_deliveries(actor, h.id, limit=10) for h in hooks}
    names = {m.organisation_id: m.organisation_name for m in actor.memberships}
    orgs = sorted((o, names.get(o, o)) for o in webhook_organisations(actor))
    return await render(
        request, "notify/webhooks.html", status_code=status_code, hooks=hooks,
        deliveries=deliveries, names=names, organisations=orgs, all_events=EVENTS,
        secret=secret, created=created, errors=errors or {},
        values=values or {"events": list(EVENTS)},
    )


@page("/webhooks", name="notify.webhooks", guards=[requires(_webhook_owner)])
async def webhooks_page(request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
    """Your organisations' webhooks with their latest deliveries, and a form to add one."""
    return await _webhooks_page(request, actor)


@post("/webhooks", name="notify.webhook_add", status_code=200, guards=[requires(_webhook_owner)])
async def webhook_add(request: Request[Any, Any, Any],
                      actor: Actor, now: datetime) -> Response[Any]:
    """Add one; the answer shows the secret this once (it is never shown again)."""
    form = await request.form()
    url = str(form.get("url") or "").strip()[:500]
    events = [str(e) for e in form.getall("events", [])] if hasattr(form, "getall") else []
    org = str(form.get("organisation_id") or "") or None
    values = {"url": url, "events": events, "organisation_id": org}
    try:
        view, secret = await webhooks.create_webhook(actor, url=url, events=events, now=now,
                                                     organisation_id=org)
    except RuleViolation as exc:
        field = exc.field_name or "url"
        return await _webhooks_page(request, actor, errors={field: str(exc)}, values=values,
                                    status_code=422)
    return await _webhooks_page(request, actor, secret=secret, created=view.id)


@post("/webhooks/{webhook_id:str}/delete", name="notify.webhook_delete", status_code=303,
      guards=[requires(_webhook_owner)])
async def webhook_delete(request: Request[Any, Any, Any],
                         actor: Actor, webhook_id: str) -> Response[Any]:
    try:
        await webhooks.delete_webhook(actor, webhook_id)
    except BookingError:
        return html_error(request, 404)
    return redirect(request, "/webhooks", Flash("The webhook was removed."))


ROUTES: list[Any] = [
    Router(
        path="/",
        route_handlers=[mail_list, mail_view, settings_page, settings_save, webhooks_page,
                        webhook_add, webhook_delete],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
]
