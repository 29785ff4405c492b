"""Portable SQL over the current engine's driver connections.

Statements use PostgreSQL's `$1` placeholders; on SQLite they become `?1` (numbered). Inside
`engine.transaction()` the transaction's connection is used, otherwise a pooled one. Rows are
mappings: UUIDs arrive as `uuid.UUID` on both backends (Piccolo registers SQLite converters for
the declared column types), timestamps as aware UTC datetimes, JSON as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from piccolo.engine.sqlite import SQLiteEngine

from booking.db.engine import PooledSQLiteEngine, current_engine
from booking.db.private_api import on_sqlite_thread, raw_sqlite
from booking.db.rows import Row as Row
from booking.domain.instants import epoch as epoch  # re-export: reports_store (helper `scale`)
from booking.domain.instants import utc as utc  # re-export: reports_store (helper `scale`)

_PARAM = re.compile(r"\$(\d+)")


@lru_cache(maxsize=1024)
def _for_sqlite(sql: str) -> str:
    return _PARAM.sub(r"?\1", sql)


def placeholders(count: int, first: int = 1) -> str:
    """`$first, $first+1, …` for an `IN (…)` list of `count` values (at least one)."""
    return ", ".join(f"${i}" for i in range(first, first + max(count, 1)))


def epoch_of(column: str) -> str:
    """SQL for the whole epoch seconds of a timestamptz `column` on the current backend.

    Bulk reads select this instead of the column: Piccolo's SQLite converters parse every
    timestamp (and every INTEGER, through Decimal) per row, which dominated reads of claims and
    closures at catalogue scale; an expression has no declared type, so no converter runs.
    """
    if isinstance(current_engine(), SQLiteEngine):
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"


def in_subquery(column: str, subquery: str) -> str:
    """SQL for "`column` is one of the ids `subquery` returns" that uses `column`'s index on
    both backends. PostgreSQL plans `IN (subquery)` as a semi-join, which at catalogue scale
    became a parallel scan of all claims (53 ms at 4,000 resources, growing with the
    catalogue); `= ANY(ARRAY(subquery))` runs the subquery first and probes the index."""
    if isinstance(current_engine(), SQLiteEngine):
        return f"{column} IN ({subquery})"
    return f"{column} = ANY(ARRAY({subquery}))"


class Stmt(NamedTuple):
    """One statement of a batch; `many` runs it once per row of `args`."""

    sql: str
    args: Sequence[Any] = ()
    many: bool = False
    tuples: bool = False  # positional rows (tuples / asyncpg Records): cheaper for bulk reads


def _txn_connection() -> Any:
    txn = current_engine().current_transaction.get()
    return None if txn is None else txn.connection


async def _sqlite_run(conn: Any, sql: str, args: Sequence[Any], many: bool = False) -> Any:
    """Execute and fetch in ONE hop to aiosqlite's thread (its cursor API costs three)."""

    def run() -> list[Row]:
        raw = raw_sqlite(conn)
        cursor = raw.executemany(sql, args) if many else raw.execute(sql, args)
        try:
            return [] if many else cursor.fetchall()
        finally:
            cursor.close()

    return await on_sqlite_thread(conn, run)


async def fetch(sql: str, *args: Any) -> list[Row]:
    """Rows of a query (also a DML statement with RETURNING)."""
    engine = current_engine()
    conn = _txn_connection()
    if isinstance(engine, SQLiteEngine):
        query = _for_sqlite(sql)
        if conn is not None:
            rows: list[Row] = await _sqlite_run(conn.driver, query, args)
            return rows
        assert isinstance(engine, PooledSQLiteEngine)
        pool = engine.loop_pool()
        pooled_conn = await pool.acquire()
        try:
            pooled_rows: list[Row] = await _sqlite_run(pooled_conn, query, args)
            return pooled_rows
        finally:
            await pool.release(pooled_conn)
    if conn is not None:
        records: list[Row] = await conn.fetch(sql, *args)
        return records
    pool = engine.pool  # type: ignore[attr-defined]
    if pool is not None:
        async with pool.acquire() as pooled:
            pooled_records: list[Row] = await pooled.fetch(sql, *args)
            return pooled_records
    single = await engine.get_new_connection()  # type: ignore[attr-defined]
    try:
        single_records: list[Row] = await single.fetch(sql, *args)
        return single_records
    finally:
        await single.close()


async def fetch_batch(statements: Sequence[Stmt]) -> list[list[Any]]:
    """Run statements in order and return each one's rows. On SQLite the whole batch is one hop
    to the connection's thread (hops dominate small transactions); on PostgreSQL one round trip
    each. The first failing statement raises; earlier ones stay done (use a transaction)."""
    engine = current_engine()
    conn = _txn_connection()
    if isinstance(engine, SQLiteEngine):
        prepared = [(_for_sqlite(st.sql), [tuple(a) for a in st.args] if st.many else st.args,
                     st.many, st.tuples) for st in statements]
        if conn is not None:
            return await _sqlite_batch(conn.driver, prepared)
        assert isinstance(engine, PooledSQLiteEngine)
        pool = engine.loop_pool()
        pooled_conn = await pool.acquire()
        try:
            return await _sqlite_batch(pooled_conn, prepared)
        finally:
            await pool.release(pooled_conn)
    results: list[list[Any]] = []
    for st in statements:
        if st.many:
            if st.args:
                await execute_many(st.sql, st.args)
            results.append([])
        else:
            results.append(await fetch(st.sql, *st.args))
    return results


async def _sqlite_batch(
    conn: Any, prepared: list[tuple[str, Any, bool, bool]]
) -> list[list[Any]]:
    def run() -> list[list[Any]]:
        raw = raw_sqlite(conn)
        out: list[list[Any]] = []
        for sql, args, many, tuples in prepared:
            if many and not args:
                out.append([])
                continue
            cursor = raw.cursor()
            if tuples:
                cursor.row_factory = None
            try:
                if many:
                    cursor.executemany(sql, args)
                else:
                    cursor.execute(sql, args)
                out.append([] if many else cursor.fetchall())
            finally:
                cursor.close()
        return out

    result: list[list[Any]] = await on_sqlite_thread(conn, run)
    return result


async def fetch_one(sql: str, *args: Any) -> Row | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None


async def execute(sql: str, *args: Any) -> None:
    """Run a statement without rows."""
    await fetch(sql, *args)


async def execute_many(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement for many parameter rows; must run inside a transaction."""
    batch = [tuple(r) for r in rows]
    if not batch:
        return
    engine = current_engine()
    conn = _txn_connection()
    if conn is None:
        raise RuntimeError("execute_many needs a transaction")
    if isinstance(engine, SQLiteEngine):
        await _sqlite_run(conn.driver, _for_sqlite(sql), batch, many=True)
    else:
        await conn.executemany(sql, batch)
