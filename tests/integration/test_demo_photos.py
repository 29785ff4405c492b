"""The demo's drawn photos: real pictures (not blanks), stored through the photo service."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageStat

from booking.db.sql import fetch
from booking.demo import create_demo
from booking.demo.photos import illustration


def _spread(data: bytes) -> float:
    with Image.open(io.BytesIO(data)) as image:
        return max(ImageStat.Stat(image.convert("L")).stddev)


def test_illustrations_differ_per_kind_and_are_not_blank() -> None:
    drawn = {tag: illustration(tag, "Demo")[0] for tag in ("cnc", "lassen", "robotica", "vr")}
    assert len(set(drawn.values())) == 4
    assert all(_spread(data) > 20 for data in drawn.values())


async def test_demo_ships_photos_with_alt_and_school_contacts(db: Any, tmp_path: Path) -> None:
    await create_demo(now=datetime(2026, 3, 2, 7, tzinfo=UTC), photos_dir=str(tmp_path))
    rows = await fetch("SELECT p.alt, p.digest, r.name FROM resource_photos p "
                       "JOIN resources r ON r.id = p.resource")
    assert len(rows) >= 10
    assert all(r["alt"].startswith(f"Illustratie bij {r['name']}") for r in rows)
    for row in rows[:5]:
        path = tmp_path / row["digest"][:2] / f"{row['digest']}.webp"
        assert _spread(path.read_bytes()) > 20
    contacts = await fetch("SELECT contact_email FROM organisations WHERE kind = 'school'")
    assert contacts and all(c["contact_email"] for c in contacts)
