"""Hand composed messages to the SMTP server the config names: the only module that talks SMTP."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from typing import TYPE_CHECKING

from alerts.compose import one_line

if TYPE_CHECKING:
    from partnerwatch.config import EmailSettings

TIMEOUT = 30.0


class DeliveryError(Exception):
    """The SMTP server did not accept a message; the text is one line for the user."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        """A one-line message, and whether retrying can ever help."""
        super().__init__(message)
        self.permanent = permanent  # the server refused this message itself: retrying won't help


def refused_for_good(exc: BaseException) -> bool:
    """Whether the server rejected the message (sender, recipients, content) with a 5xx code."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    refusals = (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
    return isinstance(exc, refusals) and exc.smtp_code >= 500


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words on one line."""
    if isinstance(exc, ConnectionRefusedError):
        text = "connection refused"
    elif isinstance(exc, TimeoutError):
        text = f"no answer within {TIMEOUT:g} s"
    elif isinstance(exc, socket.gaierror):
        text = f"host not found ({exc.strerror})"
    elif isinstance(exc, ssl.SSLError):
        text = f"TLS failed ({exc.reason or exc})"
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        text = f"login refused ({exc.smtp_code} {exc.smtp_error.decode(errors='replace')})"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in exc.recipients.items())
        text = f"recipients refused: {refused}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"refused ({exc.smtp_code} {exc.smtp_error.decode(errors='replace')})"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = "the server closed the connection"
    else:
        text = (
            (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        )
    return one_line(text)


def connect(settings: EmailSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    """An open, encrypted-as-configured connection to the SMTP server."""
    host, port = settings.smtp_host, settings.smtp_port
    if settings.security != "none":
        context = context or ssl.create_default_context()
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    if settings.security == "starttls":
        try:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
    return smtp


def send_message(
    message: EmailMessage,
    settings: EmailSettings,
    password: str | None,
    *,
    context: ssl.SSLContext | None = None,  # instead of the system CAs: tests trust their own
) -> None:
    """Hand one message to the configured SMTP server; raise DeliveryError if it is not accepted."""
    where = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    if settings.username and password is None:
        raise DeliveryError(f"{where}: no password in ${settings.password_env}")
    try:
        with connect(settings, context) as smtp:
            if settings.username:
                smtp.login(settings.username, password or "")
            # The envelope follows the message's own To, fixed when it was queued.
            smtp.send_message(message, from_addr=settings.sender)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{where}: {reason(exc)}", refused_for_good(exc)) from None
