"""Background jobs, safe with several processes on one database (DESIGN §8).

`run_due_jobs(now, holder)` is called periodically by every process. Each job takes a lease in
`job_locks` for its period, so it runs once per period across processes; the calendar re-fetch
additionally claims each source separately (`imports_store.claim_due`), so even overlapping runs
never fetch one source twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.db.jobs_store import claim_job
from booking.db.outage import is_outage
from booking.services import bookings, imports, notice_jobs, privacy
from booking.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    period: timedelta
    run: Callable[[datetime], Awaitable[int]]


async def _expire(now: datetime) -> int:
    return await bookings.expire_pending(now)


async def _refetch(now: datetime) -> int:
    return await imports.refresh_due(now)


async def _retention(now: datetime) -> int:
    return await privacy.anonymise_inactive(now, get_settings().retention_months)


JOBS: tuple[Job, ...] = (
    Job("expire_pending", timedelta(minutes=1), _expire),
    Job("refresh_calendar_imports", timedelta(minutes=1), _refetch),
    Job("send_reminders", timedelta(minutes=5), notice_jobs.send_reminders),
    Job("send_digests", timedelta(minutes=15), notice_jobs.send_digests),
    Job("report_failing_imports", timedelta(minutes=15), notice_jobs.report_failing_imports),
    Job("anonymise_inactive_people", timedelta(hours=1), _retention),
)


def new_holder() -> str:
    """A name for this process in `job_locks.holder`: host, pid and a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_due_jobs(
    now: datetime, holder: str, jobs: tuple[Job, ...] = JOBS
) -> dict[str, int]:
    """Run each job whose lease this process wins now; returns {job name: items handled}.
    A failing job is logged and does not stop the others; a lost database stops the round
    (re-raised, so the caller backs off) and marks nothing failed."""
    done: dict[str, int] = {}
    for job in jobs:
        try:
            if not await claim_job(job.name, now, now + job.period, holder):
                continue
            done[job.name] = await job.run(now)
        except Exception as exc:
            if is_outage(exc):
                raise
            log.exception("background job %s failed", job.name)
    return done
