"""Demo photos: illustrations drawn with Pillow per kind of lab (CNC, welding, robots, VR, …),
stored through the photo service after the demo data is written; nothing is downloaded."""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Callable
from datetime import datetime

from PIL import Image, ImageDraw, ImageFont

from booking.db import photos_store
from booking.db.sql import fetch
from booking.domain.roles import Actor, Membership, OrgKind, Role
from booking.services import photos

SIZE = (1200, 800)
MOST = 40
"""At most this many resources get a picture (the first of each kind first), also when grown."""

Draw = Callable[[ImageDraw.ImageDraw], None]
INK, STEEL, DARK, SPARK = (33, 43, 54), (150, 164, 178), (70, 82, 96), (255, 196, 0)


def _cnc(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((250, 170, 950, 640), 30, fill=STEEL, outline=INK, width=8)
    d.rectangle((330, 240, 870, 520), fill=(210, 222, 232), outline=INK, width=6)  # window
    d.rectangle((570, 250, 630, 380), fill=DARK)  # spindle
    d.polygon([(585, 380), (615, 380), (600, 420)], fill=INK)  # cutter
    d.rectangle((450, 430, 750, 500), fill=(196, 120, 60), outline=INK, width=4)  # workpiece
    for i in range(7):
        x = 470 + i * 40
        d.arc((x, 400, x + 30, 440), 180, 320, fill=SPARK, width=4)  # chips
    d.rectangle((880, 260, 930, 420), fill=(40, 160, 120), outline=INK, width=4)  # panel


def _lassen(d: ImageDraw.ImageDraw) -> None:
    d.rectangle((200, 560, 1000, 600), fill=DARK)  # plates
    d.line((300, 560, 700, 560), fill=(230, 120, 40), width=14)  # weld bead
    d.line((700, 545, 880, 300), fill=INK, width=26)  # torch
    d.line((880, 300, 1000, 230), fill=(40, 40, 40), width=18)  # hose
    for k in range(14):
        a = math.pi * (1.05 + k * 0.065)
        d.line((700, 545, 700 + 150 * math.cos(a), 545 + 150 * math.sin(a)), fill=SPARK,
               width=5)
    d.ellipse((670, 515, 730, 575), fill=(255, 245, 200))


def _robot(d: ImageDraw.ImageDraw) -> None:
    d.rectangle((380, 590, 620, 650), fill=DARK)  # base
    joints = [(500, 590), (500, 420), (720, 300), (860, 400)]
    for a, b in itertools.pairwise(joints):
        d.line((*a, *b), fill=(240, 140, 30), width=48)
    for x, y in joints:
        d.ellipse((x - 34, y - 34, x + 34, y + 34), fill=INK)
    d.line((860, 400, 840, 470), fill=INK, width=12)  # gripper
    d.line((860, 400, 900, 460), fill=INK, width=12)


def _vr(d: ImageDraw.ImageDraw) -> None:
    d.arc((260, 200, 940, 700), 200, 340, fill=DARK, width=22)  # strap
    d.rounded_rectangle((330, 330, 870, 560), 70, fill=INK)
    for cx in (470, 730):
        d.ellipse((cx - 80, 370, cx + 80, 520), fill=(90, 170, 255), outline=(220, 235, 255),
                  width=6)
    d.polygon([(560, 560), (640, 560), (620, 500), (580, 500)], fill=(120, 130, 140))


def _gear(d: ImageDraw.ImageDraw) -> None:
    cx, cy = 600, 420
    for k in range(12):
        a = k * math.pi / 6
        d.line((cx, cy, cx + 230 * math.cos(a), cy + 230 * math.sin(a)), fill=STEEL, width=60)
    d.ellipse((cx - 190, cy - 190, cx + 190, cy + 190), fill=STEEL, outline=INK, width=6)
    d.ellipse((cx - 70, cy - 70, cx + 70, cy + 70), fill=(235, 240, 245), outline=INK, width=6)


THEMES: dict[str, tuple[str, tuple[int, int, int], Draw, str]] = {
    # tag: (label, background, drawing, what the alt text says it shows)
    "cnc": ("CNC", (226, 236, 246), _cnc, "een CNC-machine met spindel, frees en werkstuk"),
    "lassen": ("Lassen", (52, 58, 70), _lassen, "een lastoorts met vonken boven een lasnaad"),
    "robotica": ("Robotica", (232, 240, 232), _robot, "een oranje industriële robotarm"),
    "vr": ("VR", (238, 232, 248), _vr, "een VR-bril met twee lenzen"),
}
DEFAULT = ("Techniek", (240, 238, 228), _gear, "een tandwiel")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def illustration(tag: str, name: str) -> tuple[bytes, str]:
    """A PNG drawing for a resource of this kind, with a label and its name, and its alt text."""
    label, background, draw, shows = THEMES.get(tag, DEFAULT)
    image = Image.new("RGB", SIZE, background)
    d = ImageDraw.Draw(image)
    draw(d)
    light = sum(background) < 300
    ink = (255, 255, 255) if light else INK
    d.text((60, 50), label, fill=ink, font=_font(72))
    d.rectangle((0, 700, SIZE[0], SIZE[1]), fill=(255, 255, 255) if not light else (20, 24, 30))
    d.text((60, 722), name[:48], fill=INK if not light else (255, 255, 255), font=_font(44))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), f"Illustratie bij {name}: {shows}"


def _theme(tags: list[str]) -> str:
    return next((t for t in tags if t in THEMES), tags[0] if tags else "")


async def add_demo_photos(*, photos_dir: str, now: datetime) -> int:
    """A drawn picture for up to MOST demo resources (labs first) and a contact for each
    school; the number of photos added."""
    rows = await fetch(
        "SELECT CAST(id AS TEXT) AS id, CAST(school AS TEXT) AS school, name, tags, kind "
        "FROM resources WHERE visibility = 'public' ORDER BY kind DESC, name, id"
    )
    seen: set[tuple[str, str]] = set()
    added = 0
    for row in rows:
        tags = row["tags"] if isinstance(row["tags"], list) else json.loads(row["tags"] or "[]")
        theme = _theme(list(tags))
        key = (row["school"], f"{theme}:{row['kind']}:{row['name']}")
        if added >= MOST or key in seen:
            continue
        seen.add(key)
        manager = Actor(memberships=(
            Membership(row["school"], OrgKind.SCHOOL, Role.FACILITY_MANAGER),))
        data, alt = illustration(theme, row["name"])
        await photos.add_photo(manager, row["id"], data, alt, photos_dir=photos_dir, now=now)
        added += 1
    for school in await fetch("SELECT CAST(id AS TEXT) AS id, name FROM organisations "
                              "WHERE kind = 'school'"):
        slug = "".join(c for c in school["name"].lower() if c.isalnum())[:20] or "school"
        await photos_store.set_contact("organisations", school["id"], photos_store.ContactRecord(
            "Balie Techniek", f"techniek@{slug}.test", "+31 10 123 4567"))
    return added
