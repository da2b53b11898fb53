"""A small, real SMTP server for tests: stdlib sockets, one thread per connection.

It speaks enough ESMTP for smtplib (EHLO/HELO, MAIL FROM, RCPT TO, DATA with
dot-unstuffing, RSET, NOOP, QUIT), records what it accepts, and can be told what to
answer: `server.script("rcpt", "451 4.7.1 Try later")` refuses the next recipient once;
`times=None` refuses every time, and `address=` limits a rule to one recipient (or, at
"mail", to one sender). The reply DROP closes the connection instead of answering, and
`after=N` holds a rule back until the connection has delivered N messages:
`server.drop_after(1)` cuts a batch after its first message.

Like a submission server (port 587) it can offer STARTTLS (`tls=`, with certificates from
tests/certificates.py) and then require it, speak TLS from the first byte (`implicit_tls`, port
465), and require AUTH PLAIN or LOGIN (`login=(user, password)`). Each message records whether
its connection was encrypted and who had logged in.

It listens on a port the system chose (port 0), or on a socket the test made with
refusing_socket(), which refuses connections until the server listens on it.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import email
import email.policy
import socket
import socketserver
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Self

from tests.certificates import Certificates

HOST = "127.0.0.1"
MAX_LINE = 64 * 1024
DROP = "drop"  # a scripted reply: close the connection without a word


def refusing_socket() -> socket.socket:
    """A socket bound to a port of HOST but not listening: connecting to it is refused, and
    the port stays this test's (no other server can be given it) until the socket is closed
    or a server listens on it: SmtpServer(sock=...)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    return sock


