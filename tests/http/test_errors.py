"""Problem details for everything a client can get wrong; never a 500."""

from __future__ import annotations

import httpx
import pytest

from api.controllers import health
from tests.factories import booker, make_resource
from tests.http.conftest import bearer

PROBLEM = "application/problem+json"


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


async def test_healthz_503_when_the_database_fails(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    r = await client.get("/healthz")
    assert r.status_code == 503 and r.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/nowhere", 404),
        ("/api/v1/resources/not-a-uuid", 404),
        ("/api/v1/resources/00000000-0000-0000-0000-000000000000", 404),
        ("/api/v1/schools/00000000-0000-0000-0000-000000000000", 404),
        ("/api/v1/resources?limit=0", 422),
        ("/api/v1/resources?limit=201", 422),
        ("/api/v1/resources?kind=spaceship", 422),
        ("/api/v1/resources?cursor=garbage", 422),
    ],
)
async def test_bad_reads(client: httpx.AsyncClient, path: str, status: int) -> None:
    r = await client.get(path)
    assert r.status_code == status, r.text
    body = r.json()
    assert r.headers["content-type"].startswith(PROBLEM)
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    if status == 422:
        assert body["errors"] and {"field", "message"} == set(body["errors"][0])


async def test_naive_and_malformed_times_are_422(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    for start in ("2026-03-09T00:00:00", "yesterday", "2026-13-40T00:00:00+01:00"):
        r = await client.get(f"/api/v1/resources/{rid}/availability",
                             params={"from": start, "to": "2026-03-10T00:00:00+01:00"})
        assert r.status_code == 422, (start, r.text)
    actor, _ = await booker()
    headers = await bearer(actor.user_id or "")
    r = await client.post("/api/v1/bookings", headers=headers, json={
        "resource_ids": [rid], "start": "2026-03-09T10:00:00", "end": "2026-03-09T12:00:00"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "start"


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"resource_ids": []}',
        b'{"resource_ids": ["x"], "start": 1, "end": 2}',
        b'{"status": "confirmed"}',
        "{\"title\": \"\u00e9\"".encode(),
    ],
)
async def test_malformed_bodies_are_422(client: httpx.AsyncClient, body: bytes) -> None:
    actor, _ = await booker()
    headers = {**await bearer(actor.user_id or ""), "content-type": "application/json"}
    r = await client.post("/api/v1/bookings", headers=headers, content=body)
    assert r.status_code == 422, r.text


async def test_client_cannot_set_status_or_price(client: httpx.AsyncClient) -> None:
    rid = await make_resource()
    actor, _ = await booker()
    body = {"resource_ids": [rid], "start": "2026-03-09T10:00:00+01:00",
            "end": "2026-03-09T12:00:00+01:00"}
    headers = await bearer(actor.user_id or "")
    for extra in ({"status": "confirmed"}, {"price": {"amount": "0.00", "currency": "EUR"}}):
        r = await client.post("/api/v1/bookings", headers=headers, json={**body, **extra})
        assert r.status_code == 422


async def test_openapi_document(client: httpx.AsyncClient) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    post = doc["paths"]["/api/v1/bookings"]["post"]
    assert {"201", "401", "404", "409", "422"} <= set(post["responses"])
    cancel = doc["paths"]["/api/v1/bookings/{booking_id}/cancel"]["post"]
    assert "412" in cancel["responses"]
    login = doc["paths"]["/api/v1/auth/login"]["post"]
    assert "429" in login["responses"]


async def test_openapi_declares_exactly_the_statuses_that_can_happen(
    client: httpx.AsyncClient,
) -> None:
    """No 400 (the app answers 422); 401 wherever a bearer token is checked; the CSRF 403 on
    unsafe methods (login is exempt); 422 only where the client sends input."""
    doc = (await client.get("/schema/openapi.json")).json()
    ops = {(method.upper(), path): op["responses"] for path, item in doc["paths"].items()
           for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")}
    for (method, path), responses in ops.items():
        assert "400" not in responses, (method, path)
        if path.startswith("/api/"):
            assert "401" in responses, (method, path)
            if method != "GET" and path != "/api/v1/auth/login":
                assert "403" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    assert "401" in ops[("POST", "/api/v1/auth/logout")]
    assert "403" in ops[("POST", "/api/v1/calendar-imports/{import_id}/refresh")]
    assert "403" in ops[("DELETE", "/api/v1/calendar-imports/{import_id}")]
    for no_input in (("GET", "/api/v1/me"), ("GET", "/api/v1/tokens"), ("GET", "/healthz"),
                     ("GET", "/api/v1/resources/{resource_id}"), ("GET", "/api/v1/schools")):
        assert "422" not in ops[no_input], no_input
    for no_auth in (("GET", "/healthz"), ("GET", "/feeds/{filename}")):
        assert "401" not in ops[no_auth], no_auth
    assert {"401", "403", "422"} <= set(ops[("POST", "/api/v1/bookings")])
    assert "412" in ops[("POST", "/api/v1/bookings/{booking_id}/approve")]
    assert "412" not in ops[("POST", "/api/v1/bookings")]
    assert "429" not in ops[("POST", "/api/v1/bookings")]


async def test_declared_401_and_403_happen(client: httpx.AsyncClient) -> None:
    """What the document promises for logout and public reads is what the app does: an
    unknown bearer token is 401 anywhere under /api, a cookie session without CSRF is 403."""
    unknown = {"Authorization": "Bearer lsk_unknown"}
    assert (await client.post("/api/v1/auth/logout", headers=unknown)).status_code == 401
    assert (await client.get("/api/v1/schools", headers=unknown)).status_code == 401


def test_discovery_mounts_every_routes_module(settings: object) -> None:
    """The full app (API controllers and pages) builds, and each ROUTES module is mounted."""
    import importlib
    import pkgutil

    from api.app import ROUTE_PACKAGES, create_app

    app = create_app(settings, own_engine=False)  # type: ignore[arg-type]
    paths = {route.path for route in app.routes}
    assert "/healthz" in paths and "/api/v1/bookings" in paths
    for package_name in ROUTE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package_name}.{info.name}")
            for handler in getattr(module, "ROUTES", None) or []:
                for path in getattr(handler, "paths", ()):
                    assert any(p.startswith(path.split("{")[0]) for p in paths), path
