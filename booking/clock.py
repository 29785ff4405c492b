"""The system clock: `now` as the services see it (aware UTC, whole seconds)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, aware UTC, truncated to whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def now_on(state: object) -> datetime:
    """The current instant for an app whose `state.clock` (tests) may replace the system clock."""
    clock: Clock | None = getattr(state, "clock", None)
    return (clock or system_clock)()
