"""Server-rendered SVG charts: line, grouped bars and an hour-of-week heat map. No JavaScript.

Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; the page puts a
data table with the same numbers beside it, so nothing is only visible as a picture. Colours
come from the site's palette and each series also differs in shape (dashes, markers).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0d6b5e", "#c77700", "#3559a8", "#8a3b8f")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
INK, MUTED, GRID = "#16202a", "#5b6673", "#dde2e7"
CLOSED = "#eef0f2"
_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float]


def _nice_max(value: float) -> float:
    """A round axis maximum ≥ `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def _frame(width: int, height: int, title: str, desc: str, body: str, css: str = "") -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="12">'
        f'<title id="chart-{n}-title">{escape(title)}</title>'
        f'<desc id="chart-{n}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", fill: str = MUTED,
          extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(text)}</text>")


def _tick_count(y_max: float) -> int:
    """Intervals on the value axis so that each tick is a round number (a `_nice_max` top:
    1 → 0.2 steps, 2 → 0.5, 2.5 → 0.5, 5 → 1)."""
    lead = y_max / 10 ** math.floor(math.log10(y_max)) if y_max > 0 else 1.0
    return 4 if math.isclose(lead, 2.0) else 5


def _axes(left: int, top: int, plot_w: int, plot_h: int, y_max: float,
          y_label: Callable[[float], str]) -> list[str]:
    parts = []
    count = _tick_count(y_max)
    for i in range(count + 1):
        value = y_max * i / count
        y = top + plot_h - plot_h * i / count
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, y_label(value), "end"))
    return parts


CHAR_WIDTH = 7.0
"""Estimated width of one character at the charts' 12 px font (for spacing labels)."""


def _x_labels(labels: Sequence[str], xs: Sequence[float], y: float, width: int) -> list[str]:
    """Labels under the points: as many as fit side by side without touching, each kept
    inside the drawing (the first and last would otherwise be cut off at the edges)."""
    if not labels:
        return []
    widest = max(len(label) for label in labels) * CHAR_WIDTH
    spacing = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else float(width)
    every = max(1, math.ceil((widest + 10) / spacing))
    parts = []
    for i, (x, label) in enumerate(zip(xs, labels, strict=True)):
        if i % every:
            continue
        half = len(label) * CHAR_WIDTH / 2
        parts.append(_text(min(max(x, half + 2), width - half - 2), y, label))
    return parts


def _legend(series: Sequence[Series], left: int, y: float, marker: str) -> list[str]:
    parts, x = [], float(left)
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if marker == "line":
            parts.append(f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
                         f'stroke="{colour}" stroke-width="3" '
                         f'stroke-dasharray="{DASHES[i % len(DASHES)]}"/>')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="14" height="12" '
                         f'fill="{colour}"/>')
        parts.append(_text(x + 28, y, s.name, "start", INK))
        x += 40 + 7.5 * len(s.name)
    return parts


def line_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str,
               y_label: Callable[[float], str] = lambda v: f"{v:g}", y_max: float | None = None,
               width: int = 720, height: int = 300) -> Markup:
    """Lines over `labels` (one point per label), with a legend when there are several."""
    left, top, right, bottom = 56, 16, 16, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(y_max if y_max is not None else
                          max((v for s in series for v in s.values), default=0.0))
    step = plot_w / max(len(labels) - 1, 1)
    xs = [left + (i * step if len(labels) > 1 else plot_w / 2) for i in range(len(labels))]
    parts = _axes(left, top, plot_w, plot_h, top_value, y_label)
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        points = [(x, top + plot_h - plot_h * min(v, top_value) / top_value)
                  for x, v in zip(xs, s.values, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{DASHES[i % len(DASHES)]}" stroke-linejoin="round"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
                  for x, y in points]
    parts += _x_labels(labels, xs, top + plot_h + 18, width)
    if len(series) > 1:
        parts += _legend(series, left, height - 8, "line")
    return _frame(width, height, title, desc, "".join(parts))


def bar_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, desc: str,
              y_label: Callable[[float], str] = lambda v: f"{v:g}", width: int = 720,
              height: int = 300) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series."""
    left, top, right, bottom = 56, 16, 16, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for s in series for v in s.values), default=0.0))
    group = plot_w / max(len(labels), 1)
    bar = group * 0.7 / max(len(series), 1)
    parts = _axes(left, top, plot_w, plot_h, top_value, y_label)
    xs = []
    for g in range(len(labels)):
        x0 = left + g * group + group * 0.15
        xs.append(left + g * group + group / 2)
        for i, s in enumerate(series):
            h = plot_h * s.values[g] / top_value
            parts.append(f'<rect x="{x0 + i * bar:.1f}" y="{top + plot_h - h:.1f}" '
                         f'width="{bar - 2:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[i % len(PALETTE)]}"/>')
    parts += _x_labels(labels, xs, top + plot_h + 18, width)
    if len(series) > 1:
        parts += _legend(series, left, height - 8, "bar")
    return _frame(width, height, title, desc, "".join(parts))


def _shade(share: float) -> str:
    """White → brand green by `share` (0–1); darker means busier."""
    share = max(0.0, min(share, 1.0))
    r, g, b = (round(255 + (t - 255) * share) for t in (13, 107, 94))
    return f"#{r:02x}{g:02x}{b:02x}"


LEGEND_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _heat_legend(x: float, y: float, closed_label: str,
                 percent: Callable[[float], str]) -> list[str]:
    """The key under a heat map: the shades for 0–100 % and the grey of "never open"."""
    parts = []
    for share in LEGEND_STEPS:
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="16" height="14" fill="{_shade(share)}" '
                     f'stroke="{GRID}"/>')
        parts.append(_text(x + 21, y + 11, percent(share), "start", INK))
        x += 30 + CHAR_WIDTH * len(percent(share))
    parts.append(f'<rect x="{x + 8:.1f}" y="{y}" width="16" height="14" fill="{CLOSED}" '
                 f'stroke="{GRID}"/>')
    parts.append(_text(x + 29, y + 11, closed_label, "start", INK))
    return parts


def heat_map(rows: Sequence[str], columns: Sequence[str], shares: Sequence[Sequence[float | None]],
             *, title: str, desc: str, width: int = 720, closed_label: str = "never open",
             percent: Callable[[float], str] = lambda v: f"{v:.0%}") -> Markup:
    """A grid of `rows` × `columns`; each cell shaded by its share 0–1 (None: not open, grey),
    with a key of the shades under it. Cells carry their own `<title>` for pointer users."""
    left, top, cell_h = 44, 22, 24
    cell_w = (width - left - 8) / max(len(columns), 1)
    grid_bottom = top + cell_h * len(rows)
    height = grid_bottom + 40
    parts = [_text(left + (j + 0.5) * cell_w, 14, col) for j, col in enumerate(columns)
             if j % 2 == 0]
    for i, row in enumerate(rows):
        y = top + i * cell_h
        parts.append(_text(left - 6, y + 16, row, "end", INK))
        for j, share in enumerate(shares[i]):
            fill = CLOSED if share is None else _shade(share)
            tip = f"{row} {columns[j]}: " + ("—" if share is None else percent(share))
            parts.append(f'<rect x="{left + j * cell_w:.1f}" y="{y}" width="{cell_w - 1:.1f}" '
                         f'height="{cell_h - 1}" fill="{fill}"><title>{escape(tip)}</title></rect>')
    parts += _heat_legend(left, grid_bottom + 16, closed_label, percent)
    return _frame(width, height, title, desc, "".join(parts), "chart--heat")
