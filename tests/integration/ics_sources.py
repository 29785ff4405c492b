"""A local HTTP server that plays good and broken ICS sources, and ICS bodies to serve."""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class SourceState:
    """What the server answers: `mode` ics | html | 500 | slow | big | redirect (302 to
    `location` once, then ics), and what it saw."""

    mode: str = "ics"
    body: bytes = b""
    delay: float = 3.0
    location: str = ""
    tls: ssl.SSLContext | None = None  # set before the first request: serve HTTPS
    requests: list[dict[str, str]] = field(default_factory=list)


def timetable(first: date, weeks: int, summary: str = "Les CNC", *, extra: str = "") -> bytes:
    """A weekly 08:30-10:00 lesson (local Amsterdam time) for `weeks` weeks from `first`."""
    start = first.strftime("%Y%m%d")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//rooster//NL",
        "X-WR-TIMEZONE:Europe/Amsterdam",
        "BEGIN:VEVENT", "UID:les-1@rooster", "DTSTAMP:20270101T000000Z",
        f"DTSTART:{start}T083000", f"DTEND:{start}T100000",
        f"RRULE:FREQ=WEEKLY;COUNT={weeks}", f"SUMMARY:{summary}", "END:VEVENT",
    ]
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def holidays(*days: tuple[date, int, str]) -> bytes:
    """All-day, TRANSPARENT holiday events: (first day, number of days, name)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//vakanties//NL"]
    for n, (first, length, name) in enumerate(days):
        last = first + timedelta(days=length)
        lines += [
            "BEGIN:VEVENT", f"UID:vakantie-{n}@test", "DTSTAMP:20270101T000000Z",
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}", f"DTEND;VALUE=DATE:{last:%Y%m%d}",
            f"SUMMARY:{name}", "TRANSP:TRANSPARENT", "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


EMPTY = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//leeg//NL\r\nEND:VCALENDAR\r\n"
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>" + b"x" * 5000


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append({k.lower(): v for k, v in self.headers.items()})
        if state.mode == "redirect":
            state.mode = "ics"
            self.send_response(302)
            self.send_header("Location", state.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif state.mode == "html":
            self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")
        elif state.mode == "500":
            self._send(500, b"Internal Server Error", "text/plain")
        elif state.mode == "slow":
            time.sleep(state.delay)
            self._send(200, state.body, "text/calendar")
        elif state.mode == "big":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()  # no Content-Length: the cap must work while streaming
            chunk = b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"y" * 65000 + b"\r\n"
            try:
                for _ in range(160):  # ~10 MB
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            tag = '"' + hashlib.sha256(state.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self._send(200, state.body, "text/calendar; charset=utf-8", {"ETag": tag})

    def _send(self, code: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: SourceState

    def get_request(self) -> tuple[object, object]:  # type: ignore[override]
        sock, address = super().get_request()
        if self.state.tls is not None:
            sock = self.state.tls.wrap_socket(sock, server_side=True)
        return sock, address


@contextmanager
def ics_server() -> Iterator[tuple[str, SourceState]]:
    """A server on 127.0.0.1 at a free port: (base URL, its state)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = SourceState()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rooster.ics", server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
