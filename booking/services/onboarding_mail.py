"""The mails of onboarding (invitations, sign-up confirmations): one seam to the outbox.

Templates: `booking/mail/templates/invitation/` and `.../signup_confirm/` (NL + EN). The link is
passed as a path and written `{{ base_url }}{{ link }}`, so it is absolute in the mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from booking.services.outbox import enqueue_mail

TEMPLATES = {"invitation": "invitation", "signup": "signup_confirm"}
"""Our mail kinds and the outbox template each uses."""

ROLE_WORDS: dict[str, tuple[str, str]] = {
    "facility_manager": ("facilitair beheerder", "facility manager"),
    "staff": ("docent of medewerker", "staff member"),
    "booker": ("boeker", "booker"),
    "company_admin": ("beheerder van het bedrijf", "company admin"),
    "coordinator": ("coördinator", "coordinator"),
    "admin": ("platformbeheerder", "platform admin"),
}
"""A role in the words of each mail language: (Dutch, English)."""


def role_words(role: str) -> dict[str, str]:
    """`role_nl` and `role_en` for a mail's context."""
    nl, en = ROLE_WORDS.get(role, (role, role))
    return {"role_nl": nl, "role_en": en}


async def send_link_mail(
    kind: str, *, to: str, to_name: str, locale: str, link: str, params: Mapping[str, str],
    now: datetime,
) -> None:
    """Queue the mail of `kind` carrying the one-time `link` (a path) to `to`; call inside
    the write transaction that stores the link's token, so the mail exists exactly when the
    token does."""
    await enqueue_mail(to_email=to, to_name=to_name, locale=locale, template=TEMPLATES[kind],
                       context={**params, "link": link, "name": to_name}, now=now)
