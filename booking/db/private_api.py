"""Every private Piccolo / aiosqlite member we rely on, in one place (tests/unit/test_private_api.py
fails loudly when an upgrade changes one)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.table import Table

T = TypeVar("T")

PICCOLO_SQLITE_RUN_HOOKS = ("_run_in_new_connection", "_run_in_existing_connection")
"""`SQLiteEngine` methods `PooledSQLiteEngine` overrides so Piccolo's own queries use the pool."""


def raw_sqlite(conn: aiosqlite.Connection) -> sqlite3.Connection:
    """The stdlib connection inside an aiosqlite one (only touch it on its thread)."""
    raw: sqlite3.Connection = conn._conn
    return raw


async def on_sqlite_thread(conn: aiosqlite.Connection, run: Callable[[], T]) -> T:
    """Run `run` on the aiosqlite connection's thread in ONE hop (its cursor API costs three)."""
    result: T = await conn._execute(run)
    return result


def bind_table(table: type[Table], engine: Engine[Any]) -> None:
    """Make `table` (and its queries) use `engine`."""
    table._meta.db = engine


def is_nested(txn: Any) -> bool:
    """A Piccolo transaction opened inside another one (its exit leaves the outer one open)."""
    return bool(txn._parent)


def is_finished(txn: Any) -> bool:
    """A Piccolo transaction already committed or rolled back."""
    return bool(txn._committed or txn._rolled_back)


def is_rolled_back(txn: Any) -> bool:
    """A Piccolo transaction already rolled back."""
    return bool(txn._rolled_back)
