"""Notifications through the HTTP API: webhooks signed and delivered to a receiver on
loopback, the admin's outbox listing, and the reminder/digest choices of PATCH /api/v1/me."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from booking.db.sql import execute
from booking.services.outbox_worker import deliver_due
from booking.services.webhook_delivery import SIGNATURE_HEADER, verify_signature
from booking.settings import Settings
from tests.factories import make_company, make_resource, make_school, make_site, make_user, new_id
from tests.http.conftest import NOW, bearer

MON = {"start": "2026-03-09T10:00:00+01:00", "end": "2026-03-09T12:00:00+01:00"}


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps (headers, raw body); answers `status`."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("LABSHARE_IMPORT_ALLOW_PRIVATE", "1")  # loopback is private
    r = Receiver()
    yield r
    r.close()


def _quiet() -> Settings:
    return Settings(database_url="", smtp_url="")  # webhooks go out; mail stays queued


async def _setup() -> dict[str, Any]:
    school = await make_school()
    rid = await make_resource(site_id=await make_site(school_id=school), approval_required=True)
    company = await make_company(partner_of=[school])
    return {
        "rid": rid, "company": company, "school": school,
        "booker": await bearer(await make_user(memberships=[(company, "booker")])),
        "manager": await bearer(await make_user(memberships=[(school, "facility_manager")])),
    }


async def test_webhook_deliveries_are_signed_and_retried_until_2xx(
    client: httpx.AsyncClient, receiver: Receiver,
) -> None:
    w = await _setup()
    r = await client.post("/api/v1/webhooks", headers=w["manager"], json={
        "url": receiver.url, "events": ["booking.created", "booking.confirmed"]})
    assert r.status_code == 201, r.text
    hook = r.json()
    secret = hook["secret"]
    assert secret and hook["organisation_id"] == w["school"]
    listed = (await client.get("/api/v1/webhooks", headers=w["manager"])).json()["items"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert (await client.get("/api/v1/webhooks", headers=w["booker"])).json()["items"] == []

    receiver.status = 503  # the integrator is down at first
    r = await client.post("/api/v1/bookings", headers=w["booker"],
                          json={"resource_ids": [w["rid"]], **MON, "title": "Cursus"})
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    await deliver_due(NOW, _quiet())
    assert len(receiver.calls) == 1
    assert await deliver_due(NOW + timedelta(seconds=30), _quiet()) == 0  # backs off
    receiver.status = 204
    await deliver_due(NOW + timedelta(minutes=2), _quiet())
    assert len(receiver.calls) == 2
    assert await deliver_due(NOW + timedelta(hours=3), _quiet()) == 0  # delivered: done

    headers, body = receiver.calls[-1]
    assert verify_signature(secret, body, headers[SIGNATURE_HEADER])
    assert not verify_signature("whsec_wrong", body, headers[SIGNATURE_HEADER])
    assert not verify_signature(secret, body + b" ", headers[SIGNATURE_HEADER])
    event = json.loads(body)
    assert event["type"] == "booking.created"
    assert event["data"]["booking"]["id"] == booking_id
    assert event["data"]["booking"]["starts_at"] == MON["start"]
    # the same event delivered twice carries the same id, so the receiver can dedupe
    assert json.loads(receiver.calls[0][1])["id"] == event["id"]

    r = await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=w["manager"])
    (delivery,) = r.json()["items"]
    assert (delivery["event"], delivery["status"]) == ("booking.created", "sent")
    assert delivery["attempts"] >= 2  # the 503, then the 204
    assert (await client.get(f"/api/v1/webhooks/{hook['id']}/deliveries",
                             headers=w["booker"])).status_code == 404
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}",
                                headers=w["manager"])).status_code == 204


async def test_webhook_to_a_private_address_is_refused(client: httpx.AsyncClient) -> None:
    w = await _setup()
    r = await client.post("/api/v1/webhooks", headers=w["manager"], json={
        "url": "http://127.0.0.1:9/hook", "events": ["booking.created"]})
    assert r.status_code == 422, r.text
    r = await client.post("/api/v1/webhooks", headers=w["manager"], json={
        "url": "https://crm.example/hook", "events": ["booking.moved"]})
    assert r.status_code == 422, r.text


async def test_outbox_lists_failed_messages_for_admins_only(client: httpx.AsyncClient) -> None:
    platform = new_id()
    await execute("INSERT INTO organisations (id, kind, name, is_sme, city, created_at) "
                  "VALUES ($1, 'platform', 'labshare', FALSE, '', $2)", platform, NOW)
    admin = await bearer(await make_user(memberships=[(platform, "admin")]))
    w = await _setup()
    await client.post("/api/v1/bookings", headers=w["booker"],
                      json={"resource_ids": [w["rid"]], **MON, "title": "Cursus"})
    await deliver_due(NOW, _quiet())  # the request's mails are written; without SMTP they wait
    await execute("UPDATE outbox_messages SET status = 'failed', "
                  "last_error = 'PermanentFailure: 550 no such user'")
    r = await client.get("/api/v1/outbox?status=failed", headers=admin)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items and all(i["status"] == "failed" and "550" in i["last_error"] for i in items)
    assert (await client.get("/api/v1/outbox", headers=w["manager"])).status_code == 403
    assert (await client.get("/api/v1/outbox")).status_code == 401


async def test_reminders_can_be_turned_off(client: httpx.AsyncClient) -> None:
    w = await _setup()
    r = await client.patch("/api/v1/me", headers=w["booker"], json={"reminders": False})
    assert r.status_code == 200, r.text
    assert (r.json()["reminders"], r.json()["digest"]) == (False, False)
    got = await client.get("/api/v1/me/notifications", headers=w["booker"])
    assert got.json() == {"reminders": False, "digest": False}
    r = await client.patch("/api/v1/me", headers=w["booker"], json={"reminders": "nee"})
    assert r.status_code in (400, 422)
