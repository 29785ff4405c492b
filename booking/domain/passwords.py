"""The one rule for a new password: 8 to 1024 characters (sign-up, invitation, reset, change).

The API's schemas declare the same bounds (api/schemas_accounts imports them), so a client
reads the rule in the OpenAPI document before the server refuses it."""

from __future__ import annotations

from booking.domain.errors import Reason, RuleViolation

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def check_new_password(password: str, field: str = "password") -> None:
    """RuleViolation (422, naming `field`, code `password_length`) unless 8–1024 characters."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise RuleViolation(
            [Reason("password_length",
                    f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")],
            field,
        )
