"""The app's clock: `now` as the services see it (tests swap it via `app.state.clock`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar.connection import ASGIConnection

from booking.clock import Clock, now_on, system_clock

__all__ = ["Clock", "now_of", "system_clock"]


def now_of(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """The current instant as this app sees it."""
    return now_on(connection.app.state)
