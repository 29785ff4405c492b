"""The Litestar app factory: settings, database lifespan, error mapping, route discovery.

Discovery, so that nobody edits this file to add routes: every module of `api/controllers/` and
`frontend/pages/` that defines `ROUTES: list` (handlers, Controllers, Routers) is mounted.
`frontend/templating.py`, when present, supplies `template_config()`, `static_router()` and
optionally `plugins()`. The OpenAPI document is served at `/schema/openapi.json`.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any, cast

from litestar import Litestar, Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server, Tag
from litestar.types import (
    ASGIApp,
    ControllerRouterHandler,
    ExceptionHandlersMap,
    Message,
    Receive,
    Scope,
    Send,
)

from api.auth import SESSION_COOKIE, AuthMiddleware
from api.background import background_lifespan
from api.clock import Clock
from api.deps import DEPENDENCIES
from api.errors import exception_handlers
from api.headers import security_headers
from api.methods import exact_allow, head_as_get
from api.openapi import StrictStructSchemaPlugin, declare_problem_statuses
from api.page_sessions import PageSessions
from api.requests import StrictRequest
from booking.db import engine as db_engine
from booking.db.migrate import migrate
from booking.settings import Settings, get_settings

log = logging.getLogger("labshare.api")

ROUTE_PACKAGES = ("api.controllers", "frontend.pages")


def _optional_module(name: str) -> ModuleType | None:
    """The module, or None when it (not one of its imports) does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def discover_routes(packages: tuple[str, ...] = ROUTE_PACKAGES) -> list[ControllerRouterHandler]:
    """`ROUTES` of every module in `packages`, in module-name order."""
    routes: list[ControllerRouterHandler] = []
    for package_name in packages:
        package = _optional_module(package_name)
        if package is None or not hasattr(package, "__path__"):
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package_name}.{info.name}")
            found = getattr(module, "ROUTES", None)
            if isinstance(found, list):
                routes.extend(found)
    return routes


def _frontend_extras() -> dict[str, Any]:
    templating = _optional_module("frontend.templating")
    if templating is None:
        return {"route_handlers": [], "plugins": []}
    extras: dict[str, Any] = {"route_handlers": [], "plugins": []}
    if hasattr(templating, "template_config"):
        extras["template_config"] = templating.template_config()
    if hasattr(templating, "static_router"):
        extras["route_handlers"].append(templating.static_router())
    if hasattr(templating, "plugins"):
        extras["plugins"].extend(templating.plugins())
    return extras


_NUL_PROBLEM = (
    b'{"type":"/problems/validation","title":"Unprocessable Content","status":422,'
    b'"detail":"the query must not contain NUL characters",'
    b'"errors":[{"field":"query","message":"the query must not contain NUL characters"}]}'
)


def refuse_nul_queries(app: ASGIApp) -> ASGIApp:
    """422 for a query string carrying NUL (`%00`): PostgreSQL cannot compare text holding it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and b"%00" in scope.get("query_string", b""):
            await send(cast("Message", {"type": "http.response.start", "status": 422, "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(_NUL_PROBLEM)).encode()),
            ]}))
            await send(cast("Message", {"type": "http.response.body", "body": _NUL_PROBLEM}))
            return
        await app(scope, receive, send)

    return middleware


def _with_html_errors(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """Unknown URLs asked for by a browser get the pages' 404 instead of JSON (a 405 stays a
    405 with its `Allow`)."""
    pages = _optional_module("frontend.errors")
    if pages is None:
        return handlers
    api_http = handlers[HTTPException]

    def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        if exc.status_code == 404 and pages.wants_html(request):
            return pages.html_error(request, 404)  # type: ignore[no-any-return]
        return api_http(request, exc)

    return {**handlers, HTTPException: on_http}


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="labshare",
        version="1.0.0",
        description=(
            "Book labs and equipment of vocational schools. Errors are RFC 9457 problem details; "
            "times are RFC 3339 with the site's local offset (naive times are refused)."
        ),
        path="/schema",
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", description="API token"),
                "session": SecurityScheme(
                    type="apiKey",
                    name=SESSION_COOKIE,
                    security_scheme_in="cookie",
                    description="Session cookie from /api/v1/auth/login (send X-CSRF-Token)",
                ),
            }
        ),
        tags=[
            Tag(name="auth"),
            Tag(name="catalogue"),
            Tag(name="bookings"),
            Tag(name="calendars"),
            Tag(name="reports"),
            Tag(name="operations"),
            Tag(name="organisations"),
        ],
        use_handler_docstrings=True,
    )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    route_packages: tuple[str, ...] = ROUTE_PACKAGES,
    own_engine: bool = True,
) -> Litestar:
    """The app on `settings` (default: from the environment). The lifespan configures and opens
    the database engine, applies pending migrations unless `migrate_on_startup` is off (the
    `serve` command migrates once before starting workers), and closes the engine.

    A module in `route_packages` that fails to import fails the app (no silently lost pages).
    With `own_engine=False` the caller (a test) owns the current engine and its migrations."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not own_engine:
            yield
            return
        engine = db_engine.configure(settings.database_url)
        await db_engine.open_engine(engine)
        try:
            if settings.migrate_on_startup:
                await migrate()
            yield
        finally:
            await db_engine.close_engine(engine)

    extras = _frontend_extras()
    extras["plugins"].insert(0, StrictStructSchemaPlugin())
    app = Litestar(
        route_handlers=[*discover_routes(route_packages), *extras.pop("route_handlers")],
        lifespan=[lifespan, background_lifespan] if own_engine else [lifespan],
        exception_handlers=_with_html_errors(exception_handlers()),
        dependencies=DEPENDENCIES,
        middleware=[AuthMiddleware()],
        openapi_config=openapi_config(),
        debug=settings.debug,
        request_max_body_size=2 * 1024 * 1024,
        request_class=StrictRequest,
        **extras,
    )
    declare_problem_statuses(app)
    # before routing: HEAD must match GET routes; NUL must not reach a query; Allow is exact
    app.asgi_handler = refuse_nul_queries(head_as_get(exact_allow(app, app.asgi_handler)))
    app.state.settings = settings
    app.state.clock = clock
    app.state.sessions = PageSessions()  # the pages' auth port (frontend imports no api)

    # outermost: every response, refusals before routing included, gets the security headers
    app.asgi_handler = security_headers(app.asgi_handler, settings)
    return app
