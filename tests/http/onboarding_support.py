"""Helpers of the onboarding tests: KvK numbers that pass the check, links out of real mails,
signing in through the API like a client would."""

from __future__ import annotations

import re
import subprocess
import sys
from email.message import EmailMessage
from typing import Any

import httpx

from booking.domain.organisations import kvk_is_valid

LINK = re.compile(r"https?://\S+?/(invitations|signup)/([A-Za-z0-9_-]{43,})")


def valid_kvk(seed: int) -> str:
    """The first 8-digit number from `seed` on that passes the KvK check digit."""
    n = seed
    while not kvk_is_valid(f"{n:08d}"):
        n += 1
    return f"{n:08d}"


def link_in(message: EmailMessage) -> tuple[str, str]:
    """(kind, token) of the one-time link in the plain-text part of a mail."""
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(text)
    assert found, f"no link in:\n{text}"
    return found.group(1), found.group(2)


def mails_to(received: list[tuple[list[str], EmailMessage]], address: str) -> list[EmailMessage]:
    return [m for rcpt, m in received if address in rcpt]


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Bearer headers for `email`: sign in with the password, make a token, sign out."""
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    t = await client.post("/api/v1/tokens", json={"name": "test"},
                          headers={"X-CSRF-Token": csrf})
    assert t.status_code == 201, t.text
    await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    client.cookies.clear()
    return {"Authorization": f"Bearer {t.json()['token']}"}


def create_admin(database_url: str, email: str, password: str) -> None:
    """`labshare create-user --role admin` without `--org`, as on a fresh database."""
    env: dict[str, Any] = {"LABSHARE_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "create-user", "--email", email, "--name",
         "Ada Beheer", "--password", password, "--role", "admin"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
