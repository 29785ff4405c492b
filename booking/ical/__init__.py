"""ICS in and out: published booking feeds and imported timetables/holidays; no HTTP, no DB."""

from booking.ical.feeds import FeedEvent, empty_feed, feed_uid, render_feed
from booking.ical.imports import IcsFormatError, ImportedEvent, content_fingerprint, parse_import

__all__ = [
    "FeedEvent",
    "IcsFormatError",
    "ImportedEvent",
    "content_fingerprint",
    "empty_feed",
    "feed_uid",
    "parse_import",
    "render_feed",
]
