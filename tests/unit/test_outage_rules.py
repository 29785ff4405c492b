"""Which driver errors count as a lost database, how it is named in messages, and how the
background jobs back off while it is gone."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from api.background import MAX_BACKOFF_SECONDS, next_pause
from booking.db.outage import describe_database, is_outage


@pytest.mark.parametrize(("exc", "outage"), [
    (ConnectionRefusedError(111, "Connect call failed"), True),
    (ConnectionResetError(104, "reset by peer"), True),
    (TimeoutError(), True),
    (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
    (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
    (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
    (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
    (asyncpg.exceptions.InterfaceError("connection is closed"), True),
    (sqlite3.OperationalError("unable to open database file"), True),
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("disk I/O error"), True),
    # bugs and client input stay what they are
    (asyncpg.exceptions.UniqueViolationError("duplicate key"), False),
    (asyncpg.exceptions.InterfaceError("cannot perform operation: another is in progress"), False),
    (sqlite3.OperationalError("no such column: x"), False),
    (sqlite3.IntegrityError("booking_overlap"), False),
    (FileNotFoundError("template"), False),
    (ValueError("bad"), False),
])
def test_what_is_an_outage(exc: Exception, outage: bool) -> None:
    assert is_outage(exc) is outage


def test_an_outage_behind_another_error_is_still_one() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "refused")
        except OSError as inner:
            raise RuntimeError("while loading the actor") from inner
    except RuntimeError as outer:
        assert is_outage(outer)


def test_the_password_never_appears() -> None:
    assert describe_database("postgresql://app:hunter2@db:5433/labshare") == (
        "postgresql://app@db:5433/labshare")
    assert describe_database("sqlite:////srv/labshare.sqlite3") == "sqlite:////srv/labshare.sqlite3"


def test_jobs_back_off_while_the_database_is_gone() -> None:
    pauses = [next_pause(30, n) for n in range(6)]
    assert pauses == [30, 60, 120, 240, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]
    assert next_pause(1, 0) == 1 and next_pause(1, 1) == 2
