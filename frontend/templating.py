"""Jinja for the pages: gettext in the request's language, local date/time/money filters, statics.

Every template gets `_`/`gettext`/`ngettext` (Jinja's i18n extension, new style:
`_("Hi %(n)s", n=x)`), resolving the language per request (never per process: one environment
serves all requests). Filters take an aware instant plus the IANA zone it is shown in, e.g.
`{{ b.start|time(b.timezone) }}`.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_day_names,
)
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from booking.domain.errors import Reason
from booking.i18n import negotiate_locale, reason_message, translations
from booking.i18n.fetch_errors import fetch_error_message
from booking.i18n.reasons import duration_text

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
LANG_COOKIE = "lang"
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""Babel formats: Dutch as in the Netherlands; English with day-month order and a 24-hour clock."""


def request_locale(request: Request[Any, Any, Any]) -> str:
    """"nl" or "en" for this request: the `lang` cookie, else Accept-Language, else Dutch."""
    cached = getattr(request.state, "locale", None)
    if cached:
        return str(cached)
    chosen = negotiate_locale(
        request.headers.get("accept-language"), request.cookies.get(LANG_COOKIE)
    )
    request.state.locale = chosen
    return chosen


def context_locale(ctx: Context) -> str:
    """The language of the template being rendered (`locale` in the context, else the request's)."""
    explicit = ctx.get("locale")
    if explicit:
        return str(explicit)
    request = ctx.get("request")
    return request_locale(request) if request is not None else "nl"


def _babel(ctx: Context) -> str:
    return BABEL_LOCALES.get(context_locale(ctx), "nl_NL")


def _local(at: datetime, tz: str | None) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a naive datetime cannot be shown in a time zone")
    return at.astimezone(ZoneInfo(tz or "Europe/Amsterdam"))


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    return translations(context_locale(ctx)).gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    return translations(context_locale(ctx)).ngettext(singular, plural, n)


@pass_context
def _pgettext(ctx: Context, context: str, message: str) -> str:
    return str(translations(context_locale(ctx)).pgettext(context, message))


@pass_context
def _npgettext(ctx: Context, context: str, singular: str, plural: str, n: int) -> str:
    return translations(context_locale(ctx)).npgettext(context, singular, plural, n)


@pass_context
def filter_date(
    ctx: Context, value: datetime | date, tz: str | None = None, fmt: str = "medium"
) -> str:
    """A date in the reader's language; instants are first converted to `tz`.

    `fmt`: Babel's "short" | "medium" | "long" | "full", or a pattern such as "EEEE d MMMM".
    """
    day = _local(value, tz).date() if isinstance(value, datetime) else value
    return format_date(day, format=fmt, locale=_babel(ctx))


@pass_context
def filter_time(ctx: Context, value: datetime, tz: str | None = None) -> str:
    """The local wall-clock time "HH:mm" of an instant in `tz` (24-hour clock in both languages)."""
    return format_time(_local(value, tz), format="HH:mm", locale=_babel(ctx))


@pass_context
def filter_datetime(
    ctx: Context, value: datetime, tz: str | None = None, fmt: str = "medium"
) -> str:
    """Date and time of an instant in `tz`, e.g. "ma 29 mrt 2027 08:00"."""
    local = _local(value, tz)
    return format_datetime(local, format=_DATETIME.get(fmt, fmt), locale=_babel(ctx))


_DATETIME = {
    "short": "EEE d MMM HH:mm",
    "medium": "EEE d MMM y HH:mm",
    "long": "EEEE d MMMM y HH:mm",
}


@pass_context
def filter_money(ctx: Context, amount: Decimal | str | int | float, currency: str = "EUR") -> str:
    """"€ 170,00" (nl) / "€170.00" (en)."""
    return format_currency(Decimal(str(amount)), currency, locale=_babel(ctx))


@pass_context
def filter_number(ctx: Context, value: int | float | Decimal, fmt: str | None = None) -> str:
    return format_decimal(value, format=fmt, locale=_babel(ctx))


