"""Delivery to a real SMTP server (aiosmtpd on 127.0.0.1): plain, STARTTLS with login, SSL."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from alerts.send import DeliveryError, send_message
from partnerwatch.config import EmailSettings
from tests.smtp import PASSWORD, USER, Mailbox, free_port, smtp_server


def settings(port: int, **overrides) -> EmailSettings:
    """Email settings pointing at the test server."""
    values = {
        "enabled": True,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "sender": "partnerwatch@example.org",
        "recipients": ["beleid@example.org", "team@example.org"],
    }
    return EmailSettings(**{**values, **overrides})


def a_message() -> EmailMessage:
    """A small message such as compose builds."""
    message = EmailMessage()
    message["Subject"] = "[Partnerschappen] Housing afgerond"
    message["From"] = "partnerwatch@example.org"
    message["To"] = "beleid@example.org, team@example.org"
    message.set_content("Status: lopend → afgerond\n")
    return message


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command line."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def server_tls(certificate) -> ssl.SSLContext:
    """The server side of TLS: presents the self-signed certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate) -> ssl.SSLContext:
    """The client side of TLS: trusts only the self-signed certificate, host name checked."""
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def plain_server(mailbox) -> Iterator[int]:
    with smtp_server(mailbox) as port:
        yield port


@pytest.fixture
def starttls_server(mailbox, server_tls) -> Iterator[int]:
    with smtp_server(
        mailbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=mailbox.authenticate,
        auth_require_tls=True,
    ) as port:
        yield port


@pytest.fixture
def ssl_server(mailbox, server_tls) -> Iterator[int]:
    with smtp_server(mailbox, ssl_context=server_tls) as port:
        yield port


def test_plain_delivery_reaches_every_recipient_from_the_sender(mailbox, plain_server):
    send_message(a_message(), settings(plain_server), None)

    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "partnerwatch@example.org"
    assert envelope.rcpt_tos == ["beleid@example.org", "team@example.org"]
    [received] = mailbox.received()
    assert received["Subject"] == "[Partnerschappen] Housing afgerond"
    assert received.get_content().splitlines() == ["Status: lopend → afgerond"]


def test_starttls_with_login(mailbox, starttls_server, client_tls):
    config = settings(starttls_server, security="starttls", username=USER)

    send_message(a_message(), config, PASSWORD, context=client_tls)

    assert mailbox.logins == [USER]
    assert [m["Subject"] for m in mailbox.received()] == ["[Partnerschappen] Housing afgerond"]


def test_a_wrong_password_is_a_delivery_error(mailbox, starttls_server, client_tls):
    config = settings(starttls_server, security="starttls", username=USER)

    with pytest.raises(DeliveryError, match=r"^SMTP 127\.0\.0\.1:\d+: login refused \(535 "):
        send_message(a_message(), config, "wrong", context=client_tls)
    assert mailbox.envelopes == []


def test_an_untrusted_certificate_is_a_delivery_error(mailbox, starttls_server):
    config = settings(starttls_server, security="starttls", username=USER)

    with pytest.raises(DeliveryError, match="TLS failed") as error:
        send_message(a_message(), config, PASSWORD)
    assert "\n" not in str(error.value)
    assert mailbox.envelopes == []


def test_starttls_required_but_not_offered(mailbox, plain_server):
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_message(a_message(), settings(plain_server, security="starttls"), None)
    assert mailbox.envelopes == []


def test_ssl_delivery(mailbox, ssl_server, client_tls):
    send_message(a_message(), settings(ssl_server, security="ssl"), None, context=client_tls)

    assert len(mailbox.envelopes) == 1


def test_a_server_that_is_down_is_a_one_line_delivery_error():
    port = free_port()

    with pytest.raises(DeliveryError) as error:
        send_message(a_message(), settings(port), None)
    assert str(error.value) == f"SMTP 127.0.0.1:{port}: connection refused"


def test_a_username_without_password_is_a_delivery_error_before_connecting():
    config = settings(free_port(), username=USER, password_env="PW_TEST_PASSWORD")

    with pytest.raises(DeliveryError, match=r": no password in \$PW_TEST_PASSWORD$"):
        send_message(a_message(), config, None)
