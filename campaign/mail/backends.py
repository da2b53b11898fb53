"""Mail backends: print to the console, write .eml files, keep in memory, or speak SMTP."""
from __future__ import annotations

import base64
import contextlib
import os
import smtplib
import ssl
import sys
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class DeliveryError(Exception):
    """Sending failed; permanent when the server refused this message for good (5xx)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# Messages kept by the "memory" backend, for tests.
memory_outbox: list[EmailMessage] = []


class Sender(Protocol):
    """Sends messages over one connection (where the backend has one)."""

    def send(self, message: EmailMessage) -> None: ...

    @property
    def connected(self) -> bool:
        """False once the connection is lost: nothing more can be sent through this sender."""
        return True


class ConsoleSender(Sender):
    def send(self, message: EmailMessage) -> None:
        sys.stdout.write(f"{'-' * 72}\n{message.as_string()}\n{'-' * 72}\n")
        sys.stdout.flush()


class MemorySender(Sender):
    def send(self, message: EmailMessage) -> None:
        memory_outbox.append(message)


class FileSender(Sender):
    """Writes each message as an .eml file, atomically, so a reader never sees half of one."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        name = message["Message-ID"].strip("<>").split("@")[0]
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            # UTF-8 headers, as SMTPUTF8 sends them: encoded-words are not allowed in addresses.
            handle.write(message.as_bytes(policy=message.policy.clone(utf8=True)))
        os.replace(tmp, self.directory / f"{name}.eml")


class SmtpSender(Sender):
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    @property
    def connected(self) -> bool:
        # smtplib drops its socket when the server hangs up, times out or resets.
        return self.client.sock is not None

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryError(
                f"recipient refused ({', '.join(map(str, codes))})",
                permanent=all(code >= 500 for code in codes),
            ) from None
        except smtplib.SMTPDataError as error:
            raise DeliveryError(
                f"message refused ({error.smtp_code})", permanent=error.smtp_code >= 500
            ) from None
        except smtplib.SMTPNotSupportedError:
            # An international address to a server without SMTPUTF8 will never go through.
            raise DeliveryError("server cannot take an international address", permanent=True) from None
        except smtplib.SMTPSenderRefused as error:
            # Our own sender address: a setting to fix, not this message's fault.
            raise DeliveryError(f"sender refused ({error.smtp_code})", permanent=False) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"server unavailable ({type(error).__name__})", permanent=False) from None
        if refused:
            raise DeliveryError("recipient refused", permanent=True)


@contextlib.contextmanager
def open_sender(config: dict) -> Iterator[Sender]:
    """A sender for the configured backend, connected for the length of the block."""
    backend = config["MAIL_BACKEND"]
    if backend == "console":
        yield ConsoleSender()
    elif backend == "memory":
        yield MemorySender()
    elif backend == "file":
        yield FileSender(config["MAIL_FILE_DIR"])
    elif backend == "smtp":
        with _smtp_client(config) as client:
            yield SmtpSender(client)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


@contextlib.contextmanager
def _smtp_client(config: dict) -> Iterator[smtplib.SMTP]:
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    client: smtplib.SMTP | None = None
    try:
        if config["SMTP_TLS"] == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls_context(config))
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        if config["SMTP_TLS"] == "starttls":
            client.starttls(context=_tls_context(config))
        if config["SMTP_USER"]:
            _login(client, config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
    except (smtplib.SMTPException, OSError) as error:
        if client is not None:  # connected, then refused: hang up rather than leave the socket
            client.close()
        raise _unreachable(error) from None
    try:
        yield client
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()


def _unreachable(error: Exception) -> DeliveryError:
    """Why no connection was made, for the log and the messages' last_error: what an operator
    needs to act on, never the password nor the server's own words."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reason = f"mail server refused the login of SMTP_USER ({error.smtp_code})"
    elif isinstance(error, ssl.SSLCertVerificationError):
        reason = f"mail server's certificate not trusted ({error.verify_message})"
    else:
        reason = f"cannot reach mail server ({type(error).__name__})"
    return DeliveryError(reason, permanent=False)


def _tls_context(config: dict) -> ssl.SSLContext:
    """Checks the server's certificate and name, against SMTP_CA_FILE (a private CA) if set,
    else against the system's trusted CAs."""
    return ssl.create_default_context(cafile=config["SMTP_CA_FILE"] or None)


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH as smtplib does it; but smtplib encodes credentials as ASCII (UnicodeEncodeError
    otherwise), so others are sent as UTF-8 with AUTH PLAIN, as RFC 4616 has it."""
    if user.isascii() and password.isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    if "PLAIN" not in client.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPException("no AUTH PLAIN for credentials beyond ASCII")
    answer = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {answer}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)
