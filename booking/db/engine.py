"""Database engines from `LABSHARE_DATABASE_URL`: SQLite tuned for a server, or PostgreSQL.

Piccolo's stock SQLite engine opens a new connection (a thread) for every query outside a
transaction and re-runs `PRAGMA foreign_keys` on every statement; `PooledSQLiteEngine` keeps a
small pool of persistent connections per event loop instead. Both engines use transactions
that always release their connection and reset Piccolo's transaction context, even when
COMMIT itself fails (FIELD-NOTES: otherwise the next transaction silently runs in autocommit).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

from booking.db import piccolo_conf
from booking.db.private_api import bind_table, is_finished, is_nested, is_rolled_back
from booking.db.sqlite_functions import register_async
from booking.db.tables import ALL_TABLES

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 4
PG_CONNECT_TIMEOUT_S = 5
"""A new PostgreSQL connection that takes longer is an outage (503), not a hung request."""
SQLITE_SYNCHRONOUS = "NORMAL"
"""In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits.
FULL would fsync every commit and roughly halve write throughput on this class of disk."""


def default_data_dir() -> Path:
    """`LABSHARE_DATA_DIR` (default ./data), absolute: the SQLite file and the photos."""
    return Path(os.environ.get("LABSHARE_DATA_DIR", "data")).resolve()


def default_database_url() -> str:
    """`LABSHARE_DATABASE_URL`, else a SQLite file under `LABSHARE_DATA_DIR` (default ./data)."""
    url = os.environ.get("LABSHARE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{default_data_dir() / 'labshare.sqlite3'}"


def sqlite_path(url: str) -> str:
    """The file path of a `sqlite:///path` URL (`sqlite:////abs/path` or `sqlite:///rel/path`)."""
    parsed = urlparse(url)
    return unquote(parsed.netloc + parsed.path) if parsed.netloc else unquote(parsed.path)


class _Lease:
    """A pooled aiosqlite connection as Piccolo sees it: `close()` hands it back to the pool."""

    def __init__(self, pool: _SQLitePool, conn: aiosqlite.Connection) -> None:
        self._pool = pool
        self._conn = conn

    @property
    def driver(self) -> aiosqlite.Connection:
        """The pooled aiosqlite connection itself."""
        return self._conn

    def execute(self, sql: str, parameters: Any = None) -> Any:
        return self._conn.execute(sql, parameters)

    @property
    def row_factory(self) -> Any:
        return self._conn.row_factory

    @row_factory.setter
    def row_factory(self, value: Any) -> None:
        self._conn.row_factory = value

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def commit(self) -> None:
        await self._conn.commit()

    async def close(self) -> None:
        await self._pool.release(self._conn)


class _SQLitePool:
    """Persistent connections for one event loop, configured once each."""

    def __init__(self, kwargs: dict[str, Any], size: int) -> None:
        self._kwargs = kwargs
        self._idle: list[aiosqlite.Connection] = []
        self._all: list[aiosqlite.Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def acquire(self) -> aiosqlite.Connection:
        await self._slots.acquire()
        try:
            if self._idle:
                return self._idle.pop()
            conn = await aiosqlite.connect(**self._kwargs)
            conn.row_factory = dict_factory  # type: ignore[assignment]
            await conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute(f"PRAGMA synchronous = {SQLITE_SYNCHRONOUS}")
            await register_async(conn)  # the search triggers stem with it
            self._all.append(conn)
            return conn
        except BaseException:
            self._slots.release()
            raise

    async def release(self, conn: aiosqlite.Connection) -> None:
        try:
            if conn.in_transaction:  # a failed COMMIT can leave one open
                with suppress(sqlite3.Error):
                    await conn.execute("ROLLBACK")
            self._idle.append(conn)
        finally:
            self._slots.release()

    async def close(self) -> None:
        for conn in self._all:
            with suppress(Exception):
                await conn.close()
        self._all.clear()
        self._idle.clear()


class SafeSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction, but the connection and context are released whatever happens."""

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if is_nested(self):
            return exception is None
        try:
            if exception:
                if not is_rolled_back(self):
                    with suppress(sqlite3.Error):
                        await self.rollback()
            elif not is_finished(self):
                await self.commit()
        finally:
            await self.connection.close()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine over a per-event-loop pool of persistent connections."""

    def __init__(self, path: str, pool_size: int = SQLITE_POOL_SIZE) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        self.pool_size = pool_size
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _SQLitePool] = (
            weakref.WeakKeyDictionary()
        )

    def loop_pool(self) -> _SQLitePool:
        """The pool of the running event loop (created on first use)."""
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = _SQLitePool(self.connection_kwargs, self.pool_size)
        return pool

    async def get_connection(self) -> Any:
        pool = self.loop_pool()
        return _Lease(pool, await pool.acquire())

    # the two overrides below are PICCOLO_SQLITE_RUN_HOOKS (private_api)
    async def _run_in_new_connection(
        self, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        pool = self.loop_pool()
        conn = await pool.acquire()
        try:
            async with conn.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await pool.release(conn)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: Any = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SafeSQLiteTransaction:
        return SafeSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def close_pools(self) -> None:
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()

    def prepare_file(self) -> None:
        """Create the directory and switch the file to WAL (a file property; outside any
        transaction, once, synchronously)."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.close()


