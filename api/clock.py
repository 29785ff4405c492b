"""The app's clock: `now` as the services see it (tests swap it via `app.state.clock`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, aware UTC, truncated to whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def now_of(connection: ASGIConnection[Any, Any, Any, Any]) -> datetime:
    """The current instant as this app sees it."""
    clock: Clock | None = getattr(connection.app.state, "clock", None)
    return (clock or system_clock)()
