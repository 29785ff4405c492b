"""The schedule board's rows as HTML in one pass: the hot loop of the page, kept out of Jinja.

A board of a thousand resources holds several thousand blocks; a Jinja loop with its attribute
lookups and filters per block costs ~40 µs each, this ~2 µs. `manage/board.html` calls
`rows(group)` once per site; every text is escaped here.

Markup per block, as small as it can be (a week of a thousand resources is ~4,000 blocks):
`<a class="b bc" href="/bookings/…" style="--s:LEFT;--w:WIDTH" aria-label="FULL"><i>SHORT</i></a>`.
SHORT is what fits: the company's initials on the week view, start time and company on the day
view. FULL ("09:00–11:00 · Acme Metaal BV · bevestigd", on the day view with the booking's
title) is the link's accessible name and, shown on hover and keyboard focus, its tooltip
(manage.css, `content: attr(aria-label)`); the link opens the booking's page with every detail
(a pending one: the request, to approve or decline). Positions are percentages of the track.
A lab's booking is drawn on the lab's row only; its equipment rows get one pale band per such
booking, drawn once across all of them (`.bv`), instead of a copy of the block on every row.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from booking.services.board_layout import BoardBlock, BoardGroup, BoardRow

_paused = 0  # board requests in flight with the cyclic collector paused


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a board is read, laid out and rendered.

    A week of a thousand resources allocates some 50,000 short-lived containers; while they
    live, the collector runs dozens of young collections, promotes them, and every few boards
    that triggers a full collection of the whole heap (~80 ms, nothing found: they are not
    cyclic and reference counting frees them when the response is sent). Nested or concurrent
    boards keep it paused until the last is done; the collector then resumes as usual.
    """
    global _paused
    if os.environ.get("LABSHARE_BOARD_GC") == "1" or (_paused == 0 and not gc.isenabled()):
        yield
        return
    _paused += 1
    gc.disable()
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0:
            gc.enable()


@dataclass(frozen=True, slots=True)
class TrackTexts:
    """The translated words the blocks need (looked up once per page, not per block)."""

    pending: str
    confirmed: str
    whole_lab: str
    closed: str
    in_closure: str = "in a closure"


_NOT_INITIALS = frozenset({
    "bv", "b.v.", "nv", "n.v.", "vof", "v.o.f.", "bv.", "de", "het", "en", "van", "der", "den",
    "the", "and", "of", "&", "-", "–",
})


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """Up to three capitals of a company's name ("Acme Metaal BV" → "AM"): legal forms and
    small words skipped; a one-word name gives its first two letters."""
    words = [w for w in re.split(r"[\s/]+", name)
             if w and w.lower() not in _NOT_INITIALS and not w[0].isdigit()]
    if not words:
        return name[:2].upper()
    if len(words) == 1:
        return words[0][:2].capitalize()
    return "".join(w[0] for w in words[:3] if w[0].isalnum()).upper() or name[:2].upper()


def row_renderer(texts: TrackTexts, day_view: bool) -> Callable[[BoardGroup], Markup]:
    """`rows(group)`: the group's rows as `<ul class="board-rows">…</ul>`."""
    pending, confirmed = escape(texts.pending), escape(texts.confirmed)
    whole_lab, closed = escape(texts.whole_lab), escape(texts.closed)
    in_closure = escape(texts.in_closure)

    escaped: dict[str, str] = {}
    shorts: dict[str, str] = {}

    def esc(text: str) -> str:
        found = escaped.get(text)
        if found is None:
            found = escaped[text] = str(escape(text))
        return found

    def block(b: BoardBlock) -> str:
        span = f"{b.local_start}–{b.local_end}"
        style = f"--s:{b.left:g};--w:{b.width:g}"
        label = esc(b.label)
        if b.kind == "closure":
            return (f'<span class="b bx" style="{style}" title="{span} · {closed}'
                    f"{': ' + label if label else ''}\"><i>{label or closed}</i>"
                    f'<span class="visually-hidden">{span} {closed}</span></span>')
        state = pending if b.status == "pending" else confirmed
        lab = f" · {whole_lab}" if b.whole_lab else ""
        if b.in_closure:
            lab += f" · {in_closure}"
        if day_view:
            short = f"{b.local_start} {label}"
            title = f" · {esc(b.title)}" if b.title else ""
        else:  # the week: initials, and the title only on the booking's page
            short = shorts.get(b.label) or shorts.setdefault(b.label, esc(initials(b.label)))
            title = ""
        if b.status == "pending":  # straight to approve or decline
            kind, href = "b bp", f"/manage/requests/{b.booking_id}"
        else:
            kind, href = "b bc", f"/bookings/{b.booking_id}"
        if b.in_closure:
            kind += " bi"
        return (f'<a class="{kind}" href="{href}" style="{style}" '
                f'aria-label="{span} · {label}{title} · {state}{lab}"><i>{short}</i></a>')

    def band(b: BoardBlock) -> str:
        kind = ' class="bp"' if b.status == "pending" else ""
        return f'<b{kind} style="--s:{b.left:g};--w:{b.width:g}"></b>'

    def line(r: BoardRow) -> str:
        name = esc(r.name)
        track = "".join(map(block, r.blocks))
        return (f'<a class="br-name" href="/manage/resources/{r.resource_id}">{name}</a>'
                f'<div class="br-track">{track}</div>')

    def rows(group: BoardGroup) -> Markup:
        out = ['<ul class="board-rows">']
        items = group.rows
        i, n = 0, len(items)
        while i < n:
            r = items[i]
            i += 1
            if not r.children:
                out.append(f'<li class="br">{line(r)}</li>')
                continue
            out.append(f'<li class="br br--lab">{line(r)}<ul class="br-kids">')
            bands = "".join(band(b) for b in r.blocks if b.whole_lab)
            if bands:
                out.append(f'<li class="bv" aria-hidden="true">{bands}</li>')
            for kid in items[i:i + r.children]:
                out.append(f'<li class="br br--in">{line(kid)}</li>')
            i += r.children
            out.append("</ul></li>")
        out.append("</ul>")
        return Markup("".join(out))

    return rows
