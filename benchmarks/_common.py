"""Shared set-up for the benchmark scripts: a throw-away database per backend."""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking.db import engine as db_engine
from booking.db.migrate import migrate

PG_ADMIN_URL = os.environ.get(
    "LABSHARE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    """A migrated, current, empty database (`sqlite` temp file or a fresh PostgreSQL db)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            engine = db_engine.configure(url)
            await db_engine.open_engine(engine)
            await migrate()
            try:
                yield url
            finally:
                await db_engine.close_engine(engine)
        return
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    name = f"labshare_bench_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunparse(urlparse(PG_ADMIN_URL)._replace(path=f"/{name}"))
    try:
        engine = db_engine.configure(url)
        await db_engine.open_engine(engine)
        await migrate()
        try:
            yield url
        finally:
            await db_engine.close_engine(engine)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def timed(fn: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Wall-clock seconds of `repeat` sequential calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def backends() -> list[str]:
    wanted = sys.argv[1:] or ["sqlite", "postgresql"]
    return [b for b in wanted if b in ("sqlite", "postgresql")]
