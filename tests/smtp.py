"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 keeping what it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "alice", "correct horse"


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, and checks logins."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535

    def received(self) -> list[email.message.EmailMessage]:
        """The accepted messages, parsed back from the bytes the server got."""
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(mailbox: Mailbox, port: int | None = None, **options) -> Iterator[int]:
    """Run an aiosmtpd server (on a free port unless given) for the duration of a block."""
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
