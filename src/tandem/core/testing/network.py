"""Loopback endpoints for tests: a free port, and a real SMTP sink (aiosmtpd) that Django's SMTP backend delivers
to. Import the fixture into a test module or conftest: ``from tandem.core.testing.network import smtp_sink``."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from typing import Any

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpSink:
    """Keeps every message it is sent."""

    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 Message accepted"

    def bodies(self) -> list[str]:
        return [envelope.content.decode("utf-8", "replace") for envelope in self.messages]


@pytest.fixture
def smtp_sink(settings):
    """An SMTP server on a free loopback port, with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    # aiosmtpd logs each connection's end at INFO from its own thread; a connection closed after the test's
    # output capture has ended then fails to log ("I/O operation on closed file") and buries the test report.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()
