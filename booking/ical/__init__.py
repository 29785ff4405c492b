"""ICS in and out: published booking feeds and imported timetables/holidays; no HTTP, no DB."""

from booking.ical.feeds import FeedEvent, empty_feed, feed_uid, render_feed
from booking.ical.imports import (
    SKIP_MESSAGES,
    IcsFormatError,
    ImportedEvent,
    ImportResult,
    SkippedEvent,
    content_fingerprint,
    parse_import,
    read_import,
)

__all__ = [
    "SKIP_MESSAGES",
    "FeedEvent",
    "IcsFormatError",
    "ImportResult",
    "ImportedEvent",
    "SkippedEvent",
    "content_fingerprint",
    "empty_feed",
    "feed_uid",
    "parse_import",
    "read_import",
    "render_feed",
]
