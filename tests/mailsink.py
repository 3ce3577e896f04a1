"""A real SMTP server in-process, for the tests and the time-to-alert benchmark.

Built on aiosmtpd (a development dependency: ``pip install -e '.[dev]'``). It listens on
127.0.0.1, keeps every message it accepts, can answer 4xx for a while (``fail_with``),
can be stopped and started again on the same port (a mail server that is down), and can
offer STARTTLS and require a login. Never used by Traceur itself, so it lives with the tests.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """The text of the ``text/<subtype>`` part."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_content()).replace("\r\n", "\n")
        raise KeyError(f"no text/{subtype} part")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailSink:
    """``with MailSink() as sink: ... sink.wait_for(1)``."""

    def __init__(
        self,
        port: int = 0,
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
        implicit_tls: bool = False,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.received: list[Received] = []
        self.auth_attempts: list[str] = []
        self.failing: str | None = None
        self._tls_context = tls_context
        self._credentials = credentials
        self._implicit_tls = implicit_tls
        self._lock = threading.Lock()
        self._controller: Any = None

    # -- what the SMTP server calls ------------------------------------------------------

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.failing:
            return self.failing
        raw = bytes(envelope.original_content or envelope.content)
        message = message_from_bytes(raw, policy=default)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), message, raw, time.time())
            )
        return "250 2.0.0 Message accepted"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        login = data.login.decode() if isinstance(data, LoginPassword) else ""
        self.auth_attempts.append(login)
        ok = isinstance(data, LoginPassword) and self._credentials == (
            data.login.decode(),
            data.password.decode(),
        )
        # handled=False: let the server answer 535 itself on a failure.
        return AuthResult(success=ok, handled=False)

    # -- control ------------------------------------------------------------------------

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        options: dict[str, Any] = {}
        if self._tls_context is not None and not self._implicit_tls:
            options["tls_context"] = self._tls_context
        if self._credentials is not None:
            options.update(
                authenticator=self._authenticate,
                auth_required=True,
                auth_require_tls=self._tls_context is not None,
            )
        if self._implicit_tls:
            options["ssl_context"] = self._tls_context
            options["server_hostname"] = self.host
        self._controller = Controller(self, hostname=self.host, port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_with(self, reply: str | None) -> None:
        """Answer every message with ``reply`` (e.g. ``"451 4.3.0 Try again later"``), or accept
        again (None)."""
        self.failing = reply

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        """Wait (bounded) until at least ``count`` messages arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages()) >= count:
                return self.messages()
            time.sleep(0.05)
        return self.messages()
