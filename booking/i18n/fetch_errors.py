"""Why a calendar (or webhook, mail) could not be fetched or delivered, in the reader's language.

The services store the technical English text (`last_error`: "the source answered HTTP 404",
"[Errno -2] Name or service not known", …); the pages show it through `fetch_error_message`,
which turns the known shapes into a sentence and anything else into a general one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.support import NullTranslations

_Render = Callable[[NullTranslations, "re.Match[str]"], str]

_PATTERNS: tuple[tuple[re.Pattern[str], _Render], ...] = (
    (re.compile(r"the source answered HTTP (\d+)"),
     lambda t, m: t.gettext("the source answered with HTTP status %(status)s") % {
         "status": m.group(1)}),
    (re.compile(r"the source sent no calendar but (\S+)"),
     lambda t, m: t.gettext("the source sent no calendar but %(kind)s (a login page?)") % {
         "kind": m.group(1)}),
    (re.compile(r"Name or service not known|nodename nor servname|getaddrinfo|No address "
                r"associated|Temporary failure in name resolution|does not resolve", re.I),
     lambda t, m: t.gettext("the server name does not exist")),
    (re.compile(r"refused|All connection attempts failed|unreachable", re.I),
     lambda t, m: t.gettext("the server could not be reached")),
    (re.compile(r"no complete answer within|timed? ?out", re.I),
     lambda t, m: t.gettext("the server did not answer in time")),
    (re.compile(r"certificate|SSL|TLS", re.I),
     lambda t, m: t.gettext("the server's certificate could not be trusted")),
    (re.compile(r"larger than the limit|the limit is", re.I),
     lambda t, m: t.gettext("the calendar is larger than the limit")),
    (re.compile(r"redirects", re.I),
     lambda t, m: t.gettext("the address redirects too often")),
    (re.compile(r"not public|private|loopback|local address", re.I),
     lambda t, m: t.gettext("the address is not on the public internet")),
    (re.compile(r"not an iCalendar|VCALENDAR|iCalendar", re.I),
     lambda t, m: t.gettext("the source is not a readable calendar")),
)


def fetch_error_message(text: str | None, locale: str) -> str:
    """`text` (a stored technical failure) as a short sentence in `locale`; "" for no failure.

    A text the catalogue knows as a message id is translated as it is; known technical shapes
    get a fixed sentence; anything else the general "could not be reached".
    """
    if not text:
        return ""
    from booking.i18n import translations  # the package imports its modules first

    t = translations(locale)
    translated = t.gettext(text)
    if translated != text:
        return translated
    for pattern, render in _PATTERNS:
        found = pattern.search(text)
        if found:
            return render(t, found)
    return t.gettext("the connection failed")