@dataclass(frozen=True)
class Received:
    """A message the server accepted: its envelope and its bytes, dot-unstuffed."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    tls: bool = False  # its connection was encrypted (STARTTLS or implicit TLS)
    user: str | None = None  # who had logged in on that connection (AUTH), if anyone

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class _Rule:
    stage: str  # "mail", "rcpt" or "data"
    reply: str
    address: str | None  # None: any recipient (any sender at "mail")
    times: int | None  # None: every time
    after: int  # only once the connection has delivered this many messages


class SmtpServer:
    """Listens on HOST in a background thread once started: on a port of the system's
    choosing, or on `sock` (see refusing_socket)."""

    def __init__(self, *, sock: socket.socket | None = None, smtputf8: bool = True,
                 tls: Certificates | None = None, implicit_tls: bool = False,
                 login: tuple[str, str] | None = None,
                 auth_mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN")) -> None:
        self.smtputf8 = smtputf8
        self.tls_context = tls.server_context() if tls else None
        self.implicit_tls = implicit_tls
        self.login = login
        self.auth_mechanisms = auth_mechanisms
        self.messages: list[Received] = []
        self.commands: list[str] = []  # every command line, in order
        self.logins: list[tuple[str, str]] = []  # (user, mechanism) of each accepted login
        self.refused_logins: list[str] = []  # the user name of each refused one
        self.tls_failures = 0  # handshakes the client broke off (it did not trust us)
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._server = _Server((HOST, 0), _Session, bind_and_activate=sock is None)
        if sock is not None:
            self._server.socket.close()
            self._server.socket = sock
            self._server.server_address = sock.getsockname()
            self._server.server_activate()  # listen: from now on connections are answered
        self._server.smtp = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def script(
        self, stage: str, reply: str, *, address: str | None = None, times: int | None = 1,
        after: int = 0,
    ) -> None:
        """Answer `reply` (or DROP the connection) at MAIL, RCPT or DATA, for `address` or
        anyone, `times` times or always, once a connection has delivered `after` messages."""
        assert stage in ("mail", "rcpt", "data"), stage
        with self._lock:
            self._rules.append(_Rule(stage, reply, address, times, after))

    def drop_after(self, messages: int, *, times: int | None = 1) -> None:
        """Close a connection that has delivered `messages` when it starts the next one."""
        self.script("mail", DROP, after=messages, times=times)

    def rcpt_count(self, address: str) -> int:
        """How many times a client asked to send to this address."""
        rcpts = [c for c in self.commands if c.upper().startswith("RCPT TO:")]
        return sum(1 for c in rcpts if f"<{address}>" in c)

    def start(self) -> SmtpServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()  # also waits for open sessions
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _scripted(self, stage: str, addresses: tuple[str, ...], delivered: int) -> str | None:
        with self._lock:
            for rule in self._rules:
                if rule.stage != stage or rule.times == 0 or delivered < rule.after:
                    continue
                if rule.address is not None and rule.address not in addresses:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule.reply
        return None

    def _record(self, command: str = "", message: Received | None = None) -> None:
        with self._lock:
            if command:
                self.commands.append(command)
            if message is not None:
                self.messages.append(message)

    def _record_login(self, user: str, mechanism: str, accepted: bool) -> None:
        with self._lock:
            if accepted:
                self.logins.append((user, mechanism))
            else:
                self.refused_logins.append(user)

    def _record_tls_failure(self) -> None:
        with self._lock:
            self.tls_failures += 1


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # so that server_close() waits for sessions
    smtp: SmtpServer


def _decoded(answer: str) -> str:
    """A base64 answer to an AUTH challenge, as text; ValueError for "*" or anything else."""
    return base64.b64decode(answer, validate=True).decode("utf-8")


def _path(argument: str, keyword: str) -> str | None:
    """The address in "FROM:<a@b> SIZE=1" style arguments; None when malformed."""
    if not argument.upper().startswith(keyword):
        return None
    rest = argument[len(keyword):].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[1:rest.index(">")]


class _Session(socketserver.StreamRequestHandler):
    timeout = 10  # a stuck client cannot hold the server past a test

    def handle(self) -> None:
        self.smtp: SmtpServer = self.server.smtp
        self.tls = False
        self.user: str | None = None
        self.delivered = 0  # messages accepted on this connection
        self._reset()
        with contextlib.suppress(OSError):
            if self.smtp.implicit_tls and not self._start_tls():
                return
            self._reply("220 test.invalid ESMTP ready")
            while True:
                line = self.rfile.readline(MAX_LINE)
                if not line:
                    return
                command = line.rstrip(b"\r\n").decode("utf-8", "replace")
                self.smtp._record(command)
                verb, _, argument = command.partition(" ")
                handler = getattr(self, f"_smtp_{verb.upper()}", None)
                if handler is None:
                    self._reply("502 5.5.2 Command not recognised")
                elif handler(argument.strip()) is False:
                    return

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        if self.tls:  # the server closes the plain socket it accepted; this one is ours
            with contextlib.suppress(OSError):
                self.connection.close()

    def _reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode("utf-8"))
        self.wfile.flush()

    def _reset(self) -> None:
        self.mail_from: str | None = None
        self.recipients: list[str] = []

    def _start_tls(self) -> bool:
        """The TLS handshake on this connection; False when the client broke it off."""
        self.rfile.close()
        self.wfile.close()
        try:
            connection = self.smtp.tls_context.wrap_socket(self.connection, server_side=True)
        except OSError:  # ssl.SSLError: the client refused the certificate
            self.smtp._record_tls_failure()
            return False
        self.connection, self.tls = connection, True
        self.rfile = connection.makefile("rb")
        self.wfile = connection.makefile("wb")
        return True

    def _starttls_offered(self) -> bool:
        return self.smtp.tls_context is not None and not self.tls

    def _auth_offered(self) -> bool:
        """AUTH once the connection is encrypted, where the server can encrypt it."""
        return self.smtp.login is not None and (self.tls or self.smtp.tls_context is None)

    def _smtp_EHLO(self, argument: str) -> None:
        self._reset()
        features = ["8BITMIME", *(["SMTPUTF8"] if self.smtp.smtputf8 else []),
                    *(["STARTTLS"] if self._starttls_offered() else []),
                    *([f"AUTH {' '.join(self.smtp.auth_mechanisms)}"] if self._auth_offered() else []),
                    "HELP"]
        self._reply("250-test.invalid", *(f"250-{f}" for f in features[:-1]), f"250 {features[-1]}")

    def _smtp_STARTTLS(self, argument: str) -> bool | None:
        if not self._starttls_offered():
            self._reply("502 5.5.1 STARTTLS not available")
            return None
        self._reply("220 2.0.0 Ready to start TLS")
        if not self._start_tls():
            return False
        self._reset()  # RFC 3207: nothing said before the handshake counts
        return None

    def _smtp_AUTH(self, argument: str) -> bool | None:
        mechanism, _, initial = argument.partition(" ")
        mechanism = mechanism.upper()
        if not self._auth_offered() or self.user is not None:
            self._reply("503 5.5.1 AUTH not available now")
            return None
        if mechanism not in self.smtp.auth_mechanisms:
            self._reply("504 5.5.4 Unrecognized authentication type")
            return None
        try:
            if mechanism == "PLAIN":
                response = _decoded(initial) if initial else self._challenge("")
                _, user, password = response.split("\0")
            else:  # LOGIN
                user = _decoded(initial) if initial else self._challenge("Username:")
                password = self._challenge("Password:")
        except (ValueError, binascii.Error):  # a bad answer, or "*" (RFC 4954: cancelled)
            self._reply("501 5.5.2 Cannot decode the answer")
            return None
        accepted = (user, password) == self.smtp.login
        self.smtp._record_login(user, mechanism, accepted)
        if accepted:
            self.user = user
            self._reply("235 2.7.0 Authentication successful")
        else:
            self._reply("535 5.7.8 Authentication credentials invalid")
        return None

    def _challenge(self, prompt: str) -> str:
        self._reply(f"334 {base64.b64encode(prompt.encode()).decode()}")
        line = self.rfile.readline(MAX_LINE)
        if not line:
            raise ConnectionResetError("client left during AUTH")
        return _decoded(line.strip().decode("ascii", "replace"))

    def _smtp_HELO(self, argument: str) -> None:
        self._reset()
        self._reply("250 test.invalid")

    def _smtp_MAIL(self, argument: str) -> bool | None:
        sender = _path(argument, "FROM:")
        if self._starttls_offered():  # as a submission server: no mail in the clear
            self._reply("530 5.7.0 Must issue a STARTTLS command first")
        elif self.smtp.login is not None and self.user is None:
            self._reply("530 5.7.0 Authentication required")
        elif sender is None:
            self._reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        elif self.mail_from is not None:
            self._reply("503 5.5.1 Nested MAIL command")
        else:
            reply = self.smtp._scripted("mail", (sender,), self.delivered) or "250 2.1.0 OK"
            if reply == DROP:
                return False
            if reply.startswith("2"):
                self.mail_from = sender
            self._reply(reply)
        return None

    def _smtp_RCPT(self, argument: str) -> bool | None:
        recipient = _path(argument, "TO:")
        if self.mail_from is None:
            self._reply("503 5.5.1 MAIL first")
            return None
        if not recipient:
            self._reply("501 5.5.4 Syntax: RCPT TO:<address>")
            return None
        reply = self.smtp._scripted("rcpt", (recipient,), self.delivered) or "250 2.1.5 OK"
        if reply == DROP:
            return False
        if reply.startswith("2"):
            self.recipients.append(recipient)
        self._reply(reply)
        return None

    def _smtp_DATA(self, argument: str) -> bool | None:
        if not self.recipients:
            self._reply("503 5.5.1 RCPT first")
            return None
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                raise ConnectionResetError("client left during DATA")
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        received = Received(self.mail_from or "", tuple(self.recipients), b"".join(lines),
                            tls=self.tls, user=self.user)
        reply = self.smtp._scripted("data", received.recipients, self.delivered) or "250 2.0.0 OK queued"
        if reply == DROP:  # gone before saying whether it took the message: it did not
            return False
        if reply.startswith("2"):
            self.smtp._record(message=received)
            self.delivered += 1
        self._reset()
        self._reply(reply)
        return None

    def _smtp_RSET(self, argument: str) -> None:
        self._reset()
        self._reply("250 2.0.0 OK")

    def _smtp_NOOP(self, argument: str) -> None:
        self._reply("250 2.0.0 OK")

    def _smtp_QUIT(self, argument: str) -> bool:
        self._reply("221 2.0.0 Bye")
        return False
