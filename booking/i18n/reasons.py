"""The domain's `Reason` codes as sentences in the reader's language (Dutch or English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from booking.domain.errors import Reason

if TYPE_CHECKING:
    from babel.support import NullTranslations

_CLOSURE_PREFIX = "closed — "


def duration_text(minutes: int, locale: str) -> str:
    """"48 uur" / "48 hours" for whole hours, else "90 minuten" / "90 minutes"."""
    t = _catalogue(locale)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return t.ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}
    return t.ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}


def reason_message(reason: Reason, locale: str) -> str:
    """`reason` as one short sentence fragment in `locale` ("nl" or "en").

    Codes without a renderer give the domain's `message`, translated when the catalogue has it
    as a message id (fixed sentences such as the import and address reasons).
    """
    render = _RENDERERS.get(reason.code)
    if render is None:
        return _catalogue(locale).gettext(reason.message)
    return render(reason, locale)


def _catalogue(locale: str) -> NullTranslations:
    from booking.i18n import translations  # the package imports this module

    return translations(locale)


def _int(reason: Reason, key: str, default: int = 0) -> int:
    try:
        return int(reason.params.get(key, default))
    except (TypeError, ValueError):
        return default


def _closed(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("closed: outside opening hours")


def _closure(reason: Reason, locale: str) -> str:
    t = _catalogue(locale)
    why = str(reason.params.get("reason", ""))
    if not why and reason.message.startswith(_CLOSURE_PREFIX):
        why = reason.message[len(_CLOSURE_PREFIX):]
    if why:  # our own labels (booking.domain.closures) are message ids; data stays as is
        return t.gettext("closed — %(reason)s") % {"reason": t.gettext(why)}
    return t.gettext("closed")


def _booked(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("already booked at this time")


def _too_soon(reason: Reason, locale: str) -> str:
    minutes = _int(reason, "minutes", _int(reason, "hours") * 60)
    notice = duration_text(minutes, locale)
    return _catalogue(locale).gettext("too short notice: %(notice)s in advance") % {
        "notice": notice
    }


def _too_far(reason: Reason, locale: str) -> str:
    days = _int(reason, "days")
    return _catalogue(locale).ngettext(
        "too far ahead: at most %(num)d day in advance",
        "too far ahead: at most %(num)d days in advance",
        days,
    ) % {"num": days}


def _too_short(reason: Reason, locale: str) -> str:
    least = duration_text(_int(reason, "minutes"), locale)
    return _catalogue(locale).gettext("too short: at least %(duration)s") % {"duration": least}


def _too_long(reason: Reason, locale: str) -> str:
    most = duration_text(_int(reason, "minutes"), locale)
    return _catalogue(locale).gettext("too long: at most %(duration)s") % {"duration": most}


def _not_aligned(reason: Reason, locale: str) -> str:
    step = _int(reason, "minutes")
    return _catalogue(locale).gettext(
        "start and end must fall on whole steps of %(num)d minutes (local time)"
    ) % {"num": step}


def _not_allowed(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("not allowed: your organisation may not book this")


def _induction(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("a safety induction is required first")


def _quota(reason: Reason, locale: str) -> str:
    hours = _int(reason, "hours")
    return _catalogue(locale).ngettext(
        "over the quota of %(num)d hour per week",
        "over the quota of %(num)d hours per week",
        hours,
    ) % {"num": hours}


def _capacity(reason: Reason, locale: str) -> str:
    most = _int(reason, "capacity")
    return _catalogue(locale).ngettext(
        "too many participants: at most %(num)d person",
        "too many participants: at most %(num)d persons",
        most,
    ) % {"num": most}


def _invalid_transition(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("this booking can no longer be changed this way")


def _ended(reason: Reason, locale: str) -> str:
    return _catalogue(locale).gettext("this booking has ended and can no longer be cancelled")


_RENDERERS: dict[str, Callable[[Reason, str], str]] = {
    "closed": _closed,
    "closure": _closure,
    "booked": _booked,
    "too_soon": _too_soon,
    "too_far": _too_far,
    "too_short": _too_short,
    "too_long": _too_long,
    "not_aligned": _not_aligned,
    "not_allowed": _not_allowed,
    "induction_required": _induction,
    "quota": _quota,
    "capacity": _capacity,
    "invalid_transition": _invalid_transition,
    "ended": _ended,
}
