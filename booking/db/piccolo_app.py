"""Piccolo app unit for labshare: its tables and migrations folder."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from booking.db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="labshare",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
