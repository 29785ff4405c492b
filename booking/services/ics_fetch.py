"""Fetching an ICS source over HTTP (through `safe_http`): conditional GET, a total timeout, a
streamed size cap, redirects checked and pinned hop by hop, no private networks unless allowed.

Every failure is a `FetchError` whose message is shown to the school as the import's error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from booking.services.safe_http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    PublicFetchError,
    Resolver,
    allow_private_from_env,
    fetch_public,
)

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT", "FetchError", "FetchPolicy", "Fetched",
           "fetch_ics", "masked_url", "normalise_url"]

USER_AGENT = "labshare-calendar-import/1.0"
_SNIFF = 4096  # leading bytes looked at to tell a calendar from a login page


class FetchError(Exception):
    """The source could not be fetched or is no calendar; the message says why."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole fetch, redirects and body
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    allow_private: bool = False  # loopback/private/link-local targets (tests, intranets)
    resolver: Resolver | None = None  # DNS seam (tests); None: the system's resolver

    @classmethod
    def from_env(cls) -> FetchPolicy:
        """`LABSHARE_IMPORT_TIMEOUT` (s), `LABSHARE_IMPORT_MAX_BYTES`,
        `LABSHARE_IMPORT_ALLOW_PRIVATE` (1/true) override the defaults."""
        return cls(
            timeout=float(os.environ.get("LABSHARE_IMPORT_TIMEOUT") or DEFAULT_TIMEOUT),
            max_bytes=int(os.environ.get("LABSHARE_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES),
            allow_private=allow_private_from_env(),
        )


@dataclass(frozen=True, slots=True)
class Fetched:
    """A 200 body, or `not_modified` (304) with the validators to keep."""

    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


def normalise_url(url: str) -> str:
    """`url` with webcal(s):// made https://; ValueError unless it is an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the address must be an http(s):// or webcal:// URL")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def masked_url(url: str) -> str:
    """What logs show of a source URL (paths of calendar URLs often hold secrets)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def _sniff(head: bytes) -> bool | None:
    """Whether the body starts a VCALENDAR; None while too little has arrived to tell."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if len(text) < 15:
        return None
    return text[:15].upper() == b"BEGIN:VCALENDAR"


async def fetch_ics(
    url: str, *, etag: str | None = None, last_modified: str | None = None,
    policy: FetchPolicy | None = None,
) -> Fetched:
    """GET `url` (conditionally when validators are given) through `safe_http.fetch_public`.

    Raises UnsafeAddressError (a RuleViolation on `url`) before connecting to an address that is
    not public, and FetchError on a timeout, a network error, a non-200/304 answer, a body over
    the size cap or one that is no VCALENDAR (e.g. a login page answered with 200 text/html)."""
    policy = policy or FetchPolicy.from_env()
    try:
        url = normalise_url(url)
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        resp = await fetch_public(
            url, headers=headers, timeout=policy.timeout, max_bytes=policy.max_bytes,
            allow_private=policy.allow_private, max_redirects=policy.max_redirects,
            resolver=policy.resolver,
        )
    except PublicFetchError as exc:
        raise FetchError(str(exc).replace("the answer", "the source")) from None
    if resp.status_code == 304:
        return Fetched(b"", resp.headers.get("etag") or etag,
                       resp.headers.get("last-modified") or last_modified, True)
    if resp.status_code != 200:
        raise FetchError(f"the source answered HTTP {resp.status_code}")
    if not _sniff(resp.body[:_SNIFF]):
        kind = resp.headers.get("content-type", "unknown type").split(";")[0]
        raise FetchError(f"the source sent no calendar but {kind} (a login page?)")
    return Fetched(resp.body, resp.headers.get("etag"), resp.headers.get("last-modified"))
