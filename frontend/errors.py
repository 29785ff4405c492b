"""Error pages that help: 404 (with a search and the way back), 403 (sign in as someone else),
and 503 while the database cannot be reached (a short page in the visitor's language).

`PAGE_EXCEPTION_HANDLERS` goes on the routers of the pages, so errors raised while rendering a
page answer HTML; `html_error(request, status)` is for the app's own handlers (unknown URLs).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from booking.domain.errors import NotAllowed, NotFound
from booking.domain.roles import ANONYMOUS, Actor
from booking.services.health import RETRY_AFTER_SECONDS, is_outage
from frontend.rendering import login_url, shared_context

log = logging.getLogger("labshare.pages")


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """True for browser page requests (not the JSON API, feeds, photos or the schema)."""
    path = request.url.path
    if path.startswith(("/api/", "/feeds/", "/schema", "/static/", "/photos/")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


def _known_actor(request: Request[Any, Any, Any]) -> Actor:
    """The actor already resolved for this request (by the page or the API's middleware)."""
    for name in ("page_actor", "actor"):
        actor = getattr(request.state, name, None)
        if isinstance(actor, Actor):
            return actor
    return ANONYMOUS


def _signed_in(request: Request[Any, Any, Any]) -> bool:
    identity = getattr(request.state, "identity", None)
    return getattr(identity, "user_id", None) is not None or not _known_actor(request).is_anonymous


def html_error(
    request: Request[Any, Any, Any], status: int, *, expired_form: bool = False
) -> Response[Any]:
    """The error page for `status` (404, 403; anything else shows the generic page)."""
    actor = _known_actor(request)
    user = getattr(request.state, "page_user", None)
    name = {404: "errors/404.html", 403: "errors/403.html"}.get(status, "errors/error.html")
    context = shared_context(request, actor, user)
    context.update(status=status, expired_form=expired_form)
    return Template(name, context=context, status_code=status)


def unavailable_page(request: Request[Any, Any, Any]) -> Response[Any]:
    """503 with Retry-After: the database cannot be reached (never a 500 for an outage)."""
    context = shared_context(request, _known_actor(request), None)
    context.update(status=503)
    return Template("errors/unavailable.html", context=context, status_code=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_outage(exc):
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return unavailable_page(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return html_error(request, 500)


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return html_error(request, 404)


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not _signed_in(request):
        return Redirect(login_url(request), status_code=303)
    expired = isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail)
    return html_error(request, 403, expired_form=expired)


def _unauthenticated(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return Redirect(login_url(request), status_code=303)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 403:
        return _forbidden(request, exc)
    if exc.status_code == 401:
        return _unauthenticated(request, exc)
    return html_error(request, exc.status_code)


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotFound: _not_found,
    NotFoundException: _not_found,
    NotAllowed: _forbidden,
    PermissionDeniedException: _forbidden,
    NotAuthorizedException: _unauthenticated,
    HTTPException: _http,
    Exception: _unexpected,
}
