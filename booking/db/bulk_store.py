"""Bulk loading: replace every table's rows in one transaction, fast on SQLite and PostgreSQL.

Callers (the demo) name tables by their SQL name ("bookings") and give rows as tuples in a fixed
column order of plain Python values as Piccolo would pass them (UUID, aware UTC datetime,
Decimal, date, bool, JSON as text), so they import nothing of Piccolo. SQLite gets them through
the sqlite3 adapters Piccolo registers (so text shapes match Piccolo's); PostgreSQL through COPY,
with the per-row `report_uses` triggers switched off inside the transaction and that table
rebuilt afterwards by one set-based statement (the triggers' own join), which is what made a
national-size load take minutes instead of most of ten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from booking.db.engine import SQLITE_BUSY_TIMEOUT_MS, current_engine
from booking.db.migrations import labshare_2026_11_27t23_30_00_000000 as initial
from booking.db.migrations.labshare_2026_12_08t14_00_00_000000 import (
    SQLITE_APPEND_ONLY,
    SQLITE_LIFT_APPEND_ONLY,
)
from booking.db.sqlite_functions import register_async
from booking.db.tables import ALL_TABLES

CHUNK = 2000
SQLITE_CACHE_KIB = 128 * 1024


_TABLES: dict[str, type[Table]] = {t._meta.tablename: t for t in ALL_TABLES}
_REPORT_TRIGGERS = ("bookings", "occurrences", "booking_resources")
"""Tables whose row triggers keep `report_uses` (initial migration, rebuilt by HH=12)."""


def column_names(table: str) -> tuple[str, ...]:
    """The columns of the table named `table`, in table order."""
    return tuple(c._meta.db_column_name for c in _table(table)._meta.columns)


def _table(name: str) -> type[Table]:
    found = _TABLES.get(name)
    if found is None:
        raise ValueError(f"no table named {name!r}")
    return found


@dataclass(slots=True)
class Batch:
    """The rows for one table, each a tuple in `columns` order."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class Dataset:
    """Rows for every table by table name, inserted in `ALL_TABLES` order (rows in the order
    added)."""

    def __init__(self) -> None:
        self.batches: dict[str, Batch] = {}

    def batch(self, table: str, columns: Sequence[str] | None = None) -> Batch:
        """The batch of `table`; `columns` (default: all, in table order) must name every column."""
        found = self.batches.get(table)
        if found is None:
            cols = tuple(columns) if columns is not None else column_names(table)
            if sorted(cols) != sorted(column_names(table)):
                raise ValueError(f"{table}: columns {cols} do not match the table")
            found = self.batches[table] = Batch(table, cols)
        elif columns is not None and tuple(columns) != found.columns:
            raise ValueError(f"{table}: columns differ between calls")
        return found

    def add(self, table: str, **values: Any) -> None:
        """One row given by column name; every column must be given."""
        batch = self.batch(table)
        if len(values) != len(batch.columns):
            missing = set(batch.columns) ^ set(values)
            raise ValueError(f"{table}: give exactly the columns, not {missing}")
        batch.rows.append(tuple(values[c] for c in batch.columns))

    def count(self, table: str) -> int:
        """How many rows `table` has been given."""
        batch = self.batches.get(table)
        return len(batch.rows) if batch else 0


