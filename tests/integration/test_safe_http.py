"""The outgoing-request guard (booking/services/safe_http.py): addresses that are not public are
refused before any connection, the connection goes to the address that was checked (DNS
rebinding cannot redirect it), the original Host and TLS name are kept, and every redirect hop
is resolved, checked and pinned again. Traffic stays on this machine: a loopback server, or an
httpx transport that answers in-process and records where a request would have gone."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from booking.services.safe_http import (
    PublicFetchError,
    Resolver,
    UnsafeAddressError,
    address_problem,
    check_public_url,
    fetch_public,
)
from tests.integration.ics_sources import ics_server, timetable

PUBLIC = "93.184.216.34"  # a global unicast address: never contacted, the transport answers


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),  # all of 127/8
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6 is judged as its IPv4 address
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.10", "private"),
        ("fd12:3456::1", "private"),  # unique local
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("169.254.169.254", "metadata"),  # AWS/GCP/Azure instance metadata
        ("fd00:ec2::254", "metadata"),
        ("169.254.10.1", "link_local"),
        ("fe80::1", "link_local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT: not on the public internet
        ("255.255.255.255", "reserved"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_classes(address: str, problem: str | None) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


def answers(*rounds: list[str]) -> tuple[Resolver, list[str]]:
    """A resolver giving one answer per call, in turn (the last one repeats), and its log."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return rounds[min(len(asked) - 1, len(rounds) - 1)]

    return resolve, asked


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/rooster.ics", "loopback"),
        ("http://localhost:9/rooster.ics", "loopback"),  # the system resolver's answer
        ("http://[::1]:8080/rooster.ics", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://10.0.0.5/rooster.ics", "private"),
        ("https://[fe80::1%25eth0]/x.ics", "link_local"),
        ("http://0.0.0.0:80/", "unspecified"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number
        ("http://0x7f.0.0.1/", "loopback"),  # and in hex
        ("ftp://calendar.example.com/x.ics", "scheme"),
        ("file:///etc/passwd", "scheme"),
    ],
)
async def test_refused_urls_name_the_reason(url: str, code: str) -> None:
    with pytest.raises(UnsafeAddressError) as refused:
        await check_public_url(url)
    assert refused.value.code == code and refused.value.field_name == "url"
    assert [r.code for r in refused.value.reasons] == [code]


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (["127.0.0.1"], "loopback"),
        (["169.254.169.254"], "metadata"),
        (["::1"], "loopback"),
        (["10.20.30.40"], "private"),
        ([PUBLIC, "127.0.0.1"], "loopback"),  # every address must be public, not just one
    ],
)
async def test_a_name_resolving_to_a_private_address_is_refused(
    answer: list[str], code: str
) -> None:
    resolve, _ = answers(answer)
    with pytest.raises(UnsafeAddressError) as refused:
        await check_public_url("https://calendar.example.com/x.ics", resolver=resolve)
    assert refused.value.code == code


async def test_an_unresolvable_name_is_refused() -> None:
    async def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(UnsafeAddressError) as refused:
        await check_public_url("https://nowhere.example.com/x.ics", resolver=fail)
    assert refused.value.code == "unresolvable"


class Recorder:
    """An in-process transport: records each request it is handed and answers from `replies`
    (no socket is opened, nothing leaves the process)."""

    def __init__(self, *replies: httpx.Response) -> None:
        self.replies = list(replies)
        self.seen: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.seen.append(request)
            return self.replies.pop(0) if self.replies else httpx.Response(200, content=b"ok")

        return httpx.MockTransport(handle)


async def test_the_connection_goes_to_the_checked_address_not_a_second_answer() -> None:
    # DNS rebinding: the name answers public when checked and loopback when asked again
    resolve, asked = answers([PUBLIC], ["127.0.0.1"])
    recorder = Recorder(httpx.Response(200, content=b"BEGIN:VCALENDAR"))
    got = await fetch_public("https://calendar.example.com:8443/les.ics?k=1", resolver=resolve,
                             transport=recorder.transport())
    assert got.status_code == 200 and got.body == b"BEGIN:VCALENDAR"
    assert asked == ["calendar.example.com"]  # resolved once
    (sent,) = recorder.seen
    assert (sent.url.host, sent.url.port, sent.url.raw_path) == (PUBLIC, 8443, b"/les.ics?k=1")
    assert sent.headers["host"] == "calendar.example.com:8443"
    assert sent.extensions["sni_hostname"] == "calendar.example.com"  # TLS checks the name


