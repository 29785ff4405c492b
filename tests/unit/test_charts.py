"""The report charts stay readable: no label cut off at the drawing's edge or on top of its
neighbour, round values on the axis, and a heat map that says what its shades mean."""

from __future__ import annotations

import itertools
import re

from frontend.charts import CHAR_WIDTH, Series, bar_chart, heat_map, line_chart

WEEKS = ["12 okt", "19 okt", "26 okt", "2 nov", "9 nov", "16 nov", "23 nov", "30 nov", "7 dec"]
LONG = [f"2026-{m:02d}-{d:02d}" for m in (9, 10, 11) for d in (1, 8, 15, 22, 29)]


def _labels(svg: str) -> list[tuple[float, str, str]]:
    return [(float(x), anchor, text) for x, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg)]


def _extent(x: float, anchor: str, text: str) -> tuple[float, float]:
    w = len(text) * CHAR_WIDTH
    return {"middle": (x - w / 2, x + w / 2), "start": (x, x + w), "end": (x - w, x)}[anchor]


def test_no_label_leaves_the_drawing_or_touches_its_neighbour() -> None:
    for labels in (WEEKS, LONG):
        for svg in (line_chart(labels, [Series("a", [0.02] * len(labels))], title="t", desc="d"),
                    bar_chart(labels, [Series("a", [3.0] * len(labels))], title="t", desc="d")):
            width = float(re.search(r'viewBox="0 0 (\d+)', svg).group(1))  # type: ignore[union-attr]
            under = sorted(_extent(*label) for label in _labels(svg)
                           if label[1] == "middle" and label[2] in labels)
            assert under, "the points have labels"
            assert under[0][0] >= 0 and under[-1][1] <= width, under
            assert all(a[1] < b[0] for a, b in itertools.pairwise(under)), under
            assert len(under) >= min(len(labels), 4)


def test_the_value_axis_has_round_ticks() -> None:
    svg = line_chart(WEEKS, [Series("a", [0.02, 0.03, 0.09] + [0.01] * 6)], title="t",
                     desc="d", y_label=lambda v: f"{v:.0%}", y_max=0.09)
    ticks = [t for _, anchor, t in _labels(svg) if anchor == "end"]
    assert ticks == ["0%", "2%", "4%", "6%", "8%", "10%"]


def test_the_heat_map_has_a_key_of_its_shades_and_of_closed() -> None:
    svg = heat_map(["ma", "di"], ["08", "09"], [[0.0, 0.5], [None, 1.0]], title="t", desc="d",
                   closed_label="nooit open")
    texts = [t for _, _, t in _labels(svg)]
    assert {"0%", "50%", "100%", "nooit open"} <= set(texts)
    height = float(re.search(r'viewBox="0 0 \d+ (\d+)', svg).group(1))  # type: ignore[union-attr]
    key_y = max(float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', svg))
    assert key_y + 14 <= height, "the key is inside the drawing"
