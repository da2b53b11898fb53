"""One POST to a checked address: no redirects followed, a deadline, a few KB of answer read.

The connection goes to the IP address that addresses.check() approved, while the Host
header, the TLS server name (SNI) and the certificate check use the name in the URL.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from campaign.webhooks.addresses import Target

# Enough of an answer to know it was read; nobody needs a receiver's page.
ANSWER_LIMIT = 4096
USER_AGENT = "Campaign-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    """What the receiver said: its status, or why there was no usable answer."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and not self.error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP (tests only) to the checked address, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target_ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.target_ip, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate must be valid for the URL's name."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self.target_ip = target.ip
        self.tls_context = context

    def connect(self) -> None:
        sock = socket.create_connection((self.target_ip, self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Certificates and names checked: against the system's CAs, or this PEM file's."""
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float,
         context: ssl.SSLContext | None = None) -> Answer:
    """POST body to target; the whole exchange must end within timeout seconds."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
            target, timeout, context or tls_context())
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    # A receiver that answers a byte at a time would outlive any per-read timeout: past the
    # deadline the socket is shut, and the read in progress ends at once.
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        if connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, expire)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body,
                           headers={**headers, "User-Agent": USER_AGENT, "Connection": "close"})
        response = connection.getresponse()
        response.read(ANSWER_LIMIT)
        status, location = response.status, response.getheader("Location", "")
    except (OSError, http.client.HTTPException, ValueError) as error:
        if timed_out.is_set() or isinstance(error, TimeoutError):
            return Answer(None, f"timed out after {timeout:g} s")
        return Answer(None, _describe(error))
    finally:
        watchdog.cancel()
        connection.close()
    if timed_out.is_set() or time.monotonic() - started > timeout:
        return Answer(status, f"timed out after {timeout:g} s")
    if 300 <= status < 400:
        # Never followed: the next address would need the same checks, and a receiver has
        # no reason to move a webhook elsewhere but to reach something it should not.
        return Answer(status, f"HTTP {status}: redirect to {location[:150]!r} not followed")
    if not 200 <= status < 300:
        return Answer(status, f"HTTP {status}")
    return Answer(status)


def _describe(error: Exception) -> str:
    """A short reason, without a traceback: what the organizer reads on the deliveries page."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate refused: {error.verify_message or error.reason}"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:250]
