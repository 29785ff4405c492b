"""Integration fixtures: a real SMTP server on loopback for the mail tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.smtp_support import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """An aiosmtpd server on 127.0.0.1 (a free port), stopped after the test."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
