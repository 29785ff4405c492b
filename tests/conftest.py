"""Shared fixtures: each integration test runs on SQLite (a temp file) and on PostgreSQL.

`backend` (session) creates and migrates one database per backend: a SQLite file, and a fresh
PostgreSQL database `labshare_test_<random>` on `LABSHARE_TEST_POSTGRES` (default
`postgresql://postgres@127.0.0.1:5432/postgres`), dropped at the end. Without a reachable
PostgreSQL the `postgresql` param is skipped with the reason — or fails when `CI` is set.
`db` (function) makes that backend's engine current and empties every table first.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from booking.db import engine as db_engine
from booking.db.migrate import migrate
from booking.db.tables import ALL_TABLES

PG_ADMIN_URL = os.environ.get(
    "LABSHARE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Backend:
    name: str  # sqlite | postgresql
    url: str
    engine: Any


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def _open(url: str) -> Any:
    engine = db_engine.configure(url)
    await db_engine.open_engine(engine)
    await migrate()
    return engine


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "labshare.sqlite3"
        url = f"sqlite:///{path}"
        engine = await _open(url)
        yield Backend("sqlite", url, engine)
        await db_engine.close_engine(engine)
        return

    import asyncpg

    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc!r}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this fails instead of skipping)")
        pytest.skip(reason)
    name = f"labshare_test_{secrets.token_hex(6)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(PG_ADMIN_URL, name)
    try:
        engine = await _open(url)
        yield Backend("postgresql", url, engine)
        await db_engine.close_engine(engine)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def empty_tables(backend: Backend) -> None:
    names = [t._meta.tablename for t in reversed(ALL_TABLES)]
    if backend.name == "postgresql":
        await backend.engine.run_ddl(f"TRUNCATE {', '.join(names)} CASCADE")
    else:
        from booking.db.migrations.labshare_2026_12_08t14_00_00_000000 import (
            SQLITE_APPEND_ONLY,
            SQLITE_LIFT_APPEND_ONLY,
        )

        for ddl in SQLITE_LIFT_APPEND_ONLY:  # the audit refuses DELETE: lift that while emptying
            await backend.engine.run_ddl(ddl)
        await backend.engine.run_ddl("UPDATE resources SET parent = NULL")  # RESTRICT is per row
        for name in names:
            await backend.engine.run_ddl(f"DELETE FROM {name}")
        for ddl in SQLITE_APPEND_ONLY:
            await backend.engine.run_ddl(ddl)


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Backend]:
    """The backend's engine, current and with empty tables."""
    db_engine.use_engine(backend.engine)
    await empty_tables(backend)
    yield backend