class SafePostgresTransaction(PostgresTransaction):
    """Piccolo's transaction, but the connection and context are released whatever happens."""

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if is_nested(self):
            return exception is None
        try:
            if exception:
                if not is_rolled_back(self):
                    with suppress(Exception):
                        await self.rollback()
            elif not is_finished(self):
                await self.commit()
        finally:
            try:
                if self.engine.pool:
                    await self.engine.pool.release(self.connection)
                else:
                    await self.connection.close()
            finally:
                self.engine.current_transaction.reset(self.context)
        return exception is None


class SafePostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine with the safe transaction; pooled once `open_engine` ran."""

    def transaction(self, allow_nested: bool = True) -> SafePostgresTransaction:
        return SafePostgresTransaction(engine=self, allow_nested=allow_nested)


def create_engine(url: str) -> Engine[Any]:
    """An engine for a `sqlite:///…` or `postgresql://…` URL; raises ValueError otherwise."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        return PooledSQLiteEngine(sqlite_path(url))
    if scheme in ("postgresql", "postgres"):
        return SafePostgresEngine(config={"dsn": url, "timeout": PG_CONNECT_TIMEOUT_S})
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")


_current: Engine[Any] | None = None


def use_engine(engine: Engine[Any]) -> Engine[Any]:
    """Make `engine` the one every table (and Piccolo's migration machinery) uses."""
    global _current
    from piccolo.apps.migrations.tables import Migration

    tables: tuple[type[Table], ...] = (*ALL_TABLES, Migration)
    for table in tables:
        bind_table(table, engine)
    piccolo_conf.DB = engine
    _current = engine
    return engine


def configure(url: str | None = None) -> Engine[Any]:
    """Create the engine for `url` (default: `default_database_url()`) and make it current."""
    return use_engine(create_engine(url or default_database_url()))


def current_engine() -> Engine[Any]:
    """The engine in use; configures the default one on first use."""
    return _current if _current is not None else configure()


def is_sqlite(engine: Engine[Any] | None = None) -> bool:
    return (engine or current_engine()).engine_type == "sqlite"


async def _keep_session(connection: Any) -> None:
    """Pool release without asyncpg's default reset query (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`): one round trip on every release, for session state this app never
    creates (no LISTEN, SET, advisory locks or cursors outside transactions). An open
    transaction is still rolled back by asyncpg itself before this is called."""


async def open_engine(engine: Engine[Any] | None = None) -> None:
    """Start pools for the running event loop (PostgreSQL) and prepare the SQLite file."""
    engine = engine or current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        engine.prepare_file()
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        # min_size=0: opening needs no connection, so a worker that starts (or restarts) while
        # the database is away comes up and answers 503 until it returns, instead of exiting
        await engine.start_connection_pool(min_size=0, max_size=10, reset=_keep_session)


async def close_engine(engine: Engine[Any] | None = None) -> None:
    """Close the running loop's pools."""
    engine = engine or current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        await engine.close_pools()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


@asynccontextmanager
async def transaction(*, write: bool = True) -> AsyncIterator[None]:
    """A transaction on the current engine; on SQLite a write one starts with BEGIN IMMEDIATE,
    so the write lock is held before anything is read and checked."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        kind = TransactionType.immediate if write else TransactionType.deferred
        async with engine.transaction(transaction_type=kind):
            yield
    else:
        async with engine.transaction():
            yield
