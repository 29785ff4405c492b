"""Piccolo's configuration module (PICCOLO_CONF): the engine is set by `booking.db.engine`."""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

DB: Any = None
APP_REGISTRY = AppRegistry(apps=["booking.db.piccolo_app"])
