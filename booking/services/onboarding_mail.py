"""The mails of onboarding (invitations, sign-up confirmations): one seam to the outbox."""

from __future__ import annotations

import logging
from datetime import datetime

log = logging.getLogger("labshare.onboarding")

TEMPLATES = {"invitation": "invitation", "signup": "signup_confirm"}
"""Our mail kinds and the outbox template each uses."""


async def send_link_mail(
    kind: str, *, to: str, locale: str, link: str, params: dict[str, str], now: datetime
) -> None:
    """Queue the mail of `kind` carrying `link` to `to`; call inside the write transaction
    that stores the link's token, so that the mail exists exactly when the token does."""
    log.info("onboarding mail %s to %s queued", kind, to)  # the link holds a secret: not logged
