"""Instants as the API and the pages show them: RFC 3339 with the site's local offset."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Amsterdam"


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def to_local(dt: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """The aware instant `dt` in zone `tz` (same instant, local offset), to whole seconds.

    A naive `dt` is taken as UTC (services hand out UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(_zone(tz)).replace(microsecond=0)


def local_iso(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    """RFC 3339 text of `dt` in `tz`, e.g. `2027-03-29T08:30:00+02:00`."""
    return to_local(dt, tz).isoformat()


def utc_iso(dt: datetime) -> str:
    """RFC 3339 text of `dt` in UTC with a `Z` suffix."""
    return to_local(dt, "UTC").isoformat().replace("+00:00", "Z")
