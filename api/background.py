"""Background jobs in every app process: one asyncio task per process, started in the lifespan.

Each tick calls `booking.services.jobs.run_due_jobs`, whose database leases make every job run
once per period across all processes (ICS re-fetch, expiry of pending requests). Mount with
`Litestar(lifespan=[<database lifespan>, background_lifespan])` — after the database, so the
engine is open — or call the pair from `lifespan_hooks()`. `LABSHARE_BACKGROUND_JOBS=0` turns it
off (tests, or a deployment that runs jobs elsewhere); `LABSHARE_JOB_TICK` sets the seconds
between ticks (default 30, jittered so processes do not tick in step).

The same switch starts the outbox worker (`booking.services.outbox_worker.deliver_due`), which
polls every `LABSHARE_OUTBOX_TICK` seconds (default 5) and at once again while rows are due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar

from api.clock import system_clock
from booking.services.health import is_outage
from booking.services.jobs import new_holder, run_due_jobs
from booking.services.outbox_worker import deliver_due
from booking.settings import get_settings

log = logging.getLogger("labshare.jobs")


def enabled() -> bool:
    return os.environ.get("LABSHARE_BACKGROUND_JOBS", "1").strip().lower() not in (
        "0", "false", "no", "off",
    )


def tick_seconds() -> float:
    return float(os.environ.get("LABSHARE_JOB_TICK") or 30)


MAX_BACKOFF_SECONDS = 300.0


def next_pause(tick: float, outages: int) -> float:
    """Seconds until the next tick: `tick` normally, doubling per consecutive outage up to
    `MAX_BACKOFF_SECONDS` (never shorter than `tick`)."""
    if outages <= 0:
        return tick
    grown: float = tick * (1 << min(outages, 20))
    return max(tick, min(grown, MAX_BACKOFF_SECONDS))


async def run_forever(tick: float, holder: str, clock: Callable[[], Any] = system_clock) -> None:
    """Run due jobs every `tick` seconds (±20 %) until cancelled; errors are logged, not fatal.
    While the database is lost the pause grows (`next_pause`); nothing is marked failed."""
    await asyncio.sleep(random.uniform(0, tick))  # spread the processes' first ticks
    outages = 0
    while True:
        try:
            done = await run_due_jobs(clock(), holder)
            outages = 0
            if done:
                log.info("background jobs: %s", done)
        except Exception as exc:
            if is_outage(exc):
                outages += 1
                log.warning("background jobs: database unavailable (%r); next try in %.0f s",
                            exc, next_pause(tick, outages))
            else:
                log.exception("background jobs tick failed")
        await asyncio.sleep(next_pause(tick, outages) * random.uniform(0.8, 1.2))


def outbox_tick_seconds() -> float:
    return float(os.environ.get("LABSHARE_OUTBOX_TICK") or 5)


async def run_outbox_forever(tick: float, clock: Callable[[], Any] = system_clock) -> None:
    """Deliver due outbox rows until cancelled: again at once while a batch was full of work,
    else after `tick` seconds (±20 %). Errors are logged, not fatal."""
    settings = get_settings()
    while True:
        handled = 0
        try:
            handled = await deliver_due(clock(), settings)
        except Exception:
            log.exception("outbox tick failed")
        await asyncio.sleep(0 if handled else tick * random.uniform(0.8, 1.2))


def lifespan_hooks() -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """(on_startup, on_shutdown) that start and stop this process's job task."""
    task: asyncio.Task[None] | None = None
    outbox: asyncio.Task[None] | None = None

    async def on_startup() -> None:
        nonlocal task, outbox
        if enabled() and task is None:
            task = asyncio.create_task(run_forever(tick_seconds(), new_holder()),
                                       name="labshare-jobs")
        if enabled() and outbox is None:
            outbox = asyncio.create_task(run_outbox_forever(outbox_tick_seconds()),
                                         name="labshare-outbox")

    async def on_shutdown() -> None:
        nonlocal task, outbox
        for running in (task, outbox):
            if running is not None:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        task = outbox = None

    return on_startup, on_shutdown


@asynccontextmanager
async def background_lifespan(app: Litestar) -> AsyncIterator[None]:
    """A Litestar lifespan context running the job task while the app runs."""
    start, stop = lifespan_hooks()
    await start()
    try:
        yield
    finally:
        await stop()
