"""Run pending Piccolo migrations of the `labshare` app on the current engine."""

from __future__ import annotations

import contextlib
import importlib
import io
import pkgutil

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration

from booking.db.engine import current_engine


async def migrate() -> list[str]:
    """Apply every migration not yet recorded; returns the ids applied, in order."""
    current_engine()  # make sure the tables point at the configured engine
    await Migration.create_table(if_not_exists=True).run()
    before = set(await Migration.get_migrations_which_ran(app_name="labshare"))
    manager = ForwardsMigrationManager(app_name="labshare")
    from booking.db.piccolo_app import APP_CONFIG

    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo's progress lines confuse on a new DB
        result = await manager.run_migrations(APP_CONFIG)
    if not result.success:
        raise RuntimeError(result.message)
    after = await Migration.get_migrations_which_ran(app_name="labshare")
    return [m for m in after if m not in before]


def descriptions(ids: list[str]) -> list[str]:
    """The DESCRIPTION of each migration in `ids` (its id where it has none), in that order."""
    from booking.db import migrations

    described: dict[str, str] = {}
    for info in pkgutil.iter_modules(migrations.__path__):
        module = importlib.import_module(f"{migrations.__name__}.{info.name}")
        if hasattr(module, "ID"):
            described[module.ID] = getattr(module, "DESCRIPTION", "") or module.ID
    return [described.get(i, i) for i in ids]
