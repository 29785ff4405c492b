"""Outgoing HTTP to addresses people type in (imports, webhooks) that cannot reach our own network.

One rule for every caller: the host is resolved once, every resolved address must be public
(no loopback, private, link-local, cloud metadata, multicast, reserved or unspecified address),
and the connection goes to the address that was checked — the URL is rewritten to that IP while
the request carries the original `Host` header and TLS checks the certificate against the
original name (SNI) — so a DNS answer that changes between check and connect (rebinding) cannot
slip through. Each redirect hop is resolved, checked and pinned the same way, up to a bound.
`allow_private` (`LABSHARE_IMPORT_ALLOW_PRIVATE=1`) lifts only the address classes, for tests
and intranets; resolution and pinning stay.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from booking.domain.errors import Reason, RuleViolation

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""`async (host, port) -> addresses` — the one DNS seam (tests give names their answers)."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5

# Cloud instance-metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle).
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200",
              "192.0.0.192")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# English messages; stable codes. booking/i18n/locale/nl/LC_MESSAGES/imports.po holds the Dutch.
ADDRESS_MESSAGES: dict[str, str] = {
    "scheme": "the address must be an http(s):// or webcal:// URL",
    "unresolvable": "the host name of the address cannot be resolved",
    "loopback": "the address points to this server itself (loopback); only public addresses",
    "private": "the address is in a private network; only public addresses",
    "link_local": "the address is link-local; only public addresses",
    "metadata": "the address is a cloud metadata service; only public addresses",
    "multicast": "the address is a multicast address; only public addresses",
    "unspecified": "the address is unspecified (0.0.0.0 or ::); only public addresses",
    "reserved": "the address is reserved, not a public internet address",
}


class UnsafeAddressError(RuleViolation):
    """The URL cannot be used: not http(s), unresolvable, or an address that is not public.

    `code` is one of ADDRESS_MESSAGES' keys; the error maps to 422 on the field given."""

    def __init__(self, code: str, field_name: str = "url") -> None:
        self.code = code
        super().__init__([Reason(code, ADDRESS_MESSAGES[code])], field_name=field_name)


class PublicFetchError(Exception):
    """The request went out (or tried to) and failed: network error, timeout, too large a body,
    too many redirects. The message says why in English, for logs and the import's error."""


@dataclass(frozen=True, slots=True)
class PinnedTarget:
    """A URL with the one checked address its connection must go to."""

    url: str
    host: str
    port: int
    address: Address


@dataclass(frozen=True, slots=True)
class PublicResponse:
    """The final answer of `fetch_public` (after redirects): status, headers and body."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    url: str


def allow_private_from_env() -> bool:
    """Whether `LABSHARE_IMPORT_ALLOW_PRIVATE` (1/true/yes/on) lifts the public-address rule."""
    value = os.environ.get("LABSHARE_IMPORT_ALLOW_PRIVATE", "").strip().lower()
    return value in ("1", "true", "yes", "on")


def address_problem(address: Address) -> str | None:
    """Why `address` is not a public internet address (a code of ADDRESS_MESSAGES), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:
            return address_problem(embedded)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address in _METADATA:
        return "metadata"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system resolves `host` to (all families, TCP)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddressError("scheme")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeAddressError("scheme") from None
    return scheme, parts.hostname, port


async def resolve_public(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> PinnedTarget:
    """Resolve `url`'s host once and check every address; the target to connect to.

    Raises UnsafeAddressError (422 on `url`) when the URL is not http(s), the name does not
    resolve, or any address is not public (unless `allow_private`)."""
    _, host, port = _split(url)
    try:
        literal: Address | None = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            answers = await (resolver or system_resolver)(host, port)
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in answers]
        except (OSError, ValueError, UnicodeError):
            raise UnsafeAddressError("unresolvable") from None
    if not found:
        raise UnsafeAddressError("unresolvable")
    if not allow_private:
        for address in found:
            problem = address_problem(address)
            if problem is not None:
                raise UnsafeAddressError(problem)
    return PinnedTarget(url, host, port, found[0])


async def check_public_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> None:
    """Raise UnsafeAddressError unless `url` is http(s) and resolves only to public addresses."""
    await resolve_public(url, allow_private=allow_private, resolver=resolver)


def _pinned_request(
    client: httpx.AsyncClient, target: PinnedTarget, method: str,
    headers: Mapping[str, str], body: bytes | None,
) -> httpx.Request:
    original = httpx.URL(target.url)
    default_port = 443 if original.scheme == "https" else 80
    name = f"[{original.host}]" if ":" in original.host else original.host
    host_header = name if target.port == default_port else f"{name}:{target.port}"
    return client.build_request(
        method, original.copy_with(host=str(target.address)),
        headers={**headers, "Host": host_header}, content=body,
        extensions={"sni_hostname": original.host},
    )


async def _read(resp: httpx.Response, max_bytes: int) -> bytes:
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PublicFetchError(f"the answer is {int(declared):,} bytes; the limit is {max_bytes:,}")
    buf = bytearray()
    async for chunk in resp.aiter_bytes():  # decoded: the cap also stops compression bombs
        buf.extend(chunk)
        if len(buf) > max_bytes:
            raise PublicFetchError(f"the answer is larger than the limit of {max_bytes:,} bytes")
    return bytes(buf)


async def fetch_public(
    url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
    body: bytes | None = None, timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (whole exchange)
    max_bytes: int = DEFAULT_MAX_BYTES, allow_private: bool = False,
    max_redirects: int = DEFAULT_MAX_REDIRECTS, resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PublicResponse:
    """Send one request to a public address and read the answer (≤ `max_bytes`, decoded).

    Every hop (the URL, then each redirect up to `max_redirects`) is resolved once, checked
    and connected to at the checked address with the original Host/SNI; 303 (and 301/302 of a
    POST) continue as GET without body, 307/308 resend method and body. `timeout` bounds the
    whole exchange. No proxy from the environment is used (it would resolve names itself).
    Raises UnsafeAddressError before any connection to a refused address, PublicFetchError on
    network errors, timeouts, an oversized body or too many redirects. `transport` is a seam
    for tests; by default a fresh client with certificate checks is used."""
    sent = dict(headers or {})
    try:
        async with asyncio.timeout(timeout):
            async with httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
            ) as client:
                for _ in range(max_redirects + 1):
                    target = await resolve_public(
                        url, allow_private=allow_private, resolver=resolver
                    )
                    request = _pinned_request(client, target, method, sent, body)
                    resp = await client.send(request, stream=True)
                    try:
                        location = resp.headers.get("location")
                        if resp.status_code in REDIRECTS and location:
                            url = urljoin(url, location)
                            if resp.status_code == 303 or (
                                resp.status_code in (301, 302) and method == "POST"
                            ):
                                method, body = "GET", None
                            continue
                        data = await _read(resp, max_bytes)
                        return PublicResponse(resp.status_code, resp.headers, data, url)
                    finally:
                        await resp.aclose()
    except TimeoutError:
        raise PublicFetchError(f"no complete answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise PublicFetchError(f"cannot reach the address: {type(exc).__name__}: {exc}") from None
    raise PublicFetchError(f"more than {max_redirects} redirects")
