"""The private Piccolo / aiosqlite members booking/db/private_api.py relies on still exist and
behave as we use them: an upgrade that changes one fails here, not in production."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import aiosqlite
import pytest
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from booking.db import engine as engines
from booking.db import private_api
from booking.db.engine import PooledSQLiteEngine, transaction, use_engine
from booking.db.tables import ALL_TABLES


async def test_raw_sqlite_and_its_thread(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "x.sqlite3") as conn:
        raw = private_api.raw_sqlite(conn)
        assert isinstance(raw, sqlite3.Connection)

        def run() -> list[tuple[int]]:
            return raw.execute("SELECT 41 + 1").fetchall()

        assert await private_api.on_sqlite_thread(conn, run) == [(42,)]


def test_bind_table_sets_the_engine_a_table_queries(tmp_path: Path) -> None:
    engine = PooledSQLiteEngine(str(tmp_path / "y.sqlite3"))
    table = ALL_TABLES[0]
    before = engines._current
    try:
        private_api.bind_table(table, engine)
        assert table._meta.db is engine
    finally:
        if before is not None:
            private_api.bind_table(table, before)


def test_the_sqlite_run_hooks_we_override_still_exist_with_our_signature() -> None:
    for name in private_api.PICCOLO_SQLITE_RUN_HOOKS:
        theirs = getattr(SQLiteEngine, name, None)
        assert theirs is not None, f"Piccolo's SQLiteEngine no longer has {name}"
        ours = getattr(PooledSQLiteEngine, name)
        assert ours is not theirs
        assert list(inspect.signature(theirs).parameters) == list(
            inspect.signature(ours).parameters), name


async def test_transaction_state_flags_follow_commit_and_rollback(tmp_path: Path) -> None:
    engine = PooledSQLiteEngine(str(tmp_path / "z.sqlite3"))
    engine.prepare_file()
    previous = engines._current
    use_engine(engine)
    try:
        async with engine.transaction() as outer:
            assert isinstance(outer, SQLiteTransaction)
            assert not private_api.is_nested(outer)
            assert not private_api.is_finished(outer)
            inner = engine.transaction()
            async with inner:
                assert private_api.is_nested(inner)
            await outer.commit()
            assert private_api.is_finished(outer)
            assert not private_api.is_rolled_back(outer)
        with pytest.raises(RuntimeError):
            async with transaction():
                raise RuntimeError("roll back")
        async with engine.transaction() as third:
            await third.rollback()
            assert private_api.is_rolled_back(third)
            assert private_api.is_finished(third)
    finally:
        await engine.close_pools()
        if previous is not None:
            use_engine(previous)
