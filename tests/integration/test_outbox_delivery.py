"""Delivery under faults: an SMTP outage, 4xx and 5xx replies, a worker restart, and two
worker processes on one PostgreSQL database — each message reaches the server exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booking.db import outbox_store
from booking.db.engine import transaction
from booking.db.sql import fetch
from booking.services.outbox import enqueue_mail, enqueue_many, mail_row
from booking.services.outbox_worker import BACKOFF, MAX_ATTEMPTS, deliver_due
from booking.settings import Settings
from tests.conftest import Backend
from tests.integration.smtp_support import SmtpSink

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
CONTEXT = {"name": "Fatima", "source": "Rooster", "school": "Techniek College",
           "failures": 3, "error": "HTTP 500", "link": "/manage"}



def settings(sink: SmtpSink) -> Settings:
    return Settings(database_url="", smtp_url=sink.url)


async def _queue(n: int) -> None:
    async with transaction(write=True):
        await enqueue_many([mail_row(
            to_email=f"p{i}@school.example", to_name="", locale="nl", template="import_failing",
            context=CONTEXT, now=NOW) for i in range(n)])


async def _status() -> list[tuple[str, int]]:
    rows = await fetch("SELECT status, attempts FROM outbox_messages ORDER BY id")
    return [(r["status"], int(r["attempts"])) for r in rows]


def test_back_off_spans_at_least_five_attempts_over_an_hour() -> None:
    waits = [BACKOFF[min(i, len(BACKOFF)) - 1] for i in range(1, MAX_ATTEMPTS["mail"])]
    assert MAX_ATTEMPTS["mail"] >= 5 and sum(waits, timedelta()) >= timedelta(hours=1)


async def test_mail_waits_through_an_outage_and_goes_out_once(db: Backend, smtp) -> None:
    await _queue(3)
    smtp.stop()  # the mail server goes away
    assert await deliver_due(NOW, settings(smtp)) == 3
    assert await _status() == [("pending", 1)] * 3
    (row,) = (await outbox_store.list_messages(limit=1))
    assert "SMTP" in row["last_error"] or "Connect" in row["last_error"]
    assert await deliver_due(NOW + timedelta(seconds=20), settings(smtp)) == 0  # backing off
    smtp.start()  # it is back
    assert await deliver_due(NOW + timedelta(minutes=2), settings(smtp)) == 3
    assert len(smtp.received) == 3 and await _status() == [("sent", 2)] * 3
    # a fresh worker (a restart) finds nothing left to send
    assert await deliver_due(NOW + timedelta(hours=5), settings(smtp)) == 0
    assert len(smtp.received) == 3


async def test_4xx_retries_and_5xx_gives_up(db: Backend, smtp) -> None:
    await _queue(1)
    smtp.reply = "451 4.3.0 try again later"
    await deliver_due(NOW, settings(smtp))
    assert await _status() == [("pending", 1)]
    smtp.reply = "550 5.1.1 no such user"
    await deliver_due(NOW + timedelta(minutes=2), settings(smtp))
    assert await _status() == [("failed", 2)]
    (row,) = await outbox_store.list_messages(status="failed")
    assert "550" in row["last_error"]
    smtp.reply = None
    assert await deliver_due(NOW + timedelta(days=1), settings(smtp)) == 0
    assert smtp.received == []


async def test_a_worker_that_died_mid_send_gives_its_rows_back(db: Backend, smtp) -> None:
    await _queue(2)
    async with transaction(write=True):  # a worker leased them, then its process died
        leased = await outbox_store.lease_due(NOW, NOW + timedelta(minutes=5), 10)
    assert len(leased) == 2
    assert await deliver_due(NOW + timedelta(minutes=1), settings(smtp)) == 0  # still leased
    assert await deliver_due(NOW + timedelta(minutes=6), settings(smtp)) == 2  # lease expired
    assert len(smtp.received) == 2
    assert len({m["Message-ID"] for m in smtp.messages()}) == 2


async def test_gives_up_after_the_last_attempt(db: Backend, smtp) -> None:
    await _queue(1)
    smtp.stop()
    at = NOW
    for _ in range(MAX_ATTEMPTS["mail"]):
        await deliver_due(at, settings(smtp))
        at += timedelta(days=1)
    assert await _status() == [("failed", MAX_ATTEMPTS["mail"])]


async def test_two_worker_processes_send_each_message_exactly_once(db: Backend, smtp) -> None:
    if db.name != "postgresql":
        pytest.skip("several processes share one database on PostgreSQL (DESIGN §8)")
    await _queue(120)
    script = Path(__file__).with_name("outbox_worker_proc.py")
    root = Path(__file__).parents[2]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, str(script), db.url, smtp.url, NOW.isoformat(), cwd=str(root),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    recipients = [rcpt[0] for rcpt, _ in smtp.received]
    assert len(recipients) == 120 and len(set(recipients)) == 120
    assert await _status() == [("sent", 1)] * 120


async def test_enqueue_refuses_an_unknown_template(db: Backend) -> None:
    with pytest.raises(ValueError):
        await enqueue_mail(to_email="a@b.example", to_name="", locale="nl",
                           template="no_such_mail", context={}, now=NOW)
