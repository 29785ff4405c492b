"""Which driver errors mean "the database is unreachable" (an outage), not a bug or bad input.

The API and the pages answer such errors with 503 and Retry-After, the background jobs back
off, and the command line prints one line; everything else keeps its own mapping. Recognised:
connection failures of asyncpg (refused, reset, closed, shut down, too many connections, a
timeout while connecting) and SQLite's "unable to open", disk I/O and lock-timeout errors.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlparse, urlunparse

import asyncpg

RETRY_AFTER_SECONDS = 5
"""What an outage answer suggests (`Retry-After`): the pools reconnect on their own."""

_PG_OUTAGE = (
    asyncpg.exceptions.PostgresConnectionError,  # 08xxx: connection does not exist, failure
    asyncpg.exceptions.OperatorInterventionError,  # 57Pxx: admin/crash shutdown, cannot connect now
    asyncpg.exceptions.InsufficientResourcesError,  # 53xxx: too many connections, disk full
)
_SQLITE_OUTAGE = (
    "unable to open database",
    "disk i/o error",
    "database is locked",
    "database or disk is full",
    "readonly database",
)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` (or what it was raised from) says the database cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_outage_itself(exc: BaseException) -> bool:
    if isinstance(exc, _PG_OUTAGE):
        return True
    if isinstance(exc, asyncpg.exceptions.InterfaceError):
        text = str(exc).lower()
        return "connection" in text and ("closed" in text or "lost" in text)
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError
    ):
        text = str(exc).lower()
        return any(marker in text for marker in _SQLITE_OUTAGE)
    # refused, reset, unreachable host, timeout while connecting
    return isinstance(exc, OSError | TimeoutError) and not isinstance(exc, FileNotFoundError)


def describe_database(url: str) -> str:
    """The database URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    host = parsed.hostname or ""
    if parsed.port:
        host = f"{host}:{parsed.port}"
    user = f"{parsed.username}@" if parsed.username else ""
    return urlunparse(parsed._replace(netloc=f"{user}{host}"))
