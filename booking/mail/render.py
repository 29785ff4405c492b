"""Mail templates: a subject, a plain-text body and an HTML body per language, from Jinja.

Convention (how to add a mail): a folder `booking/mail/templates/<template>/` holding, for each
language `nl` and `en`,
    subject.<lang>.txt   one line (whitespace is collapsed; no autoescape)
    body.<lang>.txt      the plain-text alternative (no autoescape)
    body.<lang>.html     the HTML alternative; `{% extends "_layout.html" %}` and fill
                         `{% block content %}` (autoescaped)
The context is whatever the caller passed to `enqueue_mail` (JSON-safe values only: it is stored
in the outbox and rendered when the mail is sent), plus `base_url` (the site's absolute root,
no trailing slash). Links in mail must be absolute: write `{{ base_url }}/bookings/{{ id }}`.
A locale without its own files falls back to Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

TEMPLATES = Path(__file__).with_name("templates")
LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=autoescape,
        undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True,
    )


def mail_locale(locale: str | None) -> str:
    """`locale` if mail templates exist in it ("nl", "en"; "en-GB" → "en"), else Dutch."""
    short = (locale or "").lower()[:2]
    return short if short in LOCALES else DEFAULT_LOCALE


@lru_cache(maxsize=256)
def template_exists(template: str) -> bool:
    """True when `template` has its three files in the default language."""
    folder = TEMPLATES / template
    return "/" not in template and all(
        (folder / f"{part}.{DEFAULT_LOCALE}.{ext}").is_file()
        for part, ext in (("subject", "txt"), ("body", "txt"), ("body", "html"))
    )


def render_mail(
    template: str, locale: str, context: Mapping[str, Any], *, base_url: str
) -> RenderedMail:
    """Render `template` in `locale` (falling back to Dutch per file). Raises
    jinja2.TemplateNotFound for an unknown template and UndefinedError for a missing value."""
    lang = mail_locale(locale)
    values = {**context, "base_url": base_url.rstrip("/"), "locale": lang}

    def one(part: str, ext: str) -> str:
        env = _environment(ext == "html")
        try:
            tmpl = env.get_template(f"{template}/{part}.{lang}.{ext}")
        except TemplateNotFound:
            tmpl = env.get_template(f"{template}/{part}.{DEFAULT_LOCALE}.{ext}")
        return tmpl.render(values)

    subject = " ".join(one("subject", "txt").split())
    return RenderedMail(subject=subject, text=one("body", "txt"), html=one("body", "html"))
