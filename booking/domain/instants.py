"""Instant conventions: aware UTC datetimes to whole seconds, and epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(at: datetime) -> datetime:
    """`at` in UTC truncated to whole seconds; ValueError for a naive datetime."""
    if at.utcoffset() is None:
        raise ValueError("naive datetime: every instant must be time-zone aware")
    return at.astimezone(UTC).replace(microsecond=0)


def epoch(at: datetime) -> int:
    """Whole epoch seconds of an aware instant (what claims store)."""
    return int(utc(at).timestamp())


def from_epoch(seconds: int) -> datetime:
    """The aware UTC instant `seconds` after the epoch."""
    return datetime.fromtimestamp(seconds, UTC)
