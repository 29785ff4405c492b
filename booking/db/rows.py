"""The shape of a row the stores read: a mapping of column name to value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Row = Mapping[str, Any]


def str_or_none(value: Any) -> str | None:
    """`str(value)`, keeping None (ids of nullable references arrive as UUIDs or text)."""
    return None if value is None else str(value)
