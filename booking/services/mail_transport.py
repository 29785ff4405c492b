"""Sending over SMTP with aiosmtplib, from `LABSHARE_SMTP_URL`; errors say retry or give up.

URLs: `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587`, `smtps://user:pass@host:465`.
A 4xx reply, a refused connection, a timeout or a dropped line is temporary (`TemporaryFailure`);
a 5xx reply is permanent (`PermanentFailure`) — RFC 5321 §4.2.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

import aiosmtplib


class DeliveryFailure(Exception):
    """A message was not accepted; `str()` is what the admin's outbox page shows."""


class TemporaryFailure(DeliveryFailure):
    """Try again later (4xx, no server, timeout)."""


class PermanentFailure(DeliveryFailure):
    """Do not try again (5xx: unknown mailbox, refused content)."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0) -> SmtpTarget:
        """Parse `LABSHARE_SMTP_URL`; ValueError for another scheme or no host."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        defaults = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
        if scheme not in defaults or not parts.hostname:
            raise ValueError("LABSHARE_SMTP_URL must be smtp://, smtp+starttls:// or smtps://host")
        return cls(
            host=parts.hostname, port=parts.port or defaults[scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=scheme == "smtps", start_tls=scheme == "smtp+starttls", timeout=timeout,
        )


def _classify(exc: Exception) -> DeliveryFailure:
    code = getattr(exc, "code", None)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = max(r.code for r in exc.recipients)
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(code, int) and 500 <= code < 600:
        return PermanentFailure(message)
    return TemporaryFailure(message)


class SmtpConnection:
    """One SMTP session for a batch of messages: `async with SmtpConnection(target) as smtp`."""

    def __init__(self, target: SmtpTarget) -> None:
        self._target = target
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpConnection:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        t = self._target
        client = aiosmtplib.SMTP(
            hostname=t.host, port=t.port, use_tls=t.use_tls, start_tls=t.start_tls,
            username=t.username, password=t.password, timeout=t.timeout,
        )
        await client.connect()
        self._client = client
        return client

    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to the server; raises TemporaryFailure or PermanentFailure."""
        try:
            client = await self._connected()
            await client.send_message(message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            failure = _classify(exc)
            if isinstance(failure, TemporaryFailure):
                await self._drop()
            raise failure from None

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
