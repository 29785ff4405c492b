"""A separate worker process for the exactly-once test: drains the outbox of the database at
argv[1] through the SMTP server at argv[2] until nothing is left, then exits."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from booking.db import engine as db_engine
from booking.db import outbox_store
from booking.services.outbox_worker import deliver_due
from booking.settings import Settings


async def main(url: str, smtp: str, at: str) -> None:
    engine = db_engine.configure(url)
    await db_engine.open_engine(engine)
    settings = Settings(database_url=url, smtp_url=smtp)
    now = datetime.fromisoformat(at).astimezone(UTC)
    try:
        idle = 0
        while idle < 3:
            handled = await deliver_due(now, settings, limit=10)
            idle = 0 if handled else idle + 1
            if not handled and await outbox_store.count_unsent() == 0:
                break
            await asyncio.sleep(0 if handled else 0.05)
    finally:
        await db_engine.close_engine(engine)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
