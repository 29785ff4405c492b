"""Settings of labshare: a frozen dataclass read from the environment once, for the HTTP app,
the pages and the background workers alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from booking.db.engine import default_data_dir, default_database_url

DEFAULT_MAIL_FROM = "labshare <noreply@labshare.test>"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app reads from `LABSHARE_*` environment variables.

    `secure_cookies` forces the Secure flag; otherwise it is set when the request came over https.
    `trust_forwarded` makes the login rate limit use `X-Forwarded-For` (only behind a proxy).
    """

    database_url: str
    debug: bool = False
    secure_cookies: bool = False
    trust_forwarded: bool = False
    session_days: int = 14
    login_window_minutes: int = 15
    login_max_failures_account: int = 5
    """Failed logins of one account *from one address* before that pair must wait."""
    login_max_failures_client: int = 30
    """Failed logins from one address (any accounts) before that address must wait."""
    default_timezone: str = "Europe/Amsterdam"
    migrate_on_startup: bool = True
    base_url: str = ""
    """`LABSHARE_BASE_URL` without its trailing slash; "" when unset (see `public_base_url`)."""
    smtp_url: str = ""
    """`LABSHARE_SMTP_URL`; "" keeps mail in the outbox (the demo shows it at /dev/mail)."""
    mail_from: str = DEFAULT_MAIL_FROM
    retention_months: int = 24
    """`LABSHARE_RETENTION_MONTHS`: people not seen for this long are anonymised (privacy.md)."""
    security_contact: str = ""
    """`LABSHARE_SECURITY_CONTACT` (a `mailto:` or https URL) for /.well-known/security.txt;
    "" falls back to `mailto:security@<host of the base URL>`."""
    login_max_delay_seconds: int = 900
    """The longest delay a throttled account/address pair or address is asked to wait."""
    data_dir: str = ""
    """`LABSHARE_DATA_DIR` (absolute; "" means ./data): uploaded photos live in its `photos/`."""

    @property
    def public_base_url(self) -> str:
        """Where people reach the app, for absolute links in mail (API.md's default)."""
        return self.base_url or "http://127.0.0.1:8000"

    @property
    def photos_dir(self) -> str:
        """Where the stored photo files are (created on first upload)."""
        return os.path.join(self.data_dir or str(default_data_dir()), "photos")

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=default_database_url(),
            debug=_flag("LABSHARE_DEBUG"),
            secure_cookies=_flag("LABSHARE_SECURE_COOKIES"),
            trust_forwarded=_flag("LABSHARE_TRUST_FORWARDED"),
            session_days=_int("LABSHARE_SESSION_DAYS", 14),
            login_window_minutes=_int("LABSHARE_LOGIN_WINDOW_MINUTES", 15),
            login_max_failures_account=_int("LABSHARE_LOGIN_MAX_FAILURES", 5),
            login_max_failures_client=_int("LABSHARE_LOGIN_MAX_FAILURES_CLIENT", 30),
            migrate_on_startup=_flag("LABSHARE_MIGRATE_ON_STARTUP", True),
            base_url=os.environ.get("LABSHARE_BASE_URL", "").rstrip("/"),
            smtp_url=os.environ.get("LABSHARE_SMTP_URL", ""),
            mail_from=os.environ.get("LABSHARE_MAIL_FROM") or DEFAULT_MAIL_FROM,
            retention_months=_int("LABSHARE_RETENTION_MONTHS", 24),
            security_contact=os.environ.get("LABSHARE_SECURITY_CONTACT", ""),
            login_max_delay_seconds=_int("LABSHARE_LOGIN_MAX_DELAY", 900),
            data_dir=str(default_data_dir()),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_env()