@pass_context
def filter_duration(ctx: Context, minutes: int) -> str:
    """"48 uur", "90 minuten" — whole hours as hours."""
    return duration_text(int(minutes), context_locale(ctx))


@pass_context
def filter_days(ctx: Context, days: int) -> str:
    """A horizon in words: "6 maanden", "2 weken", "10 dagen" (exact below two months)."""
    days = int(days)
    if days >= 60 or days % 7 == 0:
        return format_timedelta(timedelta(days=days), threshold=1.0, locale=_babel(ctx))
    return translations(context_locale(ctx)).ngettext("%(num)d day", "%(num)d days", days) % {
        "num": days
    }


@pass_context
def filter_weekday(
    ctx: Context, weekday: int,
    width: Literal["abbreviated", "narrow", "short", "wide"] = "abbreviated",
) -> str:
    """The name of ISO weekday `weekday` (1 = Monday): "ma" / "Mon", or with "wide" "maandag"."""
    return str(get_day_names(width, locale=_babel(ctx))[(int(weekday) - 1) % 7])


@pass_context
def filter_reason(ctx: Context, reason: Reason) -> str:
    """A domain `Reason` as a sentence in the reader's language.

    A visitor who is not signed in is refused as `not_allowed` (no organisation); the page tells
    them what to do instead of "your organisation may not book this".
    """
    actor = ctx.get("actor")
    if reason.code == "not_allowed" and (actor is None or actor.is_anonymous):
        return translations(context_locale(ctx)).gettext("sign in to book")
    return reason_message(reason, context_locale(ctx))


def period_label(label: str, locale: str, fmt: str = "d MMM yyyy") -> str:
    """A report period's label ("2026-10-12" for a week, "2026-10" for a month) as a local
    date ("12 okt 2026", "oktober 2026"); any other label as it is."""
    babel = BABEL_LOCALES.get(locale, "nl_NL")
    try:
        if len(label) == 7:
            return format_date(date.fromisoformat(label + "-01"), format="MMMM yyyy",
                               locale=babel)
        return format_date(date.fromisoformat(label), format=fmt, locale=babel)
    except ValueError:
        return label


@pass_context
def filter_period(ctx: Context, label: str, fmt: str = "d MMM yyyy") -> str:
    """`period_label` in the reader's language."""
    return period_label(label, context_locale(ctx), fmt)


@pass_context
def filter_fetch_error(ctx: Context, text: str | None) -> str:
    """A stored fetch or delivery failure (`last_error`) as a sentence in the reader's language."""
    return fetch_error_message(text, context_locale(ctx))


@pass_context
def global_csrf_field(ctx: Context) -> Markup:
    """The hidden `_csrf` input every POST form carries (`csrf` from the page context)."""
    token = ctx.get("csrf") or ""
    return Markup('<input type="hidden" name="_csrf" value="{}">').format(token)


@lru_cache(maxsize=64)
def _asset_version(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.is_file() else "0"


def asset(path: str) -> str:
    """The URL of a static file with a content hash, so it can be cached for a year."""
    return f"{STATIC_PATH}/{path}?v={_asset_version(path)}"


def configure_environment(env: Environment) -> None:
    """Install the i18n extension, the filters and the globals on the app's Jinja environment."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    env.filters.update(
        date=filter_date,
        time=filter_time,
        datetime=filter_datetime,
        money=filter_money,
        number=filter_number,
        duration=filter_duration,
        days=filter_days,
        weekday=filter_weekday,
        reason=filter_reason,
        fetch_error=filter_fetch_error,
        period=filter_period,
    )
    env.globals.update(csrf_field=global_csrf_field, asset=asset)
    env.trim_blocks = True
    env.lstrip_blocks = True


def _engine_callback(engine: JinjaTemplateEngine) -> None:
    configure_environment(engine.engine)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The app's template configuration: `frontend/templates`, Jinja with everything above."""
    return TemplateConfig(
        directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=_engine_callback
    )


def static_router() -> Router:
    """`/static/…` from `frontend/static`; URLs made by `asset()` carry a hash, so cache long."""
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(public=True, max_age=31_536_000),
        include_in_schema=False,
    )
