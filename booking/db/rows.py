"""The shape of a row the stores read: a mapping of column name to value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Row = Mapping[str, Any]
