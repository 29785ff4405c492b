"""Fetching an ICS source over HTTP: conditional GET, a total timeout, a streamed size cap,
redirects checked hop by hop, and no requests to private networks unless allowed.

Every failure is a `FetchError` whose message is shown to the school as the import's error.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

USER_AGENT = "labshare-calendar-import/1.0"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SNIFF = 4096  # leading bytes looked at to tell a calendar from a login page


class FetchError(Exception):
    """The source could not be fetched or is no calendar; the message says why."""


DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole fetch, redirects and body
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    allow_private: bool = False  # loopback/private/link-local targets (tests, intranets)

    @classmethod
    def from_env(cls) -> FetchPolicy:
        """`LABSHARE_IMPORT_TIMEOUT` (s), `LABSHARE_IMPORT_MAX_BYTES`,
        `LABSHARE_IMPORT_ALLOW_PRIVATE` (1/true) override the defaults."""
        allow = os.environ.get("LABSHARE_IMPORT_ALLOW_PRIVATE", "").strip().lower()
        return cls(
            timeout=float(os.environ.get("LABSHARE_IMPORT_TIMEOUT") or DEFAULT_TIMEOUT),
            max_bytes=int(os.environ.get("LABSHARE_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES),
            allow_private=allow in ("1", "true", "yes", "on"),
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


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


async def _check_host(url: str, policy: FetchPolicy) -> None:
    if policy.allow_private:
        return
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    if not infos or not all(_is_public(str(info[4][0])) for info in infos):
        raise FetchError(f"{host} is a private or local address; only public sources")


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
    """GET `url` (conditionally when validators are given); raises FetchError on a timeout,
    a network error, a non-200/304 answer, a body over the size cap or one that is no
    VCALENDAR (e.g. a login page answered with 200 text/html)."""
    policy = policy or FetchPolicy.from_env()
    try:
        async with asyncio.timeout(policy.timeout):
            return await _fetch(normalise_url(url), etag, last_modified, policy)
    except TimeoutError:
        raise FetchError(f"no complete answer within {policy.timeout:g} s") from None
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot reach the source: {type(exc).__name__}: {exc}") from None


async def _fetch(
    url: str, etag: str | None, last_modified: str | None, policy: FetchPolicy
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    async with httpx.AsyncClient(timeout=policy.timeout, follow_redirects=False) as client:
        for _ in range(policy.max_redirects + 1):
            await _check_host(url, policy)
            async with client.stream("GET", url, headers=headers) as resp:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    url = normalise_url(urljoin(url, resp.headers["location"]))
                    continue
                if resp.status_code == 304:
                    return Fetched(b"", resp.headers.get("etag") or etag,
                                   resp.headers.get("last-modified") or last_modified, True)
                if resp.status_code != 200:
                    raise FetchError(f"the source answered HTTP {resp.status_code}")
                body = await _read(resp, policy.max_bytes)
                return Fetched(body, resp.headers.get("etag"), resp.headers.get("last-modified"))
    raise FetchError(f"more than {policy.max_redirects} redirects")


async def _read(resp: httpx.Response, max_bytes: int) -> bytes:
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the source is {int(declared):,} bytes; the limit is {max_bytes:,}")
    kind = resp.headers.get("content-type", "unknown type").split(";")[0]
    buf = bytearray()
    verdict: bool | None = None
    async for chunk in resp.aiter_bytes():  # decoded: the cap also stops compression bombs
        buf.extend(chunk)
        if len(buf) > max_bytes:
            raise FetchError(f"the source is larger than the limit of {max_bytes:,} bytes")
        if verdict is None:
            verdict = _sniff(bytes(buf[:_SNIFF]))
            if verdict is False:
                break
    if not verdict:
        raise FetchError(f"the source sent no calendar but {kind} (a login page?)")
    return bytes(buf)
