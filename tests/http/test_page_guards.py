"""Every page behind `frontend.guards` (found in the app's routes, so a new page is covered by
itself) sends a visitor to sign in and back, and refuses a signed-in person without the role."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from litestar import Litestar

from booking.services import accounts
from frontend.guards import GUARDS
from tests.http.conftest import NOW

PASSWORD = "correct horse battery"
SAMPLE = {"str": "x", "int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}


def guarded(app: Litestar) -> list[tuple[str, str, bool]]:
    """`(method, path, needs_a_role)` of every guarded page route, path parameters filled in."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            guards = [g for g in handler.resolve_guards() if g in GUARDS]
            if not guards:
                continue
            path = re.sub(r"\{\w+:(\w+)\}", lambda m: SAMPLE[m.group(1)], route.path)
            role = any(GUARDS[g] is not None for g in guards)
            for method in sorted(handler.http_methods - {"HEAD"}):
                found.append((method, path, role))
    return found


async def test_every_guarded_page_sends_a_visitor_to_sign_in_and_back(
    pages_app: Litestar, web: httpx.AsyncClient, db: Any
) -> None:
    routes = guarded(pages_app)
    paths = {path for _, path, _ in routes}
    assert {"/manage", "/my-bookings", "/account", "/reports", "/admin"} <= paths
    for method, path, _ in routes:
        answer = await web.request(method, path, params={"q": "1"})
        assert answer.status_code == 303, (method, path, answer.status_code)
        assert answer.headers["location"] == "/login?next=" + quote(f"{path}?q=1", safe=""), (
            method, path)


async def test_a_page_for_a_role_refuses_a_signed_in_person_without_it(
    pages_app: Litestar, web: httpx.AsyncClient, db: Any
) -> None:
    await accounts.create_user(email="nobody@example.test", name="Nog Niemand",
                               password=PASSWORD, now=NOW)
    signed = await web.post("/login", data={"email": "nobody@example.test",
                                            "password": PASSWORD, "next": ""})
    assert signed.status_code == 303
    for_roles = [path for method, path, role in guarded(pages_app) if role and method == "GET"]
    assert {"/manage", "/my-bookings", "/admin"} <= set(for_roles)
    for path in for_roles:
        answer = await web.get(path)
        assert answer.status_code == 403, (path, answer.status_code)
        assert "<html" in answer.text, path  # the 403 page, not the API's problem JSON