def _chunks(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


async def _replace_sqlite(engine: SQLiteEngine, data: Dataset) -> None:
    conn = await aiosqlite.connect(**engine.connection_kwargs)
    try:
        await conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        await register_async(conn)  # the search triggers stem with it
        # Foreign keys are checked once, in bulk, before COMMIT (`foreign_key_check`): per-row
        # checks and ON DELETE actions made replacing a large region several times slower.
        await conn.execute("PRAGMA foreign_keys = OFF")
        await conn.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for ddl in SQLITE_LIFT_APPEND_ONLY:  # the demo replaces the audit trail too
                await conn.execute(ddl)
            await conn.execute("DELETE FROM resource_search")  # at once, not row by row
            for table in reversed(ALL_TABLES):
                name = table._meta.tablename
                await conn.execute(f'DELETE FROM "{name}"')
            for ddl in SQLITE_APPEND_ONLY:
                await conn.execute(ddl)
            for table in ALL_TABLES:
                batch = data.batches.get(table._meta.tablename)
                if not batch or not batch.rows:
                    continue
                cols = ", ".join(f'"{c}"' for c in batch.columns)
                marks = ", ".join("?" for _ in batch.columns)
                sql = f'INSERT INTO "{table._meta.tablename}" ({cols}) VALUES ({marks})'
                for chunk in _chunks(batch.rows):
                    await conn.executemany(sql, chunk)
            cursor = await conn.execute("PRAGMA foreign_key_check")
            broken = await cursor.fetchmany(5)
            await cursor.close()
            if broken:
                raise ValueError(f"demo rows break foreign keys: {list(map(tuple, broken))}")
            await conn.execute("COMMIT")
        except BaseException:
            with suppress(Exception):
                await conn.execute("ROLLBACK")
            raise
    finally:
        await conn.close()


async def _replace_postgres(engine: PostgresEngine, data: Dataset) -> None:
    pool = engine.pool
    conn: Any = await (pool.acquire() if pool is not None else engine.get_new_connection())
    try:
        async with conn.transaction():
            names = ", ".join(f'"{t._meta.tablename}"' for t in reversed(ALL_TABLES))
            await conn.execute(f"TRUNCATE TABLE {names}")
            # foreign keys and the no-overlap exclusion are dropped and added back after COPY:
            # PostgreSQL then checks each in one pass instead of one probe per row
            constraints = [tuple(map(str, r)) for r in await conn.fetch(_CONSTRAINTS)]
            indexes = [tuple(map(str, r)) for r in await conn.fetch(_INDEXES)]
            for _definition, index in indexes:
                await conn.execute(f"DROP INDEX {index}")
            for table_name, name, _definition in constraints:
                await conn.execute(f"ALTER TABLE {table_name} DROP CONSTRAINT {name}")
            for name in _REPORT_TRIGGERS:  # transactional: a rollback switches them back on
                await conn.execute(f"ALTER TABLE {name} DISABLE TRIGGER report_uses_{name}")
            for table in ALL_TABLES:
                batch = data.batches.get(table._meta.tablename)
                if batch and batch.rows:
                    await conn.copy_records_to_table(
                        table._meta.tablename, records=batch.rows, columns=list(batch.columns)
                    )
            for table_name, name, definition in constraints:  # checked in bulk, per constraint
                await conn.execute(f"ALTER TABLE {table_name} ADD CONSTRAINT {name} {definition}")
            await conn.execute(_REBUILD_REPORT_USES)
            for definition, _index in indexes:
                await conn.execute(definition)
            for name in _REPORT_TRIGGERS:
                await conn.execute(f"ALTER TABLE {name} ENABLE TRIGGER report_uses_{name}")
            # fresh statistics: until autovacuum gets to it the planner would take the new
            # tables for empty (a year's flow report ran 4x slower on the plan that gave)
            loaded = [n for n, b in data.batches.items() if b.rows]
            await conn.execute(f"ANALYZE {', '.join(['report_uses', *sorted(loaded)])}")
    finally:
        if pool is not None:
            await pool.release(conn)
        else:
            await conn.close()


_REBUILD_REPORT_USES = initial._report_rows(
    initial._PG_EPOCH, "o.status = 'active'").replace(
    "employees)\n", "employees, solo)\n", 1).replace(
    "b.employees\n", "b.employees, CASE WHEN COUNT(*) OVER (PARTITION BY b.id) = 1 "
    "THEN 1 ELSE 0 END\n", 1)
"""What the row triggers insert (migration HH=12: active occurrences of confirmed bookings), for
every row at once, with `solo` (the booking has one row) computed in the same pass."""
if "PARTITION BY" not in _REBUILD_REPORT_USES:  # the initial migration's text moved
    raise RuntimeError("bulk_store: cannot derive the report_uses rebuild from the migration")
_INDEXES = """SELECT pg_get_indexdef(i.indexrelid), i.indexrelid::regclass::text
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relnamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"""
"""Secondary indexes (none backing a key or constraint): built once after COPY, not per row."""
_CONSTRAINTS = """SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
    FROM pg_constraint WHERE contype IN ('f', 'x') AND connamespace = current_schema()::regnamespace
    ORDER BY contype DESC, conname"""
"""Foreign keys and exclusions of our schema (exclusions first back: 'x' > 'f')."""
async def replace_all(data: Dataset, engine: Engine[Any] | None = None) -> None:
    """Delete every row of every table and insert `data`, all in one transaction (on the
    current engine unless `engine` is given)."""
    engine = current_engine() if engine is None else engine
    if isinstance(engine, SQLiteEngine):
        await _replace_sqlite(engine, data)
    elif isinstance(engine, PostgresEngine):
        await _replace_postgres(engine, data)
    else:
        raise TypeError(f"unsupported engine {type(engine).__name__}")