async def test_a_refused_address_is_refused_before_any_connection() -> None:
    recorder = Recorder()
    for url in ("http://127.0.0.1:9/x", "http://169.254.169.254/", "http://[::1]/"):
        with pytest.raises(UnsafeAddressError):
            await fetch_public(url, transport=recorder.transport())
    resolve, _ = answers(["10.0.0.7"])
    with pytest.raises(UnsafeAddressError):
        await fetch_public("http://intranet.example.com/", resolver=resolve,
                           transport=recorder.transport())
    assert recorder.seen == []


async def test_a_real_loopback_server_sees_no_request_unless_private_is_allowed() -> None:
    with ics_server() as (url, state):
        state.body = timetable(date(2027, 3, 8), 1)
        with pytest.raises(UnsafeAddressError):
            await fetch_public(url)
        assert state.requests == []
        got = await fetch_public(url, allow_private=True)
        assert got.status_code == 200 and got.body.startswith(b"BEGIN:VCALENDAR")
        assert len(state.requests) == 1


@pytest.mark.parametrize(
    ("location", "second_answer", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", None, "metadata"),
        ("http://[::1]:8080/", None, "loopback"),
        ("https://internal.example.com/x", ["192.168.0.10"], "private"),
        ("gopher://calendar.example.com/", None, "scheme"),
    ],
)
async def test_each_redirect_is_checked_before_it_is_followed(
    location: str, second_answer: list[str] | None, code: str
) -> None:
    resolve, _ = answers([PUBLIC], second_answer or [PUBLIC])
    recorder = Recorder(httpx.Response(302, headers={"Location": location}))
    with pytest.raises(UnsafeAddressError) as refused:
        await fetch_public("https://calendar.example.com/x", resolver=resolve,
                           transport=recorder.transport())
    assert refused.value.code == code
    assert len(recorder.seen) == 1  # the refused hop was never requested


async def test_redirects_are_bounded() -> None:
    resolve, _ = answers([PUBLIC])
    loop = [httpx.Response(302, headers={"Location": f"/hop{n}"}) for n in range(10)]
    recorder = Recorder(*loop)
    with pytest.raises(PublicFetchError, match="more than 3 redirects"):
        await fetch_public("https://calendar.example.com/x", resolver=resolve,
                           max_redirects=3, transport=recorder.transport())
    assert len(recorder.seen) == 4


async def test_redirect_hops_are_resolved_and_pinned_each_on_a_real_server() -> None:
    with ics_server() as (url, state):
        port = url.split(":")[2].split("/")[0]
        state.mode, state.body = "redirect", timetable(date(2027, 3, 8), 1)
        state.location = f"http://second.school.test:{port}/rooster.ics"
        resolve, asked = answers(["127.0.0.1"], ["127.0.0.1"], ["192.0.2.1"])
        got = await fetch_public(f"http://first.school.test:{port}/rooster.ics",
                                 resolver=resolve, allow_private=True)
        assert got.status_code == 200 and got.url == state.location
        assert asked == ["first.school.test", "second.school.test"]  # once per hop
        assert [r["host"] for r in state.requests] == [
            f"first.school.test:{port}", f"second.school.test:{port}"]


async def test_an_oversized_answer_is_cut_off() -> None:
    with ics_server() as (url, state):
        state.mode = "big"
        with pytest.raises(PublicFetchError, match="larger than the limit"):
            await fetch_public(url, allow_private=True, max_bytes=100_000)


def _self_signed(name: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for DNS name `name` (and its key), written as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path


async def test_tls_to_the_pinned_address_checks_the_certificate_of_the_original_name(
    tmp_path: Path,
) -> None:
    cert, key = _self_signed("calendar.school.test", tmp_path)
    with ics_server() as (url, state):
        server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_side.load_cert_chain(cert, key)
        state.tls = server_side
        state.body = timetable(date(2027, 3, 8), 1)
        port = url.split(":")[2].split("/")[0]
        trust = ssl.create_default_context(cafile=str(cert))
        resolve, _ = answers(["127.0.0.1"])
        got = await fetch_public(
            f"https://calendar.school.test:{port}/rooster.ics", resolver=resolve,
            allow_private=True, transport=httpx.AsyncHTTPTransport(verify=trust),
        )
        assert got.status_code == 200 and got.body.startswith(b"BEGIN:VCALENDAR")
        assert state.requests[-1]["host"] == f"calendar.school.test:{port}"
        with pytest.raises(PublicFetchError):  # same address, a name the certificate lacks
            await fetch_public(
                f"https://other.school.test:{port}/rooster.ics", resolver=resolve,
                allow_private=True, transport=httpx.AsyncHTTPTransport(verify=trust),
            )
