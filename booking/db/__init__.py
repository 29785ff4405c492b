"""Persistence: the only package that imports piccolo (tables, migrations, stores)."""

import os

os.environ.setdefault("PICCOLO_CONF", "booking.db.piccolo_conf")
