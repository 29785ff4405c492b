"""`labshare demo`: replace the database's contents with a believable, deterministic region.

Decisions a reader may wonder about:
- Everything derives from `random.Random(2026)` and `now`'s local day, ids included, so a rerun
  with the same `now` writes the same rows (`catalogue.py`, then `bookings.py`).
- Public holidays are site closures; school holidays (region Zuid) close only the labs that need
  school staff (care simulation, cleanroom, process plant). The other labs stay open to companies
  in the holidays — otherwise no resource would be free in the Christmas weeks that API.md's
  "free window in every week of the next 40 days" covers.
- Bookings are placed conflict-free in memory (claims with each resource's own buffers; a lab
  booking claims its equipment; equipment also avoids its lab's claims, as availability shows
  them) and the coming weeks are capped at ~38 % claimed.
- ROC Demo approves requests for its VR room, its care-simulation ward and the lasstraat's
  welding robot, and Acme and Beta have a few coming requests there (`names.SCHOOLS`), so the
  facility manager of the demo has something to approve on a fresh demo.
- Labs that need a safety induction (CNC, lasstraat, cleanroom) have it recorded for the
  companies that book them (interested or partner), so Acme can book a CNC lab at once.
- Rows go in bulk through the store `booking/db/bulk_store.py` (tables by name): COPY on
  PostgreSQL; executemany on SQLite with foreign keys checked once
  (`PRAGMA foreign_key_check`) before COMMIT.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher

from booking.db.bulk_store import replace_all
from booking.demo.bookings import BookingGenerator
from booking.demo.calendar import DAY, local_day, local_epoch
from booking.demo.catalogue import build_catalogue
from booking.demo.mail import queue_sample_mail

PASSWORD = "labshare-demo"
ACCOUNTS: tuple[str, ...] = (
    "admin@labshare.test",
    "facility@roc-demo.test",
    "planner@acme.test",
    "planner@beta.test",
    "coordinator@regio.test",
)
SEED = 2026
PAST_WEEKS, COMING_WEEKS = 9, 8
DEFAULT_PER_RESOURCE = 9
"""Bookings per resource: a few hundred in the default region (~70 resources)."""
SCALED_PER_RESOURCE = 80


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `create_demo` wrote."""

    organisations: int
    schools: int
    sites: int
    resources: int
    companies: int
    users: int
    closures: int
    bookings: int
    occurrences: int
    claims: int
    statuses: dict[str, int]
    accounts: tuple[str, ...] = ACCOUNTS
    password: str = PASSWORD


async def create_demo(*, resources: int | None = None, now: datetime,
                      photos_dir: str | None = None) -> DemoSummary:
    """Delete every row in the current engine's database, then create the demo region.

    `resources` grows the region to about that many resources with ~80 bookings each (the
    default has ~70 resources and a few hundred bookings). `now` must be aware; bookings lie
    in the weeks around its local (Europe/Amsterdam) day. Migrations must have run.
    `photos_dir`: where drawn demo photos are stored (None: no photos).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be time-zone aware")
    now = now.astimezone(UTC).replace(microsecond=0)
    rng = random.Random(SEED)
    today = local_day(now)
    first_day, days = today - PAST_WEEKS * 7 * DAY, (PAST_WEEKS + COMING_WEEKS) * 7
    last_day = first_day + (days - 1) * DAY
    password_hash = PasswordHasher().hash(PASSWORD)  # once: argon2 is slow by design
    cat = build_catalogue(rng, now, first_day, last_day, password_hash, resources)
    generator = BookingGenerator(
        rng, cat, int(now.timestamp()), first_day, days, local_epoch(first_day, 0)
    )
    per_resource = DEFAULT_PER_RESOURCE if resources is None else SCALED_PER_RESOURCE
    generator.requests()
    generator.generate(per_resource)
    generator.inductions()
    generator.write()
    await replace_all(cat.data)
    await queue_sample_mail(now)  # so /dev/mail shows what schools and companies receive
    if photos_dir is not None:  # drawn pictures and school contacts (booking/demo/photos.py)
        from booking.demo.photos import add_demo_photos

        await add_demo_photos(photos_dir=photos_dir, now=now)
    data = cat.data
    return DemoSummary(
        organisations=data.count("organisations"),
        schools=len(cat.school_ids),
        sites=cat.site_count,
        resources=len(cat.resources),
        companies=len(cat.companies),
        users=cat.user_count,
        closures=cat.closure_count,
        bookings=sum(generator.statuses.values()),
        occurrences=data.count("occurrences"),
        claims=data.count("claims"),
        statuses=dict(sorted(generator.statuses.items())),
    )
